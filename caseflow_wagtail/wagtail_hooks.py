from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages

from . import audit
from .views import gateway, sending


@hooks.register("register_log_actions")
def register_log_actions(actions):
    audit.register_actions(actions)


@hooks.register("register_admin_urls", order=-1)
def register_gateway_urls():
    return [
        path("caseflow/payment-gateways/", include((gateway.urlpatterns, "caseflow_wagtail_gateway"))),
        path("settings/", include(gateway.settings_urlpatterns)),
    ]


@hooks.register("register_admin_viewset")
def register_billing_viewsets():
    from .viewsets import BillingViewSetGroup

    return BillingViewSetGroup()


@hooks.register("register_admin_urls")
def register_billing_admin_urls():
    from . import admin_urls

    return [path("billing/", include(admin_urls))]


# Wagtail's bulk actions are registered as classes, not as functions returning one.
hooks.register("register_bulk_action", sending.SendInvoicesBulkAction)


@hooks.register("after_copy_page")
def renumber_copied_invoice(request, page, new_page):
    from .invoices.forms import renumber_copy
    from .models import InvoicePage

    copy = new_page.specific
    if isinstance(copy, InvoicePage):
        number = renumber_copy(copy)
        messages.info(request, _("The copy is draft invoice %(number)s.") % {"number": number})


@hooks.register("construct_homepage_panels")
def add_webhook_health_panel(request, panels):
    from .views.reconciliation import add_dashboard_panel

    add_dashboard_panel(request, panels)


@hooks.register("construct_page_chooser_queryset")
def keep_invoices_out_of_page_choosers(pages, request):
    # A chosen invoice would put its private link into a link or a rich text field of a public page.
    from .policies import without_billing_pages

    return without_billing_pages(pages)


@hooks.register("construct_explorer_page_queryset")
def keep_invoices_out_of_the_explorer(parent_page, pages, request):
    from .permissions import has_billing_permission
    from .policies import without_billing_pages

    if has_billing_permission(request.user):
        return pages
    return without_billing_pages(pages)


@hooks.register("after_copy_page")
def drop_invoices_copied_with_an_ancestor(request, page, new_page):
    # Copying a section with its subpages must not duplicate invoices (same numbers, full balances, paid
    # ones included); copying one invoice on purpose still makes a new draft (renumber_copied_invoice).
    from .models import InvoicePage

    if isinstance(new_page.specific, InvoicePage):
        return
    for copied in InvoicePage.objects.descendant_of(new_page):
        copied.delete()


# After Wagtail's own registration (order 0), which it replaces.
@hooks.register("register_rich_text_features", order=100)
def register_invoice_safe_page_links(features):
    from .rich_text import InvoiceSafePageLinkHandler

    features.register_link_type(InvoiceSafePageLinkHandler)
