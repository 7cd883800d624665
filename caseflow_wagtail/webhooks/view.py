"""The webhook endpoint: verify the raw body, store the event once, dispatch it, answer 2xx.

What is not a well-formed Stripe event is refused with a 4xx and leaves nothing. A signed event whose
processing fails rolls back everything it did and is stored as failed with the reason (Billing → Webhook
health shows it, with Retry processing). Only a failure that may pass by itself — the database or Stripe
unreachable — answers 500, so Stripe delivers the event again; one that would fail the same way every time
(wrong types, missing fields, an amount that cannot be booked) is acknowledged, since Stripe's retries for
days would change nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST
from wagtail.models import Site

from ..models import PaymentGatewaySettings, StripeEvent, WebhookRefusal
from ..models.events import EventOutcome
from ..stripe_api import StripeFailure, StripeRequestRejected, WebhookSignatureInvalid, verify_webhook
from .registry import EventContext, dispatch

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # Stripe's events are far smaller; anything larger is not from Stripe.
SIGNATURE_TOLERANCE = 300
DONE = (EventOutcome.PROCESSED, EventOutcome.IGNORED)


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
    return process_event(site, gateway, event)


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


def transient(error: Exception) -> bool:
    """Whether the same event may well succeed later without anyone changing anything."""
    if isinstance(error, DataError):
        return False  # the values themselves cannot be stored
    if isinstance(error, DatabaseError):
        return True  # connection lost, database locked or full
    return isinstance(error, StripeFailure) and not isinstance(error, StripeRequestRejected)


def _count_refusal(site: Site, reason: str) -> None:
    """Counted for the webhook health screen; the body is never kept, it may be anyone's junk."""
    try:
        WebhookRefusal.note(site, reason)
    except Exception:
        logger.exception("Could not count a refused webhook delivery for site %s", site.pk)


def process_event(site: Site, gateway: PaymentGatewaySettings, event: dict) -> HttpResponse:
    """Store and dispatch one verified event; also used to retry a failed one from the admin."""
    for _attempt in range(3):
        try:
            outcome = _process_once(site, gateway, event)
        except IntegrityError:
            continue  # a concurrent delivery stored it first; look again, now that it has committed
        except Exception as error:
            logger.exception("Processing Stripe event %s (%s) failed", event["id"], event["type"])
            _record_failure(site, event, error)
            if transient(error):
                return _refuse(500, "Processing failed; Stripe will retry.")
            # Stripe's retries would fail the same way: acknowledged, and kept for staff to see.
            return JsonResponse({"received": True, "outcome": EventOutcome.FAILED})
        return JsonResponse({"received": True, "outcome": outcome})
    return _refuse(500, "Concurrent deliveries; Stripe will retry.")


def _process_once(site: Site, gateway: PaymentGatewaySettings, event: dict) -> str:
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().filter(stripe_id=event["id"]).first()
        if row is not None and row.outcome in DONE:
            StripeEvent.objects.filter(pk=row.pk).update(deliveries=row.deliveries + 1)
            return "duplicate"
        if row is None:
            row = StripeEvent.objects.create(**_fields(site, event))
        else:
            row.deliveries += 1
        expected_live = gateway.mode == "live"
        if bool(event.get("livemode")) != expected_live:
            result = None  # the other mode's event: not this configuration's money
        else:
            result = dispatch(
                EventContext(
                    site=site,
                    event_id=event["id"],
                    type=event["type"],
                    object=(event.get("data") or {}).get("object") or {},
                    event=event,
                )
            )
        row.outcome = EventOutcome.PROCESSED if result is not None else EventOutcome.IGNORED
        row.processed_at = timezone.now()
        row.error = ""
        row.save(update_fields=["outcome", "processed_at", "error", "deliveries"])
        return row.outcome


def _fields(site: Site, event: dict) -> dict:
    obj = (event.get("data") or {}).get("object") or {}
    created = event.get("created")
    return {
        "stripe_id": event["id"],
        "type": event["type"],
        "livemode": bool(event.get("livemode")),
        "account": event.get("account") or "",
        "api_version": event.get("api_version") or "",
        "object_id": obj.get("id", "") if isinstance(obj, dict) else "",
        "site": site,
        "payload": event,
        "created": datetime.fromtimestamp(created, tz=UTC) if isinstance(created, int) else None,
    }


def _record_failure(site: Site, event: dict, error: Exception) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    try:
        with transaction.atomic():
            row, created = StripeEvent.objects.get_or_create(
                stripe_id=event["id"], defaults={**_fields(site, event), "outcome": EventOutcome.FAILED}
            )
            if not created:
                row.deliveries += 1
            row.outcome = EventOutcome.FAILED
            row.error = message
            row.save(update_fields=["outcome", "error", "deliveries"])
    except Exception:
        # The database itself may be what failed; Stripe's retry will bring the event back.
        logger.exception("Could not record the failure of Stripe event %s", event["id"])
