"""Chaos suite: parts started separately, faults injected into bursts of refunds, each refund checked against Stripe."""
