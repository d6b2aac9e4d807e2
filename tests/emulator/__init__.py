"""The Stripe emulator's own test suite (drives it over HTTP with the official stripe SDK)."""
