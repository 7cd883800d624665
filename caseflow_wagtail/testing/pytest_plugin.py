"""pytest fixtures for sites that use caseflow-wagtail.

Enable them with ``pytest_plugins = ["caseflow_wagtail.testing.pytest_plugin"]`` in a root conftest.py.

Set ``STRIPE_EMULATOR_URL`` to use an emulator that is already running instead of starting one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from .receiver import WebhookReceiver
from .stripe_emulator import EmulatorClient, StripeEmulator


@pytest.fixture(scope="session")
def stripe_emulator_server() -> Iterator[EmulatorClient]:
    """One emulator for the whole test session (in a thread, on a free loopback port)."""
    external = os.environ.get("STRIPE_EMULATOR_URL")
    if external:
        yield EmulatorClient(external)
        return
    # Balance transactions (fees) arrive when a test calls ``settle()``, never by the clock; deliveries go to
    # servers on this machine, which Stripe itself would refuse as endpoints.
    emulator = StripeEmulator(webhook_time_scale=1 / 36000, settle_delay=None, allow_local_webhooks=True)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def stripe_emulator(stripe_emulator_server: EmulatorClient) -> Iterator[EmulatorClient]:
    """The session's emulator, emptied before each test so tests never see each other's objects."""
    stripe_emulator_server.reset()
    stripe_emulator_server.configure(webhook_time_scale=1 / 36000, capture_mode="async", settle_delay=None)
    yield stripe_emulator_server


@pytest.fixture
def stripe_client(stripe_emulator: EmulatorClient) -> Any:
    """A ``stripe.StripeClient`` talking to the emulator with its test key."""
    return stripe_emulator.stripe_client()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A loopback HTTP server recording webhook deliveries (answers 200 unless told otherwise)."""
    with WebhookReceiver() as receiver:
        yield receiver
