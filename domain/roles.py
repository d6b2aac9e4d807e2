"""Staff roles and what each may do."""

from enum import StrEnum


class Role(StrEnum):
    """A staff member's role; a token carries one or more."""

    SUPPORT = "support"
    APPROVER = "approver"
    FINANCE = "finance"
    ADMIN = "admin"
    SHOP = "shop"
