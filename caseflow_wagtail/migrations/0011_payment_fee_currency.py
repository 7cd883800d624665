"""Stripe's fee and net keep their own currency (the settlement currency) and the rate Stripe applied.

Entries from before keep a blank fee currency, which means the payment's own: only fees in the payment's
currency were stored until now.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caseflow_wagtail", "0010_billing_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="fee_currency",
            field=models.CharField(blank=True, max_length=3, verbose_name="fee currency"),
        ),
        migrations.AddField(
            model_name="payment",
            name="exchange_rate",
            field=models.DecimalField(
                blank=True, decimal_places=12, max_digits=20, null=True, verbose_name="exchange rate"
            ),
        ),
    ]
