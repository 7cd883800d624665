from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("caseflow_wagtail", "0005_subscriptions")]

    operations = []
