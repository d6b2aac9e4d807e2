"""`refunds staff add`: creates a staff member in DATABASE_URL's database and prints a token that then works."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
from platform_support import api_settings, bearer
from sqlmodel import select

from api.app import create_app
from core.settings import REPO_ROOT
from store.db import Database
from store.tables import StaffMember


def refunds(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """Run the installed `refunds` console script."""
    script = Path(sys.executable).with_name("refunds")
    command = [str(script)] if script.exists() else [shutil.which("refunds") or "refunds"]
    return subprocess.run(
        [*command, *args],
        cwd=REPO_ROOT,
        env=os.environ | {"DATABASE_URL": database_url, "COLUMNS": "300"},  # no wrapped error boxes
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_the_printed_token_authenticates_and_only_its_hash_is_stored(
    database_url: str, unique, tmp_path, order_body, stripe_emulator
) -> None:
    name = unique("shop-integration")
    result = refunds(
        "staff",
        "add",
        "--name",
        name,
        "--role",
        "shop",
        "--role",
        "support",
        "--email",
        f"{name}@example.com",
        database_url=database_url,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("rfs_") and len(token) > 40 and "\n" not in token
    assert "shown only now and cannot be shown again" in result.stderr
    assert token not in result.stderr

    database = Database(database_url)
    try:
        with database.session() as session:
            member = session.exec(select(StaffMember).where(StaffMember.name == name)).one()
    finally:
        database.dispose()
    assert member.roles == ["shop", "support"]
    assert member.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in member.model_dump_json()

    app = create_app(api_settings(database_url, tmp_path, stripe_emulator).model_copy(update={"dev_tokens": False}))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as api:
            order_id = unique("ord")
            created = await api.post("/orders", headers=bearer(token), json=order_body(order_id, unique("cus")))
            assert created.status_code == 201, created.text
            assert (await api.get(f"/orders/{order_id}", headers=bearer(token))).status_code == 200


def test_the_token_never_lands_in_the_database_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"  # also proves the command migrates a new database first
    result = refunds("staff", "add", "--name", "ops", "--role", "admin", "--email", "ops@example.com", database_url=url)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().encode()
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("fresh.db*"))
    assert hashlib.sha256(token).hexdigest().encode() in stored
    assert token not in stored


def test_a_taken_name_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    assert refunds("staff", "add", "--name", "sam", "--role", "shop", database_url=url).returncode == 0
    again = refunds("staff", "add", "--name", "sam", "--role", "shop", database_url=url)
    assert again.returncode == 1
    assert again.stdout == ""
    assert "a staff member named 'sam' already exists" in again.stderr


def test_an_unknown_role_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    result = refunds("staff", "add", "--name", "x", "--role", "boss", database_url=f"sqlite:///{tmp_path / 'r.db'}")
    assert result.returncode == 2
    assert "'boss' is not one of 'support', 'approver', 'finance', 'admin', 'shop'" in result.stderr
    assert not (tmp_path / "r.db").exists()
