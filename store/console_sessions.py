"""Console sessions: the cookie's random id is looked up by its SHA-256 hash, like API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, delete, select

from store.staff import hash_token
from store.tables import ConsoleSession, Person, StaffMember


def open_session(session: Session, member: StaffMember, now: datetime, expires_at: datetime) -> tuple[str, str]:
    """A new console session of this staff record; answers the cookie value (never stored) and its CSRF token."""
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            session_hash=hash_token(cookie),
            staff_id=member.staff_id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
    )
    return cookie, csrf


def find_session(session: Session, cookie: str) -> tuple[ConsoleSession, StaffMember] | None:
    """The session behind a cookie value with its staff record, if any (expiry is the caller's rule)."""
    query = (
        select(ConsoleSession, StaffMember).join(StaffMember).where(ConsoleSession.session_hash == hash_token(cookie))
    )
    row = session.exec(query).first()
    return (row[0], row[1]) if row else None


def close_session(session: Session, cookie: str) -> None:
    """Delete the session behind a cookie value (signing out)."""
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.session_hash) == hash_token(cookie)))


def close_sessions_of(session: Session, staff_id: str) -> None:
    """Delete every session of a staff record (its password changed, or it was revoked)."""
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.staff_id) == staff_id))


def purge_expired(session: Session, now: datetime, idle_since: datetime) -> None:
    """Delete sessions past their absolute end or idle since before `idle_since`."""
    ended = (col(ConsoleSession.expires_at) <= now) | (col(ConsoleSession.last_seen_at) <= idle_since)
    session.exec(delete(ConsoleSession).where(ended))


def sign_in_candidates(session: Session, login: str) -> Sequence[StaffMember]:
    """Active staff records with a password that `login` names: by staff name, or every record of the email's person."""
    login = login.strip()
    query = select(StaffMember).where(col(StaffMember.active), col(StaffMember.password_hash).is_not(None))
    by_name = session.exec(query.where(StaffMember.name == login)).all()
    if by_name or "@" not in login:
        return by_name
    return session.exec(query.join(Person).where(Person.email == login.lower()).order_by(col(StaffMember.name))).all()
