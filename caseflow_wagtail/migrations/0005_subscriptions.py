import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import caseflow_wagtail.models.subscriptions


def create_email_templates(apps, schema_editor):
    # Sites installed before subscriptions existed get the new editable emails too.
    from caseflow_wagtail.mail.defaults import DEFAULTS

    EmailTemplate = apps.get_model("caseflow_wagtail", "EmailTemplate")
    for slug, fields in DEFAULTS.items():
        if slug.startswith("subscription-"):
            EmailTemplate.objects.get_or_create(slug=slug, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("caseflow_wagtail", "0004_default_email_templates"),
        ("wagtailcore", "0094_alter_page_locale"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Subscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "description",
                    models.CharField(
                        help_text="Sent to Stripe and shown to the client: name nothing confidential (no matter names).",
                        max_length=255,
                        verbose_name="description",
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=3, max_digits=18, verbose_name="amount")),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                (
                    "interval",
                    models.CharField(
                        choices=[("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")],
                        max_length=20,
                        verbose_name="interval",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("incomplete", "Incomplete"),
                            ("incomplete_expired", "Setup expired"),
                            ("trialing", "Trialing"),
                            ("active", "Active"),
                            ("past_due", "Past due"),
                            ("unpaid", "Unpaid"),
                            ("paused", "Paused"),
                            ("canceled", "Canceled"),
                        ],
                        db_index=True,
                        default="incomplete",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "public_token",
                    models.CharField(
                        default=caseflow_wagtail.models.subscriptions.new_subscription_token,
                        editable=False,
                        max_length=64,
                        unique=True,
                    ),
                ),
                (
                    "stripe_customer_id",
                    models.CharField(blank=True, max_length=255, verbose_name="Stripe customer"),
                ),
                (
                    "stripe_product_id",
                    models.CharField(blank=True, max_length=255, verbose_name="Stripe product"),
                ),
                (
                    "stripe_price_id",
                    models.CharField(blank=True, max_length=255, verbose_name="Stripe price"),
                ),
                (
                    "stripe_subscription_id",
                    models.CharField(blank=True, max_length=255, verbose_name="Stripe subscription"),
                ),
                (
                    "stripe_checkout_session_id",
                    models.CharField(blank=True, max_length=255, verbose_name="Stripe Checkout Session"),
                ),
                ("setup_session_url", models.URLField(blank=True, max_length=2000)),
                ("setup_session_expires_at", models.DateTimeField(blank=True, null=True)),
                (
                    "current_period_end",
                    models.DateTimeField(blank=True, null=True, verbose_name="current period ends"),
                ),
                (
                    "cancel_at_period_end",
                    models.BooleanField(default=False, verbose_name="cancels at period end"),
                ),
                ("canceled_at", models.DateTimeField(blank=True, null=True, verbose_name="canceled")),
                ("card_brand", models.CharField(blank=True, max_length=30, verbose_name="card brand")),
                ("card_last4", models.CharField(blank=True, max_length=4, verbose_name="card last four")),
                ("stripe_payment_method_id", models.CharField(blank=True, max_length=255)),
                ("last_event_at", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "payment_failed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last payment failure"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="subscriptions",
                        to="caseflow_wagtail.client",
                        verbose_name="client",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="wagtailcore.site",
                        verbose_name="site",
                    ),
                ),
            ],
            options={
                "verbose_name": "subscription",
                "verbose_name_plural": "subscriptions",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="SubscriptionCycle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "stripe_invoice_id",
                    models.CharField(max_length=255, unique=True, verbose_name="Stripe invoice"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("paid", "Paid"),
                            ("failed", "Payment failed"),
                            ("action_required", "Authentication required"),
                        ],
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=3, max_digits=18, verbose_name="amount")),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("period_start", models.DateTimeField(blank=True, null=True, verbose_name="period start")),
                ("period_end", models.DateTimeField(blank=True, null=True, verbose_name="period end")),
                ("attempt_count", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                ("failure_message", models.CharField(blank=True, max_length=500, verbose_name="failure")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "invoice",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="subscription_cycle",
                        to="caseflow_wagtail.invoicepage",
                        verbose_name="invoice",
                    ),
                ),
                (
                    "subscription",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cycles",
                        to="caseflow_wagtail.subscription",
                        verbose_name="subscription",
                    ),
                ),
            ],
            options={
                "verbose_name": "subscription charge",
                "verbose_name_plural": "subscription charges",
                "ordering": ["-created_at"],
            },
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.UniqueConstraint(
                condition=models.Q(("stripe_subscription_id", ""), _negated=True),
                fields=("stripe_subscription_id",),
                name="caseflow_unique_subscription_stripe_id",
            ),
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="caseflow_subscription_amount_positive"
            ),
        ),
        migrations.RunPython(create_email_templates, migrations.RunPython.noop),
    ]
