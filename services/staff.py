"""Staff use cases: who holds a token (the API's authentication), and adding, listing and revoking staff records."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from domain.roles import Actor, Role
from services.errors import InvalidInput, use_case
from store.db import Database
from store.staff import create_staff, find_by_token, find_staff, revoke, staff_records
from store.tables import StaffMember

# Roles people hold; a record with only these others (the shop) is an integration and needs no email.
_PEOPLE_ROLES = frozenset({Role.SUPPORT, Role.APPROVER, Role.FINANCE, Role.ADMIN})


class StaffRecord(BaseModel):
    """A staff record as `refunds staff list` shows it."""

    model_config = ConfigDict(frozen=True)

    staff_id: str
    name: str
    person_id: str
    email: str | None
    roles: tuple[str, ...]
    active: bool
    token_hint: str


def authenticate(database: Database, token: str) -> Actor | None:
    """The active staff record holding this token, as an actor; None for an unknown or revoked token."""
    with database.session(read_only=True) as session:
        member = find_by_token(session, token)
        if member is None:
            return None
        return Actor(
            actor_id=member.staff_id,
            name=member.name,
            roles=tuple(Role(r) for r in member.roles),
            person_id=member.person_id,
        )


@use_case
def add_staff(database: Database, name: str, roles: list[Role], email: str | None, by: str) -> tuple[StaffMember, str]:
    """A staff record of the person with this email; answers it and its token, shown once and never stored in clear."""
    if email is None and _PEOPLE_ROLES.intersection(roles):
        # Without an email one person could hold a support and an approver record and approve their own refunds.
        raise InvalidInput(
            "Give the person's email (--email): separation of duties is checked per person, across their staff records."
        )
    return database.transact(lambda session: create_staff(session, name, roles, email, by))


def list_staff(database: Database) -> list[StaffRecord]:
    """Every staff record with the person behind it."""
    with database.session() as session:
        return [
            StaffRecord(
                staff_id=member.staff_id,
                name=member.name,
                person_id=person.person_id,
                email=person.email,
                roles=tuple(member.roles),
                active=member.active,
                token_hint=member.token_hint,
            )
            for member, person in staff_records(session)
        ]


@use_case
def revoke_staff(database: Database, name_or_id: str, by: str, reason: str) -> tuple[StaffMember, bool]:
    """Switch a staff record's token off (audited); answers the record and whether it was still on."""

    def change(session) -> tuple[StaffMember, bool]:
        member = find_staff(session, name_or_id)
        return member, revoke(session, member, by, reason)

    return database.transact(change)
