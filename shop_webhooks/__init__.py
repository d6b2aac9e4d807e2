"""Outgoing events to the shop: the relay that delivers them signed, and the local receiver of the embedded stack."""
