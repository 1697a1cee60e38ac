import re
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.audit.services import record
from webapp.certification.engine import State
from webapp.certification.services import VERIFY_PATH, local_today, verify_url_prefix
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
@click.option("--base-url", help="Public address of the academy, e.g. https://academy.example.cn "
              "(default: HOTLINE_PUBLIC_BASE_URL). Needed for absolute verify_url values.")
@click.option("--relative-urls", is_flag=True,
              help="Without a base URL, write verify_url as /verify/<code> paths instead of refusing.")
def export_command(export_format: str, output: Path, base_url: str | None, relative_urls: bool, **filter_values):
    """Export the certification roster (streamed).

    verify_url needs the academy's public address: --base-url, else HOTLINE_PUBLIC_BASE_URL. With
    neither, the command refuses, unless --relative-urls asks for /verify/<code> paths.
    """
    for name in ("issued_from", "issued_to", "expires_from", "expires_to"):
        if filter_values[name] and services.parse_date(filter_values[name]) is None:
            raise click.BadParameter("use YYYY-MM-DD", param_hint=f"--{name.replace('_', '-')}")
    prefix = _verify_prefix(base_url, relative_urls)
    filters = services.RosterFilters.from_args(filter_values)
    record("roster.export", "roster", {"format": export_format, "filters": filters.as_args(), "via": "cli"})
    db.session.commit()
    export.write_export(services.export_rows(filters, local_today(), prefix), export_format, output)
    click.echo(f"wrote {output} (verify_url: {prefix}<code>)")


def _verify_prefix(base_url: str | None, relative_urls: bool) -> str:
    if base_url:
        if not re.match(r"^https?://[^/\s]+", base_url):
            raise click.BadParameter("use an absolute http(s) address, e.g. https://academy.example.cn",
                                     param_hint="--base-url")
        return base_url.rstrip("/") + VERIFY_PATH
    prefix = verify_url_prefix()
    if prefix == VERIFY_PATH and not relative_urls:
        raise click.UsageError("verify_url needs the academy's public address: pass --base-url "
                               "https://… or set HOTLINE_PUBLIC_BASE_URL (or --relative-urls for /verify/<code> paths)")
    return prefix
