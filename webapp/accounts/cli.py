import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.access import Role
from webapp.accounts import importer, rules, services
from webapp.extensions import db

users_cli = AppGroup("users", help="Create accounts, import HR rosters, issue first passwords.")


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
    except (services.AccountError, rules.Refused) as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {employee_no} ({role})")


@users_cli.command("import")
@click.argument("roster", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(roster: Path):
    """Import ROSTER.csv (UTF-8, UTF-8 with BOM or GB18030; Chinese or English headers).

    All-or-nothing: one bad row and nothing is imported. Re-importing updates, never duplicates;
    columns the file lacks and empty cells keep their values. New accounts get no password: issue
    first passwords with `flask users issue-passwords`.
    """
    result = importer.import_roster(roster.read_bytes(),
                                    progress=lambda phase, percent: click.echo(f"{percent:3d}% {phase}", err=True))
    if result.problems:
        for problem in result.problems:
            click.echo(f"{roster}: {problem}", err=True)
        click.echo(f"nothing imported: {len(result.problems)} problem(s)", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged")
    if result.created:
        click.echo("new accounts have no password yet: flask users issue-passwords [--department …]")


@users_cli.command("issue-passwords")
@click.option("--department", default="", help="Only accounts of this department.")
@click.option("--limit", default=1000, show_default=True, help="At most this many accounts (about 0.1 s each).")
def issue_passwords_command(department: str, limit: int):
    """Print first temporary passwords (tab-separated) for accounts that have none yet.

    Shown once: each person must choose their own password at first sign-in.
    """
    issued = services.issue_first_passwords(department or None, actor=None, limit=limit)
    db.session.commit()
    for user, password in issued:
        click.echo(f"{user.employee_no}\t{user.name}\t{user.department}\t{password}")
    click.echo(f"{len(issued)} password(s) issued", err=True)
