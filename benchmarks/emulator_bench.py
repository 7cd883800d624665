"""Start-up time and throughput of the Stripe emulator on this machine.

Run from the repository root:

    python benchmarks/emulator_bench.py [--seconds 3] [--threads 8]

Not a test: it prints figures to compare between machines and changes.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from caseflow_wagtail.testing import StripeEmulator  # noqa: E402


def startup_in_process(runs: int = 20) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        emulator = StripeEmulator(allow_local_webhooks=True).start()
        connection = http.client.HTTPConnection(urlsplit(emulator.base_url).netloc)
        connection.request("GET", "/_emulator/health")
        connection.getresponse().read()
        timings.append(time.perf_counter() - started)
        connection.close()
        emulator.stop()
    return timings


def startup_command_line(runs: int = 5) -> list[float]:
    timings = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "caseflow_wagtail.testing.stripe_emulator",
                "--port",
                "0",
                "--allow-local-webhooks",
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        proc.stdout.readline()
        timings.append(time.perf_counter() - started)
        proc.terminate()
        proc.wait()
    return timings


def throughput(
    emulator: StripeEmulator, method: str, path: str, body: str, seconds: float, threads: int
) -> float:
    """Requests per second with ``threads`` keep-alive clients hammering one endpoint."""
    netloc = urlsplit(emulator.base_url).netloc
    headers = {
        "Authorization": f"Bearer {emulator.secret_key}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(netloc)
        while time.perf_counter() < stop:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path} → {response.status}")
            counts[index] += 1
        connection.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def stripe_client_rate(emulator: StripeEmulator, seconds: float) -> float:
    """Sequential calls through stripe-python, the way the plugin makes them."""
    client = emulator.stripe_client()
    customer = client.v1.customers.create()
    done, stop = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < stop:
        client.v1.customers.retrieve(customer.id)
        done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each throughput run")
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients")
    args = parser.parse_args()

    in_process = startup_in_process()
    command_line = startup_command_line()
    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} CPUs")
    print(
        f"start-up, in process (start → first response): median {statistics.median(in_process) * 1000:.1f} ms"
    )
    print(
        "start-up, command line (exec → URL printed):      "
        f"median {statistics.median(command_line) * 1000:.0f} ms"
    )

    with StripeEmulator(allow_local_webhooks=True) as emulator:
        client = emulator.stripe_client()
        customer = client.v1.customers.create(params={"email": "bench@example.com"})
        for _ in range(50):
            client.v1.customers.create()
        session_body = urlencode(
            {
                "mode": "payment",
                "success_url": "https://firm.example/ok",
                "line_items[0][price_data][currency]": "usd",
                "line_items[0][price_data][unit_amount]": "12500",
                "line_items[0][price_data][product_data][name]": "Invoice",
                "line_items[0][quantity]": "1",
            }
        )
        runs = [
            ("GET /v1/customers/{id}", "GET", f"/v1/customers/{customer.id}", ""),
            ("GET /v1/customers?limit=10", "GET", "/v1/customers?limit=10", ""),
            ("POST /v1/customers", "POST", "/v1/customers", "email=a%40example.com&metadata[k]=v"),
            ("POST /v1/checkout/sessions", "POST", "/v1/checkout/sessions", session_body),
        ]
        for label, method, path, body in runs:
            rate = throughput(emulator, method, path, body, args.seconds, args.threads)
            print(f"{label:<32} {rate:8.0f} req/s  ({args.threads} keep-alive clients)")
        print(
            f"{'stripe-python retrieve':<32} {stripe_client_rate(emulator, args.seconds):8.0f} req/s  (1 client)"
        )


if __name__ == "__main__":
    main()
