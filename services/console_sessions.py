"""Console sign-in: a person's email (or a staff name) and password give a session; idle and absolute expiry."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from domain.roles import Actor, Role
from services.errors import InvalidInput, ServiceError
from services.passwords import verify_password
from store.console_sessions import close_session, find_session, open_session, purge_expired, sign_in_candidates
from store.db import Database
from store.tables import StaffMember
from store.types import utcnow

# Writing last_seen_at on every page would make each read a write; a minute's precision is plenty for a 30-min idle.
TOUCH_EVERY = timedelta(minutes=1)


class SignInRefused(ServiceError):
    """Wrong email, name or password: one sentence that does not say which."""


class SeveralStaffRecords(InvalidInput):
    """The email is one person holding several staff records with passwords: they pick one by its name."""


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in to a console session, and the session's CSRF token."""

    actor: Actor
    csrf_token: str
    email: str | None = None


def actor_of(member: StaffMember) -> Actor:
    """The actor a staff record acts as."""
    return Actor(
        actor_id=member.staff_id,
        name=member.name,
        roles=tuple(Role(r) for r in member.roles),
        person_id=member.person_id,
    )


def sign_in(database: Database, login: str, password: str, max_age: timedelta) -> tuple[str, SignedIn]:
    """Check the password of the staff record `login` names; answers a new session's cookie value and who it is."""

    def work(session) -> tuple[str, SignedIn]:
        candidates = sign_in_candidates(session, login)
        matching = [m for m in candidates if verify_password(password, m.password_hash)] if candidates else []
        if not candidates:
            verify_password(password, None)  # as slow as a real check: unknown names are not told apart
        if not matching:
            raise SignInRefused("That email or staff name and password do not match an active staff member.")
        if len(matching) > 1:
            names = ", ".join(m.name for m in matching)
            raise SeveralStaffRecords(
                f"This email has several staff records ({names}); type the staff name you want to sign in as instead.",
                code="several_staff_records",
            )
        member = matching[0]
        now = utcnow()
        cookie, csrf = open_session(session, member, now, now + max_age)
        return cookie, SignedIn(actor=actor_of(member), csrf_token=csrf)

    return database.transact(work)


def resume(database: Database, cookie: str, idle: timedelta) -> SignedIn | None:
    """The signed-in staff record behind a session cookie; None once it expired, ended, or the record was revoked."""

    def work(session) -> SignedIn | None:
        now = utcnow()
        found = find_session(session, cookie)
        if found is None:
            return None
        row, member = found
        if row.expires_at <= now or row.last_seen_at + idle <= now or not member.active:
            close_session(session, cookie)
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
            session.add(row)
            purge_expired(session, now, now - idle)
        return SignedIn(actor=actor_of(member), csrf_token=row.csrf_token)

    return database.transact(work)


def sign_out(database: Database, cookie: str) -> None:
    """End the session: its cookie no longer signs anyone in."""
    database.transact(lambda session: close_session(session, cookie))


def csrf_matches(signed_in: SignedIn, given: str | None) -> bool:
    """Whether a form's CSRF token is its session's (compared in constant time)."""
    return bool(given) and hmac.compare_digest(signed_in.csrf_token.encode(), (given or "").encode())
