"""``flask content validate|import|export|stats`` over every registered content kind."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from . import services
from .problems import ContentProblems, Problem
from .registry import load_content

content_cli = AppGroup("content", help="Validate, import, export and count course and quiz content.")

paths_argument = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
root_option = click.option(
    "--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="Content root holding courses/ and quizzes/ (default: CONTENT_ROOT, the repository).",
)


def _content_root(root: Path | None, paths: tuple[Path, ...]) -> Path:
    root = (root or services.default_root()).resolve()
    for path in paths:
        if path.resolve() != root and root not in path.resolve().parents:
            raise click.BadParameter(f"{path} is not inside the content root {root}", param_hint="PATH")
    return root


def _exit_with(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{len(problems)} problem(s) found.", err=True)
    raise SystemExit(1)


def _echo_counts(counts: dict[str, dict[str, int]]) -> None:
    for kind, outcome in counts.items():
        click.echo(f"{kind}: " + ", ".join(f"{count} {name}" for name, count in outcome.items()))


@content_cli.command("validate")
@root_option
@paths_argument
def validate_command(root: Path | None, paths: tuple[Path, ...]) -> None:
    """Check content files (all, or those under PATHS); print every problem as path:line: message."""
    loaded = load_content(_content_root(root, paths), paths)
    if loaded.problems:
        _exit_with(loaded.problems)
    click.echo(loaded.summary())


@content_cli.command("import")
@root_option
@paths_argument
def import_command(root: Path | None, paths: tuple[Path, ...]) -> None:
    """Import content (all, or that under PATHS) in one transaction; unchanged files change nothing."""
    try:
        _echo_counts(services.import_content(_content_root(root, paths), paths))
    except ContentProblems as error:
        _exit_with(error.problems)


@content_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(directory: Path) -> None:
    """Write the imported content as files under DIRECTORY (importing them again changes nothing)."""
    for kind, count in services.export_content(directory).items():
        click.echo(f"{kind}: {count} files")


@content_cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats_command(as_json: bool) -> None:
    """Counts of the imported content, per kind."""
    stats = services.content_stats()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, sort_keys=True))
        return
    _echo_counts(stats)


def load_demo_content() -> None:
    """``flask demo load`` step: on first start, the shipped content root through the same
    all-or-nothing import. Afterwards the database is the source of truth (trainers edit in the
    browser), so the shipped files never overwrite it; ``flask content import`` still does."""
    if services.has_content():
        click.echo("content: already in the database, the shipped files are not imported again")
        return
    try:
        _echo_counts(services.import_content(services.default_root()))
    except ContentProblems as error:
        raise click.ClickException("the content has problems:\n" + "\n".join(map(str, error.problems))) from None
