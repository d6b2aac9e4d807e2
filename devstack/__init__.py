"""The embedded stack behind `make run`: Temporal, Stripe emulator, migrations, worker and API under one supervisor."""
