"""The read model: tables, sessions and migrations."""
