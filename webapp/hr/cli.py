from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.audit.services import record
from webapp.certification.engine import State
from webapp.certification.services import local_today, verify_url_prefix
from webapp.extensions import db

from . import export, services

hr_cli = AppGroup("hr", help="HR: certification roster exports.")


@hr_cli.command("export")
@click.option("--format", "export_format", type=click.Choice(export.FORMATS), required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--department", default="")
@click.option("--post", default="", help="Post id, e.g. hotline-agent.")
@click.option("--status", type=click.Choice([state.value for state in State]), default=None)
@click.option("--issued-from", help="YYYY-MM-DD")
@click.option("--issued-to", help="YYYY-MM-DD")
@click.option("--expires-from", help="YYYY-MM-DD")
@click.option("--expires-to", help="YYYY-MM-DD")
def export_command(export_format: str, output: Path, **filter_values):
    """Export the certification roster (streamed; set HOTLINE_PUBLIC_BASE_URL for absolute verify URLs)."""
    for name in ("issued_from", "issued_to", "expires_from", "expires_to"):
        if filter_values[name] and services.parse_date(filter_values[name]) is None:
            raise click.BadParameter("use YYYY-MM-DD", param_hint=f"--{name.replace('_', '-')}")
    filters = services.RosterFilters.from_args(filter_values)
    record("roster.export", "roster", {"format": export_format, "filters": filters.as_args(), "via": "cli"})
    db.session.commit()
    export.write_export(services.export_rows(filters, local_today(), verify_url_prefix()), export_format, output)
    click.echo(f"wrote {output}")
