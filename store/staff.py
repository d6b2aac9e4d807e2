"""Staff tokens: created once, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlmodel import Session, select

from domain.roles import Role
from store.tables import StaffMember

TOKEN_PREFIX = "rfs_"

# Fixed tokens for the embedded stack only (DEV_TOKENS=true): the name says the role.
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
    """Another staff member already has this name."""


def hash_token(token: str) -> str:
    """Tokens are 256-bit random strings, so one SHA-256 round is a safe, fast lookup key."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_staff(session: Session, name: str, roles: list[Role]) -> tuple[StaffMember, str]:
    """Create a staff member and return it with its token, which is never stored in clear."""
    if session.exec(select(StaffMember).where(StaffMember.name == name)).first():
        raise StaffNameTaken(f"a staff member named '{name}' already exists")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    member = _member(name, roles, token)
    session.add(member)
    session.flush()
    return member, token


def find_by_token(session: Session, token: str) -> StaffMember | None:
    """The active staff member holding this token, if any."""
    member = session.exec(select(StaffMember).where(StaffMember.token_sha256 == hash_token(token))).first()
    return member if member and member.active else None


def ensure_dev_tokens(session: Session) -> None:
    """Create the fixed dev-* staff members if they are missing (embedded stack only)."""
    for token, roles in DEV_TOKENS.items():
        if not session.exec(select(StaffMember).where(StaffMember.name == token)).first():
            session.add(_member(token, roles, token))


def _member(name: str, roles: list[Role], token: str) -> StaffMember:
    """A new staff row for a token."""
    return StaffMember(
        staff_id=f"stf_{uuid.uuid4().hex[:16]}",
        name=name,
        roles=sorted({Role(role).value for role in roles}),
        token_sha256=hash_token(token),
        token_hint=token[:8],
    )
