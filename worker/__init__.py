"""The Temporal worker process: refund and dispute workflows and their activities."""
