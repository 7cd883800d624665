"""What a client sees: the invoice behind its token link."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from ..models import InvoicePage


def get_public_invoice(token: str) -> InvoicePage:
    """The published invoice with this token, or 404 — the same answer for a wrong, old or draft link."""
    base = InvoicePage.objects.live().filter(public_token=token).only("pk", "content_type_id").first()
    if base is None:
        raise Http404
    model = base.specific_class or InvoicePage
    return (
        model.objects.select_related("client")
        .prefetch_related("lines", "payments", "adjustments")
        .get(pk=base.pk)
    )


@require_safe
def invoice(request: HttpRequest, token: str) -> HttpResponse:
    return get_public_invoice(token).serve(request)
