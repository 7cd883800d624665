"""How long a client waits when Stripe hangs: Pay Now's Stripe call against one made in the background.

Run from the repository root:

    python benchmarks/stripe_hang_bench.py [--hang 60]

It starts the Stripe emulator in-process and makes every API request hang for ``--hang`` seconds, then times
one call through the plugin's Stripe client as Pay Now and the success page make it (a client is waiting:
``STRIPE_CLIENT_TIMEOUT``, one retry) and as background work makes it (``STRIPE_TIMEOUT`` per try, two
retries), with the default settings. Before the client-waiting budget, Pay Now made the background kind of
call. Not a test: the figures are for comparing machines and changes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"

import django  # noqa: E402

django.setup()

from django.test import override_settings  # noqa: E402

from caseflow_wagtail.stripe_api import StripeFailure, StripeGateway  # noqa: E402
from caseflow_wagtail.testing import StripeEmulator  # noqa: E402


def timed_call(emulator: StripeEmulator, client_waiting: bool, hang: float) -> float:
    emulator.clear_faults()
    emulator.delay_next(path="/v1/*", seconds=hang, count=10)
    started = time.monotonic()
    with contextlib.suppress(StripeFailure):
        StripeGateway(emulator.secret_key, client_waiting=client_waiting).verify_key()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hang", type=float, default=60.0, help="seconds each Stripe request hangs")
    args = parser.parse_args()
    with (
        StripeEmulator() as emulator,
        override_settings(CASEFLOW_WAGTAIL={"STRIPE_API_BASE": emulator.base_url}),
    ):
        for label, waiting in (("client waiting (Pay Now, success page)", True), ("background", False)):
            print(f"{label:40} {timed_call(emulator, waiting, args.hang):6.1f} s until the error")
        emulator.clear_faults()


if __name__ == "__main__":
    main()
