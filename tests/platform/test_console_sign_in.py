"""Console sign-in over the real app: passwords, sessions and their expiry, CSRF, throttling, the CLI's passwords."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from platform_support import api_settings
from test_staff_cli import refunds

from api.app import create_app
from core.settings import REPO_ROOT, Settings
from domain.roles import Role
from services.errors import InvalidInput
from services.staff import add_staff, set_staff_password
from store.db import Database
from store.staff import changes_of, find_staff

PASSWORD = "correct horse battery"


def csrf_of(page: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def sign_in(console: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    """Open the form and submit it, as a browser does."""
    form = await console.get("/console/sign-in")
    data = {"login": login, "password": password, "csrf_token": csrf_of(form.text), "next": "/console/"}
    return await console.post("/console/sign-in", data=data)


async def serve_console(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app in-process; the client keeps cookies like a browser."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The API's settings on the backend under test."""
    return api_settings(database_url, tmp_path)


@pytest.fixture
async def console(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of the console."""
    async for client in serve_console(settings):
        yield client


async def test_a_person_signs_in_with_email_and_password_and_signs_out(
    console: httpx.AsyncClient, database: Database, unique
) -> None:
    email = f"{unique('ada')}@example.com"
    add_staff(database, unique("ada"), [Role.SUPPORT], email, "cli:test", password=PASSWORD)

    assert (await console.get("/console/")).headers["location"] == "/console/sign-in?next=/console/"
    signed = await sign_in(console, email.upper(), PASSWORD)
    assert signed.status_code == 303 and signed.headers["location"] == "/console/"
    cookie = next(c for c in signed.headers.get_list("set-cookie") if c.startswith("refunds_console="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # PUBLIC_API_URL is http here
    work = await console.get("/console/")
    assert work.status_code == 200 and "My work" in work.text and "Awaiting troubleshooting" in work.text

    out = await console.post("/console/sign-out", data={"csrf_token": csrf_of(work.text)})
    assert out.status_code == 303
    assert (await console.get("/console/")).status_code == 303


async def test_wrong_passwords_are_refused_in_words_and_throttled(
    console: httpx.AsyncClient, database: Database, unique
) -> None:
    email = f"{unique('eve')}@example.com"
    add_staff(database, unique("eve"), [Role.APPROVER], email, "cli:test", password=PASSWORD)
    for _ in range(10):
        refused = await sign_in(console, email, "not the password")
        assert refused.status_code == 401
        assert "do not match an active staff member" in refused.text
    throttled = await sign_in(console, email, PASSWORD)
    assert throttled.status_code == 429 and "Too many failed sign-ins" in throttled.text
    assert int(throttled.headers["retry-after"]) > 0


async def test_one_email_with_several_records_signs_in_by_staff_name(
    console: httpx.AsyncClient, database: Database, unique
) -> None:
    email = f"{unique('bob')}@example.com"
    support = unique("bob-support")
    add_staff(database, support, [Role.SUPPORT], email, "cli:test", password=PASSWORD)
    add_staff(database, unique("bob-approver"), [Role.APPROVER], email, "cli:test", password=PASSWORD)

    asked = await sign_in(console, email, PASSWORD)
    assert asked.status_code == 409 and "type the staff name" in asked.text
    assert (await sign_in(console, support, PASSWORD)).status_code == 303
    assert support in (await console.get("/console/")).text


async def test_posts_without_the_session_token_are_refused(console: httpx.AsyncClient, database: Database, unique):
    email = f"{unique('mal')}@example.com"
    add_staff(database, unique("mal"), [Role.SUPPORT], email, "cli:test", password=PASSWORD)
    form = await console.get("/console/sign-in")
    forged = await console.post("/console/sign-in", data={"login": email, "password": PASSWORD, "csrf_token": "x"})
    assert forged.status_code == 403 and "security token" in forged.text
    assert "refunds_console=" not in " ".join(forged.headers.get_list("set-cookie"))
    data = {"login": email, "password": PASSWORD, "csrf_token": csrf_of(form.text)}
    assert (await console.post("/console/sign-in", data=data)).status_code == 303

    refused = await console.post("/console/sign-out", data={})
    assert refused.status_code == 403 and "did not carry this session" in refused.text
    assert (await console.get("/console/")).status_code == 200  # still signed in


async def test_sessions_end_when_idle_and_when_the_password_changes(
    settings: Settings, database: Database, unique
) -> None:
    email = f"{unique('ida')}@example.com"
    name = unique("ida")
    add_staff(database, name, [Role.FINANCE], email, "cli:test", password=PASSWORD)
    idle_now = settings.model_copy(update={"console_session_idle": timedelta(0)})
    async for console in serve_console(idle_now):
        assert (await sign_in(console, email, PASSWORD)).status_code == 303
        assert (await console.get("/console/")).status_code == 303  # idle for longer than zero: signed out
    async for console in serve_console(settings):
        assert (await sign_in(console, email, PASSWORD)).status_code == 303
        assert (await console.get("/console/")).status_code == 200
        set_staff_password(database, name, "another long password", "cli:test")
        assert (await console.get("/console/")).status_code == 303
        assert (await sign_in(console, email, PASSWORD)).status_code == 401
    with database.session() as session:
        kinds = [change.kind for change in changes_of(session, find_staff(session, name).staff_id)]
    assert kinds == ["created", "password_set", "password_changed"]


def test_short_passwords_are_refused(database: Database, unique) -> None:
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        add_staff(database, unique("tim"), [Role.SUPPORT], f"{unique('tim')}@example.com", "cli:test", password="short")


async def test_dev_users_sign_in_with_their_known_passwords(console: httpx.AsyncClient) -> None:
    assert (await sign_in(console, "dev-approver-1@dev.local", "dev-approver-1-password")).status_code == 303
    assert "dev-approver-1" in (await console.get("/console/")).text


def test_the_cli_sets_passwords_with_a_prompt(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    script = str(Path(sys.executable).with_name("refunds"))

    def run(*args: str, typed: str) -> subprocess.CompletedProcess:
        env = os.environ | {"DATABASE_URL": url, "COLUMNS": "300"}
        return subprocess.run(
            [script, *args], cwd=REPO_ROOT, env=env, input=typed, capture_output=True, text=True, timeout=60
        )

    added = run(
        "staff",
        "add",
        "--name",
        "pam",
        "--role",
        "support",
        "--email",
        "pam@example.com",
        "--password-prompt",
        typed=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip().startswith("rfs_") and PASSWORD not in added.stdout + added.stderr
    mismatch = run("staff", "set-password", "pam", typed="one long password\nanother long one\n" * 3)
    assert mismatch.returncode != 0
    changed = run("staff", "set-password", "pam", typed="a brand new password\na brand new password\n")
    assert changed.returncode == 0 and "Console password of pam" in changed.stdout
    weak = run("staff", "set-password", "pam", typed="short\nshort\n")
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr
    assert refunds("staff", "list", database_url=url).returncode == 0
