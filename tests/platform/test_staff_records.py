"""Staff records belong to people; dev tokens die with the dev stack; every staff change is in the staff trail."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from platform_support import api_settings, bearer
from pydantic import ValidationError
from test_staff_cli import refunds

from api.app import create_app
from core.settings import Settings
from domain.roles import Role
from services.errors import InvalidInput
from services.staff import add_staff, authenticate
from store.db import Database
from store.staff import changes_of, find_staff


async def _status(settings: Settings, token: str) -> int:
    """What the API built with `settings` answers `token` on a read every role may make."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as api:
            return (await api.get("/customers/nobody", headers=bearer(token))).status_code


async def test_dev_tokens_stop_working_when_the_api_starts_without_them(tmp_path: Path) -> None:
    settings = api_settings(f"sqlite:///{tmp_path / 'refunds.db'}", tmp_path)
    assert await _status(settings, "dev-admin-1") == 404  # known token, unknown customer

    assert await _status(settings.model_copy(update={"dev_tokens": False}), "dev-admin-1") == 401

    database = Database(settings.database_url)
    try:
        with database.session() as session:
            trail = changes_of(session, find_staff(session, "dev-admin-1").staff_id)
            assert [change.kind for change in trail] == ["dev_token_created", "password_set", "dev_token_disabled"]
            assert trail[-1].note == "DEV_TOKENS is off"
    finally:
        database.dispose()
    # Turning dev tokens back on (a dev stack again) switches them on again, also recorded.
    assert await _status(settings, "dev-admin-1") == 404


@pytest.mark.parametrize(
    "changes",
    [{"api_host": "0.0.0.0"}, {"database_url": "postgresql+psycopg://u:p@db.internal:5432/refunds"}],
    ids=["api-on-all-interfaces", "remote-database"],
)
def test_dev_tokens_are_refused_outside_a_local_stack(changes: dict) -> None:
    with pytest.raises(ValidationError, match="DEV_TOKENS=true is only allowed when API_HOST is a loopback"):
        Settings(_env_file=None, dev_tokens=True, **changes)
    assert not Settings(_env_file=None, dev_tokens=False, **changes).dev_tokens


def test_records_with_one_email_are_one_person(database: Database, unique) -> None:
    email = f"{unique('bob')}@example.com"
    support, support_token = add_staff(database, unique("bob"), [Role.SUPPORT], email, "cli:ops")
    approver, approver_token = add_staff(database, unique("bob-approver"), [Role.APPROVER], email.upper(), "cli:ops")
    other, _ = add_staff(database, unique("carol"), [Role.APPROVER], f"{unique('carol')}@example.com", "cli:ops")

    assert support.person_id == approver.person_id != other.person_id
    bob_support, bob_approver = authenticate(database, support_token), authenticate(database, approver_token)
    assert bob_support is not None and bob_approver is not None
    assert bob_support.actor_id != bob_approver.actor_id and bob_support.person == bob_approver.person


def test_a_person_record_needs_an_email_but_an_integration_does_not(database: Database, unique) -> None:
    with pytest.raises(InvalidInput, match="Give the person's email"):
        add_staff(database, unique("dave"), [Role.SUPPORT, Role.SHOP], None, "cli:ops")
    shop, _ = add_staff(database, unique("shop"), [Role.SHOP], None, "cli:ops")
    assert shop.person_id.startswith("per_")


def test_staff_list_and_revoke_are_audited(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    added = refunds(
        "staff", "add", "--name", "sam", "--role", "support", "--email", "sam@example.com", database_url=url
    )
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()

    listed = refunds("staff", "list", database_url=url)
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith("sam "))
    assert "sam@example.com" in line and "support" in line and "active" in line and token[:8] in line

    revoked = refunds("staff", "revoke", "sam", "--reason", "left the team", database_url=url)
    assert revoked.returncode == 0, revoked.stderr
    assert "Revoked sam" in revoked.stdout
    assert "revoked" in next(
        line for line in refunds("staff", "list", database_url=url).stdout.splitlines() if "sam" in line
    )
    again = refunds("staff", "revoke", "sam", "--reason", "again", database_url=url)
    assert again.returncode == 0 and "already revoked" in again.stdout
    unknown = refunds("staff", "revoke", "nobody", "--reason", "x", database_url=url)
    assert unknown.returncode == 1 and "no staff member is named or numbered 'nobody'" in unknown.stderr

    database = Database(url)
    try:
        assert authenticate(database, token) is None
        with database.session() as session:
            trail = changes_of(session, find_staff(session, "sam").staff_id)
            assert [(c.kind, c.note) for c in trail] == [("created", None), ("revoked", "left the team")]
            assert all(c.by.startswith("cli:") for c in trail)
    finally:
        database.dispose()
