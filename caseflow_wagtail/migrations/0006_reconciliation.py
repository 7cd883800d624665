import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caseflow_wagtail", "0005_subscriptions"),
        ("wagtailcore", "0094_alter_page_locale"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StripeDispute",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stripe_id", models.CharField(max_length=255, unique=True, verbose_name="Stripe dispute")),
                ("amount", models.DecimalField(decimal_places=3, max_digits=18, verbose_name="amount")),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("reason", models.CharField(blank=True, max_length=100, verbose_name="reason")),
                ("status", models.CharField(max_length=30, verbose_name="status in Stripe")),
                (
                    "evidence_due_by",
                    models.DateTimeField(blank=True, null=True, verbose_name="evidence due by"),
                ),
                ("opened_at", models.DateTimeField(verbose_name="opened")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "adjustment",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stripe_dispute",
                        to="caseflow_wagtail.adjustment",
                        verbose_name="adjustment",
                    ),
                ),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stripe_disputes",
                        to="caseflow_wagtail.invoicepage",
                        verbose_name="invoice",
                    ),
                ),
                (
                    "payment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stripe_disputes",
                        to="caseflow_wagtail.payment",
                        verbose_name="payment",
                    ),
                ),
            ],
            options={
                "verbose_name": "Stripe dispute",
                "verbose_name_plural": "Stripe disputes",
                "ordering": ["-opened_at"],
            },
        ),
        migrations.CreateModel(
            name="StripeRefund",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stripe_id", models.CharField(max_length=255, unique=True, verbose_name="Stripe refund")),
                ("amount", models.DecimalField(decimal_places=3, max_digits=18, verbose_name="amount")),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("status", models.CharField(max_length=30, verbose_name="status in Stripe")),
                ("reason", models.CharField(blank=True, max_length=100, verbose_name="reason")),
                ("refunded_at", models.DateTimeField(verbose_name="refunded in Stripe")),
                ("noted_at", models.DateTimeField(auto_now_add=True, verbose_name="received")),
                ("reconciled_at", models.DateTimeField(blank=True, null=True, verbose_name="reconciled")),
                (
                    "adjustment",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stripe_refund",
                        to="caseflow_wagtail.adjustment",
                        verbose_name="adjustment",
                    ),
                ),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stripe_refunds",
                        to="caseflow_wagtail.invoicepage",
                        verbose_name="invoice",
                    ),
                ),
                (
                    "payment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stripe_refunds",
                        to="caseflow_wagtail.payment",
                        verbose_name="payment",
                    ),
                ),
                (
                    "reconciled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reconciled by",
                    ),
                ),
            ],
            options={
                "verbose_name": "Stripe refund",
                "verbose_name_plural": "Stripe refunds",
                "ordering": ["-refunded_at"],
            },
        ),
        migrations.CreateModel(
            name="SyncRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_at", models.DateTimeField(auto_now_add=True, verbose_name="started")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
                ("since", models.DateTimeField(blank=True, null=True, verbose_name="events since")),
                ("report", models.JSONField(default=dict, verbose_name="report")),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="wagtailcore.site",
                        verbose_name="site",
                    ),
                ),
            ],
            options={
                "verbose_name": "Stripe sync",
                "verbose_name_plural": "Stripe syncs",
                "ordering": ["-started_at"],
            },
        ),
        migrations.CreateModel(
            name="WebhookRefusal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("count", models.PositiveIntegerField(default=0, verbose_name="refused deliveries")),
                ("last_at", models.DateTimeField(verbose_name="last refused")),
                ("last_reason", models.CharField(blank=True, max_length=255, verbose_name="last reason")),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="wagtailcore.site",
                        verbose_name="site",
                    ),
                ),
            ],
            options={
                "verbose_name": "refused webhook delivery",
                "verbose_name_plural": "refused webhook deliveries",
                "ordering": ["-day"],
            },
        ),
        migrations.AddConstraint(
            model_name="webhookrefusal",
            constraint=models.UniqueConstraint(fields=("site", "day"), name="caseflow_unique_refusal_day"),
        ),
    ]
