"""A refund's two events racing on PostgreSQL: ``refund.created`` and ``charge.refunded`` (which lists the
charge's refunds through the API) delivered at the same instant still note and record the refund once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings

from caseflow_wagtail.models import Adjustment, StripeRefund
from tests.paynow.test_concurrency import Webhook, together

from .conftest import paid_payment

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="concurrent deliveries need PostgreSQL's row locks: set DATABASE_URL=postgres://… to run them",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_refund_created_and_charge_refunded_at_once_record_each_refund_once(
    firm, automatic, make_invoice, client_browser, emulator, live_server, live_site
):
    invoice = make_invoice(lines=[("Arbitration", "1", "600.00", None)])
    payment = paid_payment(client_browser, emulator, invoice)
    emulator.webhook_fault("drop", count=1000)  # the test delivers the events itself
    webhook = Webhook(live_server, live_site, firm, emulator)

    refunds = []
    for cents in (10000, 5000, 2500):
        refunds.append(emulator.refund(payment_intent=payment.stripe_payment_intent_id, amount=cents))
        bodies = [
            webhook.body(emulator.deliveries(type=kind)[-1]["event"])
            for kind in ("refund.created", "charge.refunded")
        ]
        connections = [webhook.connect() for _ in bodies]
        answers = together(*[lambda c=c, b=b: webhook.send(c, b) for c, b in zip(connections, bodies)])
        assert [a for a in answers if isinstance(a, Exception) or a[0] >= 300] == []

    assert sorted(StripeRefund.objects.values_list("stripe_id", flat=True)) == sorted(
        r["id"] for r in refunds
    )
    assert sorted(Adjustment.objects.values_list("amount", flat=True)) == [
        Decimal("25.00"),
        Decimal("50.00"),
        Decimal("100.00"),
    ]
