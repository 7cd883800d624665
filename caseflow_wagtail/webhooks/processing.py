"""Processing a verified Stripe event: store it once, dispatch it to its handler, keep the outcome.

A signed event whose processing fails rolls back everything it did and is stored as failed with the reason
(Billing → Webhook health shows it, with Retry processing). The answer is an ``Outcome``; only the webhook
view turns it into HTTP, so the sync and the admin's Retry read it directly.
"""

from __future__ import annotations

import enum
import logging
from datetime import UTC, datetime

from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Site

from ..models import PaymentGatewaySettings, PaymentSource, StripeEvent
from ..models.events import EventOutcome
from ..stripe_api import StripeFailure, StripeRequestRejected
from .registry import EventContext, dispatch

logger = logging.getLogger(__name__)

DONE = (EventOutcome.PROCESSED, EventOutcome.IGNORED)


class Outcome(enum.StrEnum):
    PROCESSED = EventOutcome.PROCESSED.value
    IGNORED = EventOutcome.IGNORED.value
    # Failed the same way it would every time: acknowledged, stored as failed for staff.
    FAILED = EventOutcome.FAILED.value
    DUPLICATE = "duplicate"  # already processed: nothing done again
    RETRY = "retry"  # failed in a way that may pass by itself (stored as failed): Stripe should send it again


def transient(error: Exception) -> bool:
    """Whether the same event may well succeed later without anyone changing anything."""
    if isinstance(error, DataError):
        return False  # the values themselves cannot be stored
    if isinstance(error, DatabaseError):
        return True  # connection lost, database locked or full
    return isinstance(error, StripeFailure) and not isinstance(error, StripeRequestRejected)


def process_event(
    site: Site, gateway: PaymentGatewaySettings, event: dict, *, source: str = PaymentSource.WEBHOOK
) -> Outcome:
    """Store and dispatch one verified event, from a webhook delivery, the sync or the admin's Retry.

    ``source`` is what a payment recorded from it is labelled with (the sync passes ``PaymentSource.SYNC``).
    """
    for _attempt in range(3):
        try:
            return _process_once(site, gateway, event, source)
        except IntegrityError:
            continue  # a concurrent delivery stored it first; look again, now that it has committed
        except Exception as error:
            logger.exception("Processing Stripe event %s (%s) failed", event["id"], event["type"])
            _record_failure(site, event, error)
            # Stripe's retries would fail the same way unless the cause may pass by itself: acknowledged
            # then, and kept for staff to see.
            return Outcome.RETRY if transient(error) else Outcome.FAILED
    return Outcome.RETRY  # concurrent deliveries kept colliding


def _process_once(site: Site, gateway: PaymentGatewaySettings, event: dict, source: str) -> Outcome:
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().filter(stripe_id=event["id"]).first()
        if row is not None and row.outcome in DONE:
            # Counted in the database, not from the row read: two deliveries at once both count.
            StripeEvent.objects.filter(pk=row.pk).update(deliveries=F("deliveries") + 1)
            return Outcome.DUPLICATE
        if row is None:
            row = StripeEvent.objects.create(**_fields(site, event))
        else:
            row.deliveries = F("deliveries") + 1
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
                    source=source,
                )
            )
        row.outcome = EventOutcome.PROCESSED if result is not None else EventOutcome.IGNORED
        row.processed_at = timezone.now()
        row.error = ""
        row.save(update_fields=["outcome", "processed_at", "error", "deliveries"])
        return Outcome(row.outcome)


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
                row.deliveries = F("deliveries") + 1
                if row.outcome in DONE:
                    # A redelivery that failed (a busy database, say) changes nothing that was done.
                    row.save(update_fields=["deliveries"])
                    return
            row.outcome = EventOutcome.FAILED
            row.error = message
            row.save(update_fields=["outcome", "error", "deliveries"])
    except Exception:
        # The database itself may be what failed; Stripe's retry will bring the event back.
        logger.exception("Could not record the failure of Stripe event %s", event["id"])
