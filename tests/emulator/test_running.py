"""Starting the emulator: the command line, the context manager, loopback only."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from caseflow_wagtail.testing import EmulatorClient, StripeEmulator

ROOT = Path(__file__).resolve().parents[2]


def test_command_line_prints_url_and_keys():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "caseflow_wagtail.testing.stripe_emulator",
            "--port",
            "0",
            "--secret-key",
            "sk_test_cli_fixed_key_1234",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        first = proc.stdout.readline()
        secret = proc.stdout.readline()
        publishable = proc.stdout.readline()
        assert first.startswith("Stripe emulator listening on http://127.0.0.1:")
        assert "STRIPE_SECRET_KEY=sk_test_cli_fixed_key_1234" in secret
        # The publishable key is derived from the secret but, as in Stripe, does not reveal it.
        assert "STRIPE_PUBLISHABLE_KEY=pk_test_emu_" in publishable
        assert "cli_fixed_key_1234" not in publishable
        control = EmulatorClient(first.rsplit(" ", 1)[1].strip())
        assert control.secret_key == "sk_test_cli_fixed_key_1234"
        client = control.stripe_client()
        assert client.v1.customers.create().id.startswith("cus_")
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_command_line_refuses_a_public_address():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "caseflow_wagtail.testing.stripe_emulator",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=10,
    )
    assert result.returncode == 2
    assert "only binds loopback" in result.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_context_manager_refuses_non_loopback(host):
    with pytest.raises(ValueError, match="loopback"):
        StripeEmulator(host=host)


def test_context_manager_runs_on_a_free_port_and_stops():
    with StripeEmulator(secret_key="sk_test_context_1234") as emulator:
        assert emulator.port > 0 and emulator.base_url == f"http://127.0.0.1:{emulator.port}"
        assert emulator.secret_key == "sk_test_context_1234"
        assert emulator.publishable_key.startswith("pk_test_emu_")
        assert "context_1234" not in emulator.publishable_key
        client = emulator.stripe_client()
        client.v1.customers.create()
        emulator.reset()
        assert client.v1.customers.list().data == []
    with pytest.raises(ValueError):
        StripeEmulator(secret_key="sk_live_nope")


def test_ipv6_loopback():
    try:
        emulator = StripeEmulator(host="::1").start()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        assert emulator.base_url.startswith("http://[::1]:")
        assert emulator.stripe_client().v1.customers.list().data == []
    finally:
        emulator.stop()


def test_plugin_fixture_resets_between_tests(stripe_emulator_server, request):
    # What an earlier test would leave behind, made here so this test needs no other to run first.
    leftover = stripe_emulator_server.stripe_client()
    leftover.v1.customers.create(params={"email": "leftover@example.com"})
    # The function-scoped fixture, set up as for the next test that asks for it.
    client = request.getfixturevalue("stripe_client")
    assert client.v1.customers.list(params={"email": "leftover@example.com"}).data == []


def test_open_sessions_expire_by_themselves():
    with StripeEmulator() as emulator:
        client = emulator.stripe_client()
        session = client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "success_url": "https://firm.example/ok",
                "line_items": [
                    {
                        "price_data": {"currency": "usd", "unit_amount": 500, "product_data": {"name": "x"}},
                        "quantity": 1,
                    }
                ],
            }
        )
        # Sessions live at least 30 minutes; move this one's deadline into the past instead of waiting.
        with emulator.state.lock:
            emulator.state.account(emulator.secret_key).objects[session.id]["expires_at"] = (
                int(time.time()) - 1
            )
        deadline = time.monotonic() + 5
        while not client.v1.events.list(params={"type": "checkout.session.expired"}).data:
            assert time.monotonic() < deadline, "the session did not expire"
            time.sleep(0.1)
        # The expiry came from the background sweep, not from a request touching the session.
        expired_event = client.v1.events.list(params={"type": "checkout.session.expired"}).data[0]
        assert expired_event.request.id is None
        assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"


def test_an_emulator_bug_reaches_the_client_as_stripes_500(capsys):
    import stripe

    with StripeEmulator() as emulator:

        def broken(*args: object, **kwargs: object) -> None:
            raise ZeroDivisionError("boom")

        emulator.state.api.customers_list = broken  # type: ignore[method-assign]
        with pytest.raises(stripe.APIError) as caught:
            emulator.stripe_client().v1.customers.list()
        assert caught.value.http_status == 500 and "ZeroDivisionError: boom" in str(caught.value)
        assert emulator.requests(path="/v1/customers")[-1]["error"] == "ZeroDivisionError: boom"
    assert "ZeroDivisionError" in capsys.readouterr().err
