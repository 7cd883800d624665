"""A ready "Billing" group: everything billing staff need, and nothing that rewrites or deletes the ledger.

Members see clients, invoices, amounts, payments and private links; record payments, refunds and credits;
reconcile with Stripe; manage subscriptions and edit the email templates. Page permissions on each invoices
folder (add, change, publish) let them create and issue invoices; a folder created later gets them too.
"""

from django.db import migrations

GROUP_NAME = "Billing"
MODEL_PERMISSIONS = {
    "wagtailadmin": ["access_admin"],
    "caseflow_wagtail": [
        "view_payment",
        "add_payment",
        "view_adjustment",
        "add_adjustment",
        "view_client",
        "add_client",
        "change_client",
        "view_subscription",
        "add_subscription",
        "change_subscription",
        "view_emailtemplate",
        "change_emailtemplate",
    ],
}
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def create_billing_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Model permissions are normally created after migrations; the group needs them now.
    for label in ("caseflow_wagtail", "wagtailcore"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    InvoiceIndexPage = apps.get_model("caseflow_wagtail", "InvoiceIndexPage")

    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, codenames in MODEL_PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
    page_permissions = list(
        Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=PAGE_PERMISSIONS)
    )
    for folder in InvoiceIndexPage.objects.all():
        for permission in page_permissions:
            GroupPagePermission.objects.get_or_create(group=group, page_id=folder.pk, permission=permission)


def lock_invoice_folders(apps, schema_editor):
    # A password nobody is told: the one view restriction that keeps superusers' pages API listings (and so
    # the invoices' private links) free of invoices. Folders made from now on get it when saved.
    import secrets

    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    InvoiceIndexPage = apps.get_model("caseflow_wagtail", "InvoiceIndexPage")
    for folder in InvoiceIndexPage.objects.all():
        if not PageViewRestriction.objects.filter(page_id=folder.pk, restriction_type="password").exists():
            PageViewRestriction.objects.create(
                page_id=folder.pk, restriction_type="password", password=secrets.token_urlsafe(32)
            )


def remove_billing_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("caseflow_wagtail", "0009_unapplied_payments"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0094_alter_page_locale"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_billing_group, remove_billing_group),
        migrations.RunPython(lock_invoice_folders, migrations.RunPython.noop),
    ]
