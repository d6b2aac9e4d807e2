"""The use cases: API routes, the CLI and the webhook endpoint call these and nothing else.

Each module is one family of use cases; functions take the database (or a session), the Temporal client and
settings they need, and raise services.errors exceptions, which api/errors.py maps to HTTP in one place.
"""
