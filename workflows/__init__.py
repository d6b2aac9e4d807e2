"""Temporal workflows: deterministic orchestration, no I/O, no store, settings or Stripe imports."""
