import caseflow_wagtail.models.clients
from django.db import migrations, models


def give_each_client_its_own_link(apps, schema_editor):
    # One token per row: a callable default on AddField is called once, so every client would share it.
    from caseflow_wagtail.models.clients import new_account_token

    Client = apps.get_model("caseflow_wagtail", "Client")
    for pk in Client.objects.filter(account_token__isnull=True).values_list("pk", flat=True).iterator():
        Client.objects.filter(pk=pk).update(account_token=new_account_token())


class Migration(migrations.Migration):
    dependencies = [
        ("caseflow_wagtail", "0017_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="account_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(give_each_client_its_own_link, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="client",
            name="account_token",
            field=models.CharField(
                default=caseflow_wagtail.models.clients.new_account_token,
                editable=False,
                max_length=64,
                unique=True,
            ),
        ),
    ]
