"""The webhook endpoint: verify the raw body, hand the event to ``processing``, answer in HTTP.

What is not a well-formed Stripe event is refused with a 4xx and leaves nothing. Of a processed event's
outcomes, only ``RETRY`` (a failure that may pass by itself: the database or Stripe unreachable) answers
500, so Stripe delivers the event again; everything else, a failure kept for staff included, is
acknowledged with 200, since Stripe's retries for days would change nothing.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST
from wagtail.models import Site

from ..models import PaymentGatewaySettings, WebhookRefusal
from ..stripe_api import WebhookSignatureInvalid, verify_webhook
from .processing import Outcome, process_event

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # Stripe's events are far smaller; anything larger is not from Stripe.
SIGNATURE_TOLERANCE = 300


def _refuse(status: int, reason: str) -> HttpResponse:
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


@sensitive_variables("secrets")
@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = get_object_or_404(Site, pk=site_pk)
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _refuse(400, "Malformed Content-Length.")
    if length < 0:
        return _refuse(400, "Malformed Content-Length.")
    if length > MAX_BODY_BYTES:
        return _refuse(413, "Payload too large.")
    payload = request.body
    if len(payload) > MAX_BODY_BYTES:
        return _refuse(413, "Payload too large.")
    gateway = PaymentGatewaySettings.for_site(site)
    secrets = gateway.get_webhook_secrets()
    if not secrets:
        return _refuse(400, "Webhook signing secret not configured for this site.")
    try:
        event = verify_webhook(
            payload, request.headers.get("Stripe-Signature", ""), secrets, SIGNATURE_TOLERANCE
        )
    except WebhookSignatureInvalid as failure:
        logger.warning("Refused a webhook delivery for site %s: %s", site.pk, failure)
        _count_refusal(site, str(failure))
        return _refuse(400, str(failure))
    except (ValueError, UnicodeDecodeError):
        return _refuse(400, "Malformed event body.")
    problem = envelope_problem(event)
    if problem:
        return _refuse(400, f"Malformed event: {problem}.")
    outcome = process_event(site, gateway, event)
    if outcome is Outcome.RETRY:
        return _refuse(500, "Processing failed; Stripe will retry.")
    return JsonResponse({"received": True, "outcome": outcome.value})


def envelope_problem(event: dict) -> str:
    """What makes this not a Stripe event envelope (empty when it is one): the fields every event has."""
    if not isinstance(event.get("id"), str) or not event["id"]:
        return "no id"
    if not isinstance(event.get("type"), str) or not event["type"]:
        return "no type"
    created = event.get("created")
    if created is not None and (not isinstance(created, int) or isinstance(created, bool)):
        return "created is not a timestamp"
    if "livemode" in event and not isinstance(event["livemode"], bool):
        return "livemode is not a boolean"
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "no data.object"
    return ""


def _count_refusal(site: Site, reason: str) -> None:
    """Counted for the webhook health screen; the body is never kept, it may be anyone's junk."""
    try:
        WebhookRefusal.note(site, reason)
    except Exception:
        logger.exception("Could not count a refused webhook delivery for site %s", site.pk)
