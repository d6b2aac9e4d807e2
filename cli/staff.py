"""`refunds staff ...`: add, list and revoke staff records and set console passwords, in DATABASE_URL's database."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer

from cli.tables import emit, table
from core.logs import configure_logging
from core.settings import get_settings
from domain.roles import Role
from domain.text import first_unsafe_character
from services.errors import ServiceError
from services.staff import add_staff, list_staff, revoke_staff, set_staff_password
from store.db import Database
from store.migrate import upgrade

app = typer.Typer(help="Staff records and their API tokens (works on the database directly).", no_args_is_help=True)
T = TypeVar("T")


def _operator() -> str:
    """Who runs the command, as the staff trail records it (the CLI works on the database, without a token)."""
    return f"cli:{getpass.getuser()}"


@contextmanager
def _database() -> Iterator[Database]:
    """The migrated database of DATABASE_URL; warnings and errors only, so a token is all `add` prints."""
    settings = get_settings()
    configure_logging("WARNING", "text")
    database = Database(settings.database_url)
    try:
        upgrade(database)
        yield database
    finally:
        database.dispose()


def _run(action: Callable[[Database], T]) -> T:
    """Run a use case; a refusal is printed as one sentence and exits 1."""
    with _database() as database:
        try:
            return action(database)
        except ServiceError as error:
            typer.secho(f"error: {error.message}", err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from None


def _plain(value: str, option: str) -> str:
    """The option's text, stripped; refused when empty or holding control characters."""
    value = value.strip()
    if not value:
        raise typer.BadParameter("must not be empty", param_hint=option)
    if first_unsafe_character(value) is not None:
        raise typer.BadParameter("must not contain control characters", param_hint=option)
    return value


@app.command("add")
def add(
    name: Annotated[str, typer.Option("--name", help="Unique name of this staff record (a person or integration).")],
    roles: Annotated[list[Role], typer.Option("--role", help="A role to grant; repeat for several.")],
    email: Annotated[
        str | None,
        typer.Option(
            "--email",
            help="The person's email; records with the same email are one person (needed for all but shop).",
        ),
    ] = None,
    password_prompt: Annotated[
        bool,
        typer.Option(
            "--password-prompt",
            help="Ask for a console password (typed twice, never echoed) so the person can sign in to /console.",
        ),
    ] = False,
) -> None:
    """Create a staff record and print its token once."""
    name = _plain(name, "--name")
    email = _plain(email, "--email") if email is not None else None
    password = _ask_password() if password_prompt else None
    member, token = _run(lambda database: add_staff(database, name, roles, email, _operator(), password))
    signs_in = " They can sign in to the console with their email and this password." if password else ""
    typer.secho(
        f"Created staff member {member.name} ({member.staff_id}, person {member.person_id}) with roles "
        f"{', '.join(member.roles)}.{signs_in}\n"
        "This token is shown only now and cannot be shown again; store it safely:",
        err=True,
        fg=typer.colors.YELLOW,
    )
    typer.echo(token)


def _ask_password() -> str:
    """A console password, typed twice without echo."""
    return typer.prompt("Console password", hide_input=True, confirmation_prompt=True, err=True)


@app.command("set-password")
def set_password(
    name_or_id: Annotated[str, typer.Argument(help="The staff record's name or staff id.")],
) -> None:
    """Set (or reset) a staff record's console password; its open console sessions end."""
    password = _ask_password()
    member = _run(lambda database: set_staff_password(database, name_or_id, password, _operator()))
    emit(f"Console password of {member.name} ({member.staff_id}) changed; its console sessions were signed out.")


@app.command("list")
def list_() -> None:
    """Every staff record: its person, roles, and whether its token still works."""
    records = _run(list_staff)
    rows = [
        (
            r.name,
            r.staff_id,
            r.person_id,
            r.email,
            ", ".join(r.roles),
            "active" if r.active else "revoked",
            r.token_hint,
        )
        for r in records
    ]
    emit(table(None, ["name", "staff id", "person", "email", "roles", "token", "token starts"], rows))


@app.command("revoke")
def revoke(
    name_or_id: Annotated[str, typer.Argument(help="The staff record's name or staff id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the token is switched off (kept in the staff trail).")],
) -> None:
    """Switch a staff record's token off at once; the change is recorded with who ran it and why."""
    reason = _plain(reason, "--reason")
    member, changed = _run(lambda database: revoke_staff(database, name_or_id, _operator(), reason))
    emit(f"Revoked {member.name} ({member.staff_id})." if changed else f"{member.name} was already revoked.")
