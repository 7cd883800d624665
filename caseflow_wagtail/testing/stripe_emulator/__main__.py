"""``python -m caseflow_wagtail.testing.stripe_emulator``: run the Stripe emulator until interrupted."""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import StripeEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m caseflow_wagtail.testing.stripe_emulator",
        description="A local Stripe for tests and demos (loopback only).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=12111, help="port (default 12111; 0 picks a free one)")
    parser.add_argument(
        "--secret-key",
        default=os.environ.get("STRIPE_EMULATOR_SECRET_KEY"),
        help="fixed sk_test_… key to print (any sk_test_ key is accepted anyway)",
    )
    parser.add_argument("--merchant-name", default=None, help="name shown on the hosted pages")
    parser.add_argument(
        "--webhook-time-scale",
        type=float,
        default=None,
        help="seconds here per second of Stripe's retry schedule (default 1/3600)",
    )
    parser.add_argument(
        "--allow-local-webhooks",
        action="store_true",
        help="accept webhook endpoints on localhost/private addresses, which Stripe refuses "
        "(default: Stripe-strict)",
    )
    parser.add_argument(
        "--capture",
        choices=("async", "sync"),
        default="async",
        help="async (Stripe's default): a charge's balance transaction (fee, net) arrives later, with "
        "charge.updated; sync: at once",
    )
    parser.add_argument(
        "--settle-delay",
        type=float,
        default=2.0,
        help="seconds until an async charge gets its balance transaction (default 2; negative: only when "
        "POST /_emulator/actions/settle is called)",
    )
    args = parser.parse_args(argv)
    try:
        emulator = StripeEmulator(
            args.host,
            args.port,
            secret_key=args.secret_key,
            merchant_name=args.merchant_name,
            webhook_time_scale=args.webhook_time_scale,
            allow_local_webhooks=args.allow_local_webhooks,
            capture_mode=args.capture,
            settle_delay=None if args.settle_delay < 0 else args.settle_delay,
        )
        emulator.start()
    except (ValueError, OSError) as exc:
        print(f"stripe emulator: {exc}", file=sys.stderr)
        return 2
    print(f"Stripe emulator listening on {emulator.base_url}", flush=True)
    print(f"  STRIPE_SECRET_KEY={emulator.secret_key}")
    print(f"  STRIPE_PUBLISHABLE_KEY={emulator.publishable_key}")
    print(f"  API base: {emulator.base_url}   control: {emulator.base_url}/_emulator/", flush=True)
    if not args.allow_local_webhooks:
        print("  Stripe-strict: webhook endpoints on local addresses are refused (--allow-local-webhooks)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
