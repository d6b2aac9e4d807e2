"""Activities: every piece of I/O the workflows need, retried safely by Temporal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import stripe

from core.settings import Settings
from store.db import Database


@dataclass(frozen=True)
class ActivityDependencies:
    """The clients activities receive, built once per worker process (tests build their own)."""

    settings: Settings
    database: Database
    stripe: stripe.StripeClient


def main_queue_activities(deps: ActivityDependencies) -> list[Callable]:
    """Activities run on the workflow task queue (read model, local activities)."""
    from activities.dispute_read_model import DisputeReadModelActivities
    from activities.read_model import ReadModelActivities
    from activities.stripe_refunds import StripeRefundActivities

    read_model = ReadModelActivities(deps.database)
    disputes = DisputeReadModelActivities(deps.database)
    return [
        read_model.publish_refund,
        read_model.compute_settlement_window,
        disputes.load_dispute_context,
        disputes.publish_dispute,
        # One read per refund, as a local activity beside the final publish: the settlement check (workflows/refund.py).
        StripeRefundActivities(deps.stripe).fetch_stripe_refund,
    ]


def stripe_queue_activities(deps: ActivityDependencies) -> list[Callable]:
    """Activities that call Stripe, on their own rate-limited task queue."""
    from activities.stripe_disputes import StripeDisputeActivities
    from activities.stripe_refunds import StripeRefundActivities

    refunds = StripeRefundActivities(deps.stripe)
    disputes = StripeDisputeActivities(deps.stripe)
    return [
        refunds.create_stripe_refund,
        refunds.find_stripe_refunds,
        refunds.fetch_stripe_refund,
        disputes.submit_dispute_evidence,
        disputes.accept_dispute,
    ]
