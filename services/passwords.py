"""Console passwords: argon2id hashes (pwdlib's recommended parameters), never the password itself."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from services.errors import InvalidInput

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHash((Argon2Hasher(),))
# Checked against when no staff record matches, so an unknown name takes as long to refuse as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def check_strength(password: str) -> None:
    """Refuse a password too short to resist guessing, with the rule in a sentence."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", code="weak_password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"A password has at most {MAX_PASSWORD_LENGTH} characters.", code="weak_password")


def hash_password(password: str) -> str:
    """The argon2id hash to store."""
    return _hasher.hash(password)


def verify_password(password: str, stored: str | None) -> bool:
    """Whether the password matches the stored hash; None (no password set) never matches, in the same time."""
    if stored is None or len(password) > MAX_PASSWORD_LENGTH:
        _hasher.verify(password[:MAX_PASSWORD_LENGTH], _DUMMY_HASH)
        return False
    return _hasher.verify(password, stored)
