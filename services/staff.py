"""Staff use cases: who holds a token (the API's authentication), and adding, listing and revoking staff records."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from domain.roles import Actor, Role
from services.errors import InvalidInput, use_case
from services.passwords import check_strength, hash_password
from store.console_sessions import close_sessions_of
from store.db import Database
from store.staff import (
    DEV_TOKENS,
    SERVICE_ITSELF,
    create_staff,
    ensure_dev_tokens,
    find_by_token,
    find_staff,
    recent_changes,
    revoke,
    set_password,
    staff_records,
)
from store.tables import Person, StaffEvent, StaffMember

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
def add_staff(
    database: Database, name: str, roles: list[Role], email: str | None, by: str, password: str | None = None
) -> tuple[StaffMember, str]:
    """A staff record of the person with this email; answers it and its token, shown once and never stored in clear.

    With a password the person can sign in to the console as this record.
    """
    if email is None and _PEOPLE_ROLES.intersection(roles):
        # Without an email one person could hold a support and an approver record and approve their own refunds.
        raise InvalidInput(
            "Give the person's email (--email): separation of duties is checked per person, across their staff records."
        )
    if password is not None:
        check_strength(password)
    hashed = hash_password(password) if password is not None else None

    def create(session: Session) -> tuple[StaffMember, str]:
        member, token = create_staff(session, name, roles, email, by)
        if hashed is not None:
            set_password(session, member, hashed, by)
        return member, token

    return database.transact(create)


@use_case
def set_staff_password(database: Database, name_or_id: str, password: str, by: str) -> StaffMember:
    """Give a staff record a new console password (audited); its open console sessions end."""
    check_strength(password)
    hashed = hash_password(password)

    def change(session: Session) -> StaffMember:
        member = find_staff(session, name_or_id)
        set_password(session, member, hashed, by)
        close_sessions_of(session, member.staff_id)
        return member

    return database.transact(change)


def staff_changes(database: Database, limit: int = 100) -> list[tuple[StaffEvent, StaffMember]]:
    """The audit of staff changes, newest first."""
    with database.session() as session:
        return list(recent_changes(session, limit))


def dev_password(name: str) -> str:
    """The known console password of a dev-* record on the embedded stack."""
    return f"{name}-password"


def dev_email(name: str) -> str:
    """The email of the person behind a dev-* record."""
    return f"{name}@dev.local"


def ensure_dev_staff(session: Session) -> None:
    """The dev-* records (store.staff.ensure_dev_tokens), each person with a dev email and a known console password."""
    ensure_dev_tokens(session)
    for name, roles in DEV_TOKENS.items():
        if not _PEOPLE_ROLES.intersection(roles):
            continue  # the shop integration signs in with its token only
        member = find_staff(session, name)
        person = session.get(Person, member.person_id)
        if person is not None and person.email is None:
            person.email = dev_email(name)
            session.add(person)
        if member.password_hash is None:
            set_password(session, member, hash_password(dev_password(name)), SERVICE_ITSELF)


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
        changed = revoke(session, member, by, reason)
        close_sessions_of(session, member.staff_id)
        return member, changed

    return database.transact(change)
