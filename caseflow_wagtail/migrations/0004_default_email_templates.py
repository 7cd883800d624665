from django.db import migrations


def create_defaults(apps, schema_editor):
    from caseflow_wagtail.mail.defaults import DEFAULTS

    EmailTemplate = apps.get_model("caseflow_wagtail", "EmailTemplate")
    for slug, fields in DEFAULTS.items():
        EmailTemplate.objects.get_or_create(slug=slug, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("caseflow_wagtail", "0003_pay_now")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
