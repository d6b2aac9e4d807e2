"""`refunds staff ...`: manage staff members directly in the database named by DATABASE_URL."""

from __future__ import annotations

from typing import Annotated

import typer

from core.logs import configure_logging
from core.settings import get_settings
from domain.roles import Role
from services.errors import Conflict
from services.staff import add_staff
from store.db import Database
from store.migrate import upgrade

app = typer.Typer(help="Staff members and their API tokens (works on the database directly).", no_args_is_help=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Option("--name", help="Unique name of the person or integration.")],
    roles: Annotated[list[Role], typer.Option("--role", help="A role to grant; repeat for several.")],
) -> None:
    """Create a staff member and print their token once."""
    name = name.strip()
    if not name:
        raise typer.BadParameter("must not be empty", param_hint="--name")
    settings = get_settings()
    # Warnings and errors only: the token is the one thing this command should print.
    configure_logging("WARNING", "text")
    database = Database(settings.database_url)
    try:
        upgrade(database)
        member, token = add_staff(database, name, roles)
    except Conflict as error:
        typer.secho(f"error: {error}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    typer.secho(
        f"Created staff member {member.name} ({member.staff_id}) with roles {', '.join(member.roles)}.\n"
        "This token is shown only now and cannot be shown again; store it safely:",
        err=True,
        fg=typer.colors.YELLOW,
    )
    typer.echo(token)
