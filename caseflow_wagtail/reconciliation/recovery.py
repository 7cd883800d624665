"""Sync from Stripe: recover what missed webhooks would have recorded.

Stripe keeps 30 days of events. A sync lists the events the plugin handles since shortly before the last
one it processed, feeds those it has not processed through the webhook's own dispatcher
(``process_event``), then asks Stripe about the open Checkout Sessions of unpaid invoices. Every ledger call
is idempotent on Stripe's ids, so a sync can run as often as wanted and records each payment or refund once.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import asdict, dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import stripe_client
from ..exceptions import CaseflowError
from ..models import (
    Adjustment,
    CheckoutSession,
    CheckoutStatus,
    InvoicePage,
    Payment,
    PaymentGatewaySettings,
    PaymentSource,
    StripeEvent,
    StripeRefund,
    SyncRun,
)
from ..payments import fees, fulfilment
from ..stripe_api import API_VERSION, StripeGateway
from ..webhooks.processing import DONE, Outcome, process_event
from ..webhooks.registry import SUBSCRIBED_EVENTS, handlers_for

logger = logging.getLogger(__name__)

# Stripe keeps events for 30 days; ask for a little less so the boundary never moves under a long sync.
RETENTION = datetime.timedelta(days=30) - datetime.timedelta(hours=1)
# Deliveries arrive out of order and are retried for days: look back this far before the last event
# processed, so an event that failed while later ones succeeded is found too. Processed ones are skipped.
OVERLAP = datetime.timedelta(days=3)


@dataclass
class SyncReport:
    site_id: int
    since: str = ""
    events_listed: int = 0
    events_already_processed: int = 0
    events_processed: int = 0
    events_ignored: int = 0
    events_failed: int = 0
    events_skipped: int = 0
    skipped: list[str] = field(default_factory=list)
    sessions_checked: int = 0
    payments_recorded: int = 0
    refunds_noted: int = 0
    adjustments_recorded: int = 0
    fees_noted: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        lines = [
            _("Stripe events since %(since)s: %(listed)s listed, %(already)s already processed.")
            % {"since": self.since, "listed": self.events_listed, "already": self.events_already_processed},
            _("Missed events processed now: %(processed)s (%(ignored)s needed nothing), %(failed)s failed.")
            % {
                "processed": self.events_processed,
                "ignored": self.events_ignored,
                "failed": self.events_failed,
            },
            _("Events skipped: %(count)s.") % {"count": self.events_skipped},
            *self.skipped,
            _("Open Checkout Sessions checked: %(count)s.") % {"count": self.sessions_checked},
            _("Stripe fees filled in: %(count)s.") % {"count": self.fees_noted},
            _("Recorded: %(payments)s payments, %(refunds)s Stripe refunds, %(adjustments)s adjustments.")
            % {
                "payments": self.payments_recorded,
                "refunds": self.refunds_noted,
                "adjustments": self.adjustments_recorded,
            },
        ]
        return lines + self.errors

    @property
    def ok(self) -> bool:
        return not self.errors and not self.events_failed


def handled_types() -> list[str]:
    return [event_type for event_type in SUBSCRIBED_EVENTS if handlers_for(event_type)]


def site_invoices(site: Site):
    return InvoicePage.objects.descendant_of(site.root_page, inclusive=True)


def _since(site: Site) -> datetime.datetime:
    floor = timezone.now() - RETENTION
    last = (
        StripeEvent.objects.filter(site=site, outcome__in=DONE, created__isnull=False)
        .order_by("-created")
        .values_list("created", flat=True)
        .first()
    )
    return max(floor, last - OVERLAP) if last else floor


def _counts(site: Site) -> tuple[int, int, int]:
    invoices = site_invoices(site).values("pk")
    return (
        Payment.objects.filter(invoice__in=invoices).count(),
        StripeRefund.objects.filter(invoice__in=invoices).count(),
        Adjustment.objects.filter(invoice__in=invoices).count(),
    )


def sync(site: Site) -> SyncReport:
    """Run one sync for ``site`` and keep its report (also returned)."""
    run = SyncRun.objects.create(site=site)
    report = SyncReport(site_id=site.pk)
    before = _counts(site)
    try:
        gateway = PaymentGatewaySettings.for_site(site)
        stripe = stripe_client.for_site(gateway)
        since = _since(site)
        report.since = since.isoformat(timespec="seconds")
        run.since = since
        _replay_events(site, gateway, stripe, since, report)
        _check_sessions(site, stripe, report)
        # Asynchronous capture: a fee whose charge.updated never came (or came before its payment).
        report.fees_noted, errors = fees.fill_missing(site, stripe, timezone.now() - RETENTION)
        report.errors.extend(errors)
    except CaseflowError as error:
        # Stripe unreachable or not configured: say so; the next run starts from the same place.
        report.errors.append(str(error))
    after = _counts(site)
    report.payments_recorded, report.refunds_noted, report.adjustments_recorded = (
        after[0] - before[0],
        after[1] - before[1],
        after[2] - before[2],
    )
    run.finished_at = timezone.now()
    run.report = report.as_dict()
    run.error = "\n".join(report.errors)
    run.save()
    return report


def _replay_events(site, gateway, stripe: StripeGateway, since, report: SyncReport) -> None:
    events = stripe.events_since(int(since.timestamp()), handled_types())
    report.events_listed = len(events)
    done = set(
        StripeEvent.objects.filter(
            stripe_id__in=[event["id"] for event in events], outcome__in=DONE
        ).values_list("stripe_id", flat=True)
    )
    for event in events:  # oldest first, as they happened
        if event["id"] in done:
            report.events_already_processed += 1
            continue
        pinned = _at_pinned_version(stripe, event, report)
        if pinned is None:
            continue
        outcome = process_event(site, gateway, pinned, source=PaymentSource.SYNC)
        if outcome is Outcome.DUPLICATE:  # a webhook delivered it while we were listing
            report.events_already_processed += 1
        elif outcome is Outcome.IGNORED:
            report.events_ignored += 1
        elif outcome in (Outcome.FAILED, Outcome.RETRY):
            report.events_failed += 1
        else:
            report.events_processed += 1


def _at_pinned_version(stripe: StripeGateway, event: dict, report: SyncReport) -> dict | None:
    """The event with ``data.object`` in the shape the handlers read, or None (skipped, reason kept).

    Stripe renders a listed event's object at the API version the account had when the event was created,
    not at the version the plugin pins (webhook deliveries come at the endpoint's pinned version). An older
    shape names things elsewhere (before 2025-03-31 an invoice had ``subscription`` and ``payment_intent`` at
    the top, a subscription its period dates), so the object is fetched again at the pinned version. It is
    then the object as it is now, which the handlers accept: each one records a payment or refund once.
    """
    if event.get("api_version") in (None, "", API_VERSION):
        return event
    obj = event["data"]["object"]
    current = stripe.retrieve_object(obj.get("object", ""), obj.get("id", ""))
    if current is None:
        report.events_skipped += 1
        report.skipped.append(
            _("%(event)s (%(type)s): its %(object)s %(id)s no longer exists in Stripe.")
            % {"event": event["id"], "type": event["type"], "object": obj.get("object"), "id": obj.get("id")}
        )
        return None
    # previous_attributes stay in the old shape, so they are dropped rather than misread.
    return {**event, "data": {"object": current}}


def _check_sessions(site: Site, stripe: StripeGateway, report: SyncReport) -> None:
    """A Checkout Session left open on an unpaid invoice may have been paid without any event arriving."""
    sessions = CheckoutSession.objects.filter(
        status=CheckoutStatus.OPEN,
        invoice__in=site_invoices(site).filter(Q(balance__gt=0)).values("pk"),
        created_at__gte=timezone.now() - RETENTION,
    ).order_by("created_at")
    for session in sessions:
        report.sessions_checked += 1
        try:
            fulfilment.confirm_checkout_session(stripe, session.stripe_id, site, PaymentSource.SYNC)
        except CaseflowError as error:
            report.errors.append(
                _("Checkout Session %(id)s: %(error)s") % {"id": session.stripe_id, "error": error}
            )


def configured_sites(site_id: int | None = None):
    sites = Site.objects.all().order_by("pk")
    if site_id is not None:
        sites = sites.filter(pk=site_id)
    for site in sites:
        if PaymentGatewaySettings.for_site(site).get_secret_key():
            yield site


def sync_sites(site_id: int | None = None) -> list[SyncReport]:
    return [sync(site) for site in configured_sites(site_id)]
