"""`python -m worker`: run the workers until SIGINT/SIGTERM, then drain and stop."""

from __future__ import annotations

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor

from activities import ActivityDependencies
from core.logs import configure_logging
from core.settings import get_settings
from core.stripe_client import make_stripe_client
from core.temporal import connect, metrics_runtime
from notifications.relay import OutboxRelay, RelayConfig
from shop_webhooks.relay import ShopEventRelay, ShopRelayConfig
from store.db import Database, wait_for_database
from worker.build import build_workers

log = logging.getLogger("worker")


async def main() -> None:
    """Connect to everything (retrying), run the workers, shut down cleanly on a signal."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    relay_config = RelayConfig.from_settings(settings)  # a bad SMTP_URL or MAIL_FROM fails here, at start
    shop_relay_config = ShopRelayConfig.from_settings(settings)
    database = Database(settings.database_url)
    await asyncio.to_thread(wait_for_database, database.engine)
    runtime = metrics_runtime(settings.worker_metrics_address) if settings.worker_metrics_address else None
    client = await connect(settings, runtime=runtime)
    deps = ActivityDependencies(settings=settings, database=database, stripe=make_stripe_client(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=16, thread_name_prefix="activity") as executor:
        workers = build_workers(client, settings, deps, executor)
        log.info(
            "worker running",
            extra={"task_queues": [w.task_queue for w in workers], "temporal": settings.temporal_address},
        )
        runs = [asyncio.create_task(w.run()) for w in workers]
        # Customer emails: the relay finishes the email in flight and hands the rest back when `stop` is set.
        relay = asyncio.create_task(OutboxRelay(database, relay_config).run(stop), name="outbox-relay")
        # Events to the shop: the same, over HTTP, signed.
        shop_relay = asyncio.create_task(ShopEventRelay(database, shop_relay_config).run(stop), name="shop-relay")
        await stop.wait()
        log.info("worker stopping: finishing in-flight tasks")
        await asyncio.gather(*(w.shutdown() for w in workers))
        await asyncio.gather(*runs, relay, shop_relay, return_exceptions=True)
    database.dispose()


if __name__ == "__main__":
    asyncio.run(main())
