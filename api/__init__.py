"""The HTTP API for support, approvers, finance, admins and the shop integration."""
