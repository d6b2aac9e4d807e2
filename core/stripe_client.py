"""The Stripe client: real Stripe by default, the emulator when STRIPE_API_BASE is set."""

from __future__ import annotations

import stripe
from stripe._requestor_options import BaseAddresses  # not re-exported by the package

from core.settings import Settings


def make_stripe_client(settings: Settings, *, max_network_retries: int = 0) -> stripe.StripeClient:
    """A client whose only difference between real Stripe and the emulator is the base address."""
    base: BaseAddresses | None = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
    return stripe.StripeClient(
        settings.stripe_api_key.get_secret_value(),
        base_addresses=base,
        # Temporal's retry policy owns retries of our writes; the SDK's own retries would hide attempts.
        max_network_retries=max_network_retries,
        # One client for sync activities and async API calls; a call never hangs longer than a Stripe activity may run.
        http_client=stripe.HTTPXClient(timeout=20, allow_sync_methods=True),
    )
