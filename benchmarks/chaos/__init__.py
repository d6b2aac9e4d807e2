"""Chaos suite: the parts started separately, faults injected into bursts of refunds, every refund checked against Stripe."""
