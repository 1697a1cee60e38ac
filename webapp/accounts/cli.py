import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.access import Role
from webapp.accounts import services
from webapp.extensions import db

users_cli = AppGroup("users", help="Create accounts and import HR rosters.")


@users_cli.command("create")
@click.option("--employee-no", required=True, help="Employee number (the login).")
@click.option("--name", required=True)
@click.option("--department", required=True)
@click.option("--team", default="")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.TRAINEE.value)
@click.password_option(help="Asked for when not given.")
def create_command(employee_no, name, department, team, role, password):
    """Create one account."""
    if len(password) < services.MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"use at least {services.MIN_PASSWORD_LENGTH} characters", param_hint="--password")
    try:
        services.create_user(employee_no, name, department, role, password, team)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {employee_no} ({role})")


@users_cli.command("import")
@click.argument("roster", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(roster: Path):
    """Import ROSTER.csv (UTF-8, UTF-8 with BOM or GB18030; Chinese or English headers).

    All-or-nothing: one bad row and nothing is imported. Re-importing updates, never duplicates.
    """
    result = services.import_roster(roster.read_bytes())
    if result.problems:
        for problem in result.problems:
            click.echo(f"{roster}: {problem}", err=True)
        click.echo(f"nothing imported: {len(result.problems)} problem(s)", err=True)
        sys.exit(1)
    for user, password in result.created:
        click.echo(f"created {user.employee_no}\t{user.name}\ttemporary password: {password}")
    click.echo(f"{len(result.created)} created, {result.updated} updated, {result.unchanged} unchanged")
