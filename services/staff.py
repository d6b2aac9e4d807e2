"""Staff use cases: who holds a token (the API's authentication) and adding a staff member (the CLI)."""

from __future__ import annotations

from domain.roles import Actor, Role
from services.errors import use_case
from store.db import Database
from store.staff import create_staff, find_by_token
from store.tables import StaffMember


def authenticate(database: Database, token: str) -> Actor | None:
    """The active staff member holding this token, as an actor; None for an unknown or revoked token."""
    with database.session() as session:
        member = find_by_token(session, token)
        if member is None:
            return None
        return Actor(actor_id=member.staff_id, name=member.name, roles=tuple(Role(r) for r in member.roles))


@use_case
def add_staff(database: Database, name: str, roles: list[Role]) -> tuple[StaffMember, str]:
    """Create a staff member with these roles; answers it and its token, shown once and never stored in clear."""
    return database.transact(lambda session: create_staff(session, name, roles))
