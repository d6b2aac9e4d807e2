"""How big and how long a chaos run is: the full campaign, and the small CI version."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class ChaosOptions:
    """Every count and duration of a run; all bounded, so a run always ends."""

    label: str = "full"
    experiments: tuple[str, ...] = ()  # empty: all, in the registry's order
    burst_size: int = 40  # refunds per burst
    rate_per_s: float = 10.0  # refund requests started per second within a burst
    concurrency: int = 8  # requests in flight at once
    keyed_share: float = 0.5  # share of requests sent with an Idempotency-Key
    worker_kills: int = 4
    worker_down_s: float = 1.0
    temporal_downs_s: tuple[float, ...] = (2.5, 20.0)
    api_kills: int = 3
    api_request_kills: int = 10  # SIGKILLs 5-150 ms into a single request
    stripe_fault_repeats: int = 3  # of each Stripe fault kind
    stripe_fault_burst: int = 3  # refunds sent while one fault is armed
    latency_s: tuple[float, float] = (3.0, 25.0)  # range of the injected Stripe latency
    webhook_refunds: int = 10  # pm_card_refundFail refunds whose refund.failed arrives while Temporal is down
    refund_failure_delay_s: float = 8.0  # Stripe fails those refunds this long after creating them
    webhook_down_extra_s: float = 3.0  # Temporal stays down this long after the last refund.failed attempt
    settle_timeout_s: float = 120.0
    give_up_after_s: float = 120.0  # a client stops retrying one request after this
    time_limit_s: float = 3600.0  # whole run, start-up included
    database_url: str | None = None
    keep_var: bool = False
    seed: int = 9
    emulator_settings: dict[str, float | int] = field(
        default_factory=lambda: {
            "rate_limit": 0,
            "refund_pending_delay": 1.0,
            "dispute_delay": 0.5,
            "dispute_decision_delay": 0.5,
            # Retries spanning ~2 minutes, like Stripe's (which go on for days): longer than any Temporal outage here.
            "webhook_retry_base": 0.5,
            "webhook_max_attempts": 9,
        }
    )


FULL = ChaosOptions()

# A few dozen refunds: one worker kill, one Temporal restart, each Stripe fault kind once, the webhook case.
CI = replace(
    FULL,
    label="ci",
    burst_size=6,
    worker_kills=1,
    temporal_downs_s=(3.0,),
    api_kills=1,
    api_request_kills=2,
    stripe_fault_repeats=1,
    stripe_fault_burst=2,
    latency_s=(4.0, 4.0),
    webhook_refunds=2,
    refund_failure_delay_s=5.0,
    webhook_down_extra_s=2.0,
    settle_timeout_s=45.0,
    give_up_after_s=60.0,
    time_limit_s=420.0,
)
