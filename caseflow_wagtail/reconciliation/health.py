"""Webhook health: what the firm's Billing → Webhook health screen and dashboard panel show."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from wagtail.models import Site

from .. import conf
from ..models import (
    CheckoutSession,
    EventOutcome,
    StripeEvent,
    SyncRun,
    WebhookRefusal,
)
from ..payments import unapplied

logger = logging.getLogger(__name__)


# -- webhook health --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LateSession:
    session: CheckoutSession
    minutes: int


def late_sessions(site: Site) -> list[LateSession]:
    """Clients who reached the success page a while ago, with no payment recorded from Stripe since."""
    from ..models import InvoicePage

    late_after = datetime.timedelta(minutes=int(conf.get("WEBHOOK_LATE_AFTER_MINUTES")))
    now = timezone.now()
    invoices = InvoicePage.objects.descendant_of(site.root_page, inclusive=True).values("pk")
    sessions = CheckoutSession.objects.filter(
        invoice__in=invoices,
        success_page_seen_at__isnull=False,
        success_page_seen_at__lt=now - late_after,
        created_at__gt=now - datetime.timedelta(days=3),
    ).select_related("invoice")
    heard = set(
        StripeEvent.objects.filter(
            object_id__in=[session.stripe_id for session in sessions], outcome=EventOutcome.PROCESSED
        ).values_list("object_id", flat=True)
    )
    # The success page records the payment itself, so a payment is no sign that webhooks work: only an
    # event about the session is.
    return [
        LateSession(session, int((now - session.success_page_seen_at).total_seconds() // 60))
        for session in sessions
        if session.stripe_id not in heard and session.success_page_seen_at is not None
    ]


def webhook_health(site: Site, *, endpoint_status: str | None = None) -> dict[str, Any]:
    """What the health screen and the dashboard panel show for one site."""
    now = timezone.now()
    since = now - datetime.timedelta(hours=24)
    events = StripeEvent.objects.filter(site=site)
    last = events.order_by("-received_at").first()
    refusals = WebhookRefusal.objects.filter(site=site, last_at__gte=since)
    failed = events.filter(outcome=EventOutcome.FAILED).order_by("-received_at")
    return {
        "endpoint_status": endpoint_status,
        "last_event": last,
        "events_24h": events.filter(received_at__gte=since).count(),
        "signature_failures_24h": sum(row.count for row in refusals),
        "last_signature_failure": WebhookRefusal.objects.filter(site=site).order_by("-last_at").first(),
        "failed_events": list(failed[:50]),
        "failed_count": failed.count(),
        "late_sessions": late_sessions(site),
        "unapplied": list(unapplied.needing_review(site)[:50]),
        "last_sync": SyncRun.objects.filter(site=site).first(),
    }


def needs_attention(health: dict[str, Any]) -> bool:
    return bool(
        health["failed_count"]
        or health["signature_failures_24h"]
        or health["late_sessions"]
        or health["unapplied"]
        or health["endpoint_status"] in ("disabled", "missing")
    )
