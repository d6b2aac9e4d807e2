"""Render time of the console's list pages over a read model holding 10,000 refunds.

    .venv/bin/python -m benchmarks.console_lists [--refunds 10000] [--rounds 30]

Fills a fresh SQLite read model (temp dir) with customers, orders and refunds in mixed statuses, reasons and
currencies (written through the store's tables, as the workflows' read-model activity leaves them), starts the
real app in-process (its lifespan creates the dev users), signs in as dev-admin-1 through the sign-in form, then
asks for each list page `--rounds` times and reports p50 and p95 of the whole answer (routing, session check,
queries, template). Target (issue 12): p95 under 200 ms on this machine. Not a timed test: figures vary per machine.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx

from api.app import create_app
from core.settings import Settings
from domain.refunds import RefundReason, RefundStatus
from store.db import Database
from store.migrate import upgrade
from store.refund_tables import Refund
from store.tables import Customer, Order
from store.types import utcnow

PAGES = {
    "my work (admin: every queue)": "/console/",
    "refunds, first page": "/console/refunds",
    "refunds, page 200": "/console/refunds?page=200",
    "refunds, status filter": "/console/refunds?status=awaiting_approval",
    "refunds, reason + currency": "/console/refunds?reason=wrong_plan&currency=usd",
    "refunds, search by email": "/console/refunds?q=customer-17@example.com",
    "settlements": "/console/settlements",
    "settlements, failed": "/console/settlements?state=failed",
}


def fill(database: Database, count: int) -> None:
    """`count` refunds on as many orders of count/5 customers."""
    rng = random.Random(12)
    now = utcnow()
    statuses = list(RefundStatus)
    with database.session() as session:
        customers = max(1, count // 5)
        session.add_all(
            Customer(customer_id=f"customer-{i}", email=f"customer-{i}@example.com") for i in range(customers)
        )
        session.flush()
        orders: list[Order] = []
        rows: list[Refund] = []
        for i in range(count):
            customer = i % customers
            currency = rng.choice(["eur", "usd", "gbp"])
            paid = now - timedelta(days=rng.randint(0, 60), minutes=i)
            order_id = f"order-{i}"
            orders.append(
                Order(
                    order_id=order_id,
                    customer_id=f"customer-{customer}",
                    customer_email=f"customer-{customer}@example.com",
                    plan_months=rng.choice([1, 3, 6, 12]),
                    amount_minor=rng.choice([1999, 4999, 11988]),
                    currency=currency,
                    payment_intent_id=f"pi_bench_{i}",
                    paid_at=paid,
                )
            )
            status = rng.choice(statuses)
            succeeded = status in (RefundStatus.SETTLING, RefundStatus.SETTLED, RefundStatus.FAILED)
            day = (paid + timedelta(days=rng.randint(3, 12))).date()
            rows.append(
                Refund(
                    refund_id=f"rf_bench_{i:06d}",
                    workflow_id=f"refund-rf_bench_{i:06d}",
                    order_id=order_id,
                    customer_id=f"customer-{customer}",
                    reason=rng.choice(list(RefundReason)).value,
                    status=status.value,
                    amount_minor=rng.choice([1999, 4999, 11988]),
                    currency=currency,
                    requested_by_id="stf_bench",
                    requested_by_name="bench",
                    requested_at=paid + timedelta(hours=1),
                    customer_contacted_at=paid + timedelta(hours=1),
                    request_fingerprint=uuid.uuid4().hex,
                    escalated=rng.random() < 0.1,
                    needs_attention=rng.random() < 0.02,
                    expected_from=day if succeeded else None,
                    expected_by=day + timedelta(days=5) if succeeded else None,
                    failure_reason="expired_or_canceled_card" if status is RefundStatus.FAILED else None,
                )
            )
        # Orders first: the refunds' foreign key names them (the session orders inserts by relationships only).
        session.add_all(orders)
        session.flush()
        session.add_all(rows)
        session.commit()


async def measure(settings: Settings, rounds: int) -> dict[str, list[float]]:
    """Each page's render times in milliseconds, signed in as an admin (who sees every queue)."""
    app = create_app(settings)
    timings: dict[str, list[float]] = {name: [] for name in PAGES}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://console.bench") as client:
            form = await client.get("/console/sign-in")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token
            data = {"login": "dev-admin-1", "password": "dev-admin-1-password", "csrf_token": token.group(1)}
            assert (await client.post("/console/sign-in", data=data)).status_code == 303
            for _ in range(rounds):
                for name, path in PAGES.items():
                    started = time.perf_counter()
                    answer = await client.get(path)
                    timings[name].append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, (path, answer.status_code)
    return timings


def main() -> None:
    """Fill, measure, report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--refunds", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        url = f"sqlite:///{Path(var) / 'refunds.db'}"
        settings = Settings(_env_file=None, var_dir=Path(var), database_url=url, dev_tokens=True, log_level="WARNING")
        database = Database(url)
        upgrade(database)
        started = time.perf_counter()
        fill(database, args.refunds)
        database.dispose()
        print(f"filled {args.refunds} refunds in {time.perf_counter() - started:.1f} s")
        timings = asyncio.run(measure(settings, args.rounds))
    print(f"{'page':<32}{'p50 ms':>10}{'p95 ms':>10}")
    for name, values in timings.items():
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"{name:<32}{statistics.median(values):>10.1f}{p95:>10.1f}")


if __name__ == "__main__":
    main()
