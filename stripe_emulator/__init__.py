"""A local Stripe emulator for refund and dispute tests: `python -m stripe_emulator --port 12111`."""

__version__ = "1.0.0"
