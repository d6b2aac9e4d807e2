"""The policy's timing rules rest on what the service recorded: a contact time given earlier needs a person."""

from __future__ import annotations

from domain.instants import CLOCK_SKEW
from domain.policy.facts import RefundRequestFacts
from domain.policy.formatting import format_duration, format_instant


def unrecorded_contact(request: RefundRequestFacts) -> str | None:
    """Why a person must approve when the contact time given predates anything the service recorded; else None."""
    recorded = request.first_recorded_contact_at
    given = request.customer_contacted_at
    # CLOCK_SKEW: the agent's clock may run a little behind ours, so "now" typed by hand is not a backdated time.
    if recorded is None or given >= recorded - CLOCK_SKEW:
        return None
    return (
        f"the customer contact time given ({format_instant(given)}) is {format_duration(recorded - given)} earlier "
        f"than the first contact the service recorded ({format_instant(recorded)}); the system does not approve "
        "on a time it did not record, so a person other than the requester must check it and approve"
    )
