"""Benchmarks: cost (Temporal billable actions, history size), speed and memory of the running service."""
