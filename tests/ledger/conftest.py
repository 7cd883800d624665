from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from caseflow_wagtail.signals import adjustment_recorded, payment_recorded


@dataclass(frozen=True)
class CurrencyCase:
    """An invoice of one line in a currency class, and amounts that are exact in that currency."""

    code: str
    price: str  # the single line's unit price, so the invoice total
    part: str  # a partial payment
    unit: str  # the currency's smallest unit
    too_precise: str  # one decimal place more than the currency allows

    @property
    def total(self) -> Decimal:
        return Decimal(self.price)

    def lines(self):
        return [("Legal services", "1", self.price, None)]


CASES = [
    CurrencyCase("USD", price="100.00", part="40.25", unit="0.01", too_precise="10.005"),
    CurrencyCase("JPY", price="10000", part="4025", unit="1", too_precise="10.5"),
    CurrencyCase("KWD", price="100.000", part="40.125", unit="0.001", too_precise="10.0005"),
]


@pytest.fixture(params=CASES, ids=[case.code for case in CASES])
def case(request) -> CurrencyCase:
    return request.param


@pytest.fixture
def invoice(make_invoice, case):
    return make_invoice(lines=case.lines(), currency=case.code)


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_superuser("clerk", "clerk@firm.test", "pw")


class SignalLog:
    def __init__(self):
        self.payments: list[dict] = []
        self.adjustments: list[dict] = []

    def on_payment(self, sender, **kwargs):
        self.payments.append(kwargs)

    def on_adjustment(self, sender, **kwargs):
        self.adjustments.append(kwargs)


@pytest.fixture
def signals():
    log = SignalLog()
    payment_recorded.connect(log.on_payment, weak=False)
    adjustment_recorded.connect(log.on_adjustment, weak=False)
    yield log
    payment_recorded.disconnect(log.on_payment)
    adjustment_recorded.disconnect(log.on_adjustment)
