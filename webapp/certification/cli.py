import click
from flask.cli import AppGroup

from webapp.accounts.services import find_user

from . import services

certification_cli = AppGroup("certification", help="Post certification: issue earned certificates.")


@certification_cli.command("issue")
@click.option("--employee-no", help="Only this trainee (default: every trainee with an assigned post).")
def issue_command(employee_no: str | None):
    """Evaluate assigned trainees and issue every certificate earned but not yet issued."""
    if employee_no:
        user = find_user(employee_no)
        if user is None:
            raise click.BadParameter(f"no user {employee_no}", param_hint="--employee-no")
        user_ids = [user.id]
    else:
        user_ids = None
    issued = services.issue_all_due(user_ids)
    for certificate in issued:
        click.echo(f"issued {certificate.number} {certificate.user.employee_no} {certificate.post_id}")
    click.echo(f"{len(issued)} certificate(s) issued")
