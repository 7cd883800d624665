from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("caseflow_wagtail", "0004_default_email_templates")]

    operations = []
