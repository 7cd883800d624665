from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("caseflow_wagtail", "0014_billing_firm_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="billingsettings",
            name="attach_receipt_pdf",
            field=models.BooleanField(
                default=False,
                help_text="Each receipt email carries the receipt as a PDF. If the PDF cannot be made, the email still goes out without it.",
                verbose_name="attach PDF receipts to receipt emails",
            ),
        ),
    ]
