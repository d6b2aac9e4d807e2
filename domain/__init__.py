"""Deterministic types and pure policy shared by workflows, activities and the API."""
