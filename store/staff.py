"""Staff records and the people behind them; tokens are created once, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from domain.roles import Role
from store.tables import Person, StaffEvent, StaffMember

TOKEN_PREFIX = "rfs_"
# Who switches dev tokens off at start-up.
SERVICE_ITSELF = "refund service (start-up)"

# Fixed tokens for the embedded stack only (DEV_TOKENS=true): the name says the role; each is its own person.
DEV_TOKENS: dict[str, list[Role]] = {
    "dev-support-1": [Role.SUPPORT],
    "dev-support-2": [Role.SUPPORT],
    "dev-approver-1": [Role.APPROVER],
    "dev-approver-2": [Role.APPROVER],
    "dev-finance-1": [Role.FINANCE],
    "dev-admin-1": [Role.ADMIN],
    "dev-shop-1": [Role.SHOP],
}


class StaffNameTaken(ValueError):
    """Another staff record already has this name."""


class StaffNotFound(LookupError):
    """No staff record has this name or id."""


def hash_token(token: str) -> str:
    """Tokens are 256-bit random strings, so one SHA-256 round is a safe, fast lookup key."""
    return hashlib.sha256(token.encode()).hexdigest()


_DEV_TOKEN_HASHES = frozenset(hash_token(token) for token in DEV_TOKENS)


def create_staff(session: Session, name: str, roles: list[Role], email: str | None, by: str) -> tuple[StaffMember, str]:
    """A new staff record of the person with this email (made when new) and its token, which is never stored."""
    if session.exec(select(StaffMember).where(StaffMember.name == name)).first():
        raise StaffNameTaken(f"a staff member named '{name}' already exists")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    person = _person(session, email)
    member = _member(name, roles, token, person)
    session.add(member)
    session.flush()
    record_change(session, member, "created", by, detail={"roles": member.roles, "email": email})
    return member, token


def find_by_token(session: Session, token: str) -> StaffMember | None:
    """The active staff record holding this token, if any."""
    member = session.exec(select(StaffMember).where(StaffMember.token_sha256 == hash_token(token))).first()
    return member if member and member.active else None


def staff_records(session: Session) -> Sequence[tuple[StaffMember, Person]]:
    """Every staff record with its person, oldest first."""
    query = select(StaffMember, Person).join(Person).order_by(col(StaffMember.created_at), col(StaffMember.name))
    return session.exec(query).all()


def find_staff(session: Session, name_or_id: str) -> StaffMember:
    """The staff record with this name or staff id; StaffNotFound otherwise."""
    query = select(StaffMember).where((StaffMember.name == name_or_id) | (StaffMember.staff_id == name_or_id))
    member = session.exec(query).first()
    if member is None:
        raise StaffNotFound(f"no staff member is named or numbered '{name_or_id}'")
    return member


def revoke(session: Session, member: StaffMember, by: str, reason: str) -> bool:
    """Switch a staff record's token off, recording who and why; False when it was already off."""
    if not member.active:
        return False
    member.active = False
    session.add(member)
    record_change(session, member, "revoked", by, note=reason)
    return True


def record_change(
    session: Session, member: StaffMember, kind: str, by: str, *, note: str | None = None, detail: dict | None = None
) -> None:
    """Append one change of a staff record to the staff trail."""
    session.add(StaffEvent(staff_id=member.staff_id, kind=kind, by=by, note=note, detail=detail or {}))


def changes_of(session: Session, staff_id: str) -> Sequence[StaffEvent]:
    """A staff record's changes, oldest first."""
    return session.exec(select(StaffEvent).where(StaffEvent.staff_id == staff_id).order_by(col(StaffEvent.id))).all()


def set_password(session: Session, member: StaffMember, password_hash: str, by: str) -> None:
    """Store a new console password hash for a staff record, recorded on the staff trail (never the hash itself)."""
    kind = "password_changed" if member.password_hash else "password_set"
    member.password_hash = password_hash
    session.add(member)
    record_change(session, member, kind, by)


def recent_changes(session: Session, limit: int = 100) -> Sequence[tuple[StaffEvent, StaffMember]]:
    """The latest changes to any staff record, newest first, with the record they changed."""
    query = select(StaffEvent, StaffMember).join(StaffMember).order_by(col(StaffEvent.id).desc()).limit(limit)
    return session.exec(query).all()


def ensure_dev_tokens(session: Session) -> None:
    """Create the fixed dev-* staff records when missing, and switch back on those a start without them revoked."""
    for token, roles in DEV_TOKENS.items():
        member = session.exec(select(StaffMember).where(StaffMember.name == token)).first()
        if member is None:
            member = _member(token, roles, token, _person(session, None))
            session.add(member)
            session.flush()
            record_change(session, member, "dev_token_created", SERVICE_ITSELF, detail={"roles": member.roles})
        elif not member.active:
            member.active = True
            session.add(member)
            record_change(session, member, "dev_token_enabled", SERVICE_ITSELF, note="DEV_TOKENS=true")


def disable_dev_tokens(session: Session) -> int:
    """Switch off every dev-* token (DEV_TOKENS is off): a dev stack's database must not keep well-known tokens."""
    members = session.exec(select(StaffMember).where(col(StaffMember.token_sha256).in_(_DEV_TOKEN_HASHES))).all()
    disabled = 0
    for member in members:
        if member.active:
            member.active = False
            session.add(member)
            record_change(session, member, "dev_token_disabled", SERVICE_ITSELF, note="DEV_TOKENS is off")
            disabled += 1
    return disabled


def _person(session: Session, email: str | None) -> Person:
    """The person with this email, or a new one (always new without an email: an integration)."""
    if email is not None:
        email = email.strip().lower()
        existing = session.exec(select(Person).where(Person.email == email)).first()
        if existing is not None:
            return existing
    person = Person(person_id=f"per_{uuid.uuid4().hex[:16]}", email=email)
    session.add(person)
    session.flush()
    return person


def _member(name: str, roles: list[Role], token: str, person: Person) -> StaffMember:
    """A new staff row for a token."""
    return StaffMember(
        staff_id=f"stf_{uuid.uuid4().hex[:16]}",
        person_id=person.person_id,
        name=name,
        roles=sorted({Role(role).value for role in roles}),
        token_sha256=hash_token(token),
        token_hint=token[:8],
    )
