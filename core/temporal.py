"""The one place a Temporal client is made: address, namespace, TLS and the pydantic converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from core.call_signing import signing
from core.retry import async_startup_retrying
from core.settings import Settings

# Every payload crossing Temporal is a pydantic model; API, worker and tests share this converter.
DATA_CONVERTER = pydantic_data_converter


async def connect(
    settings: Settings, *, runtime: Runtime | None = None, retry: bool = True, give_up_after_s: float | None = 120.0
) -> Client:
    """Connect to Temporal with our converter, retrying while the server starts (`give_up_after_s=None`: forever)."""

    async def attempt() -> Client:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            api_key=settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None,
            tls=settings.temporal_tls_config(),
            data_converter=DATA_CONVERTER,
            runtime=runtime,
        )

    if not retry:
        return await attempt()
    async for try_ in async_startup_retrying(f"Temporal at {settings.temporal_address}", give_up_after_s):
        with try_:
            return await attempt()
    raise AssertionError("unreachable")  # pragma: no cover


def metrics_runtime(bind_address: str) -> Runtime:
    """A runtime exporting the SDK's metrics (and ours, made through its meters) for Prometheus at `bind_address`."""
    return Runtime(
        telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address, durations_as_seconds=True))
    )


def signing_calls(client: Client, settings: Settings) -> Client:
    """The client with every workflow start and update signed, as the worker requires (core.call_signing)."""
    return signing(client, settings.signing_key(), settings.signed_call_validity)
