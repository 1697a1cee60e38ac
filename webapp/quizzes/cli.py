"""``flask quizzes …``: GIFT import and closing overdue attempts."""
from __future__ import annotations

import re
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.content.frontmatter import ID_PATTERN
from webapp.content.services import default_root

from . import services
from .bank import parse_bank
from .gift import bank_header, bank_sections, convert_gift
from .kinds import BANKS_FOLDER

quizzes_cli = AppGroup("quizzes", help="Question banks and quiz attempts.")


@quizzes_cli.command("import-gift")
@click.argument("gift_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_id", required=True, help="Bank id; questions are appended to quizzes/banks/<id>.md.")
@click.option("--lesson", required=True, help="Lesson id the questions review (formats §7), e.g. complaint-handling.handling-steps.")
@click.option("--difficulty", type=click.IntRange(1, 3), default=2, show_default=True)
@click.option("--title", default=None, help="Title of a new bank (default: the bank id).")
@click.option("--module", default=None, help="Module id of a new bank.")
@click.option("--dry-run", is_flag=True, help="Print the converted questions instead of writing the bank.")
def import_gift_command(gift_file: Path, bank_id: str, lesson: str, difficulty: int, title: str | None,
                        module: str | None, dry_run: bool) -> None:
    """Convert a Moodle GIFT file into bank questions; print what could not be converted."""
    if not ID_PATTERN.fullmatch(bank_id):
        raise click.BadParameter("an id of lowercase a-z, 0-9 and '-' segments", param_hint="--bank")
    conversion = convert_gift(gift_file.read_text(encoding="utf-8-sig"), str(gift_file))
    target = default_root() / BANKS_FOLDER / f"{bank_id}.md"
    existing = target.read_text(encoding="utf-8") if target.exists() else bank_header(bank_id, title or bank_id, module)
    numbers = [int(n) for n in re.findall(rf"^## {re.escape(bank_id)}\.q(\d+)\s*$", existing, re.MULTILINE)]
    sections = bank_sections(conversion.questions, bank_id, max(numbers, default=0) + 1, lesson, difficulty)
    text = existing.rstrip("\n") + "\n\n" + sections if conversion.questions else existing
    for note in conversion.notes:
        click.echo(str(note), err=True)
    _bank, problems = parse_bank(str(target), text, bank_id)
    for problem in problems:
        click.echo(f"after conversion: {problem}", err=True)
    if dry_run:
        click.echo(sections, nl=False)
    elif conversion.questions and not problems:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    click.echo(f"{len(conversion.questions)} question(s) converted, {len(conversion.notes)} note(s)"
               + ("" if dry_run or problems else f", written to {target}"), err=True)
    if problems:
        raise SystemExit(1)


@quizzes_cli.command("close-overdue")
def close_overdue_command() -> None:
    """Grade every attempt whose deadline has passed (pages also do this when the trainee returns)."""
    click.echo(f"{services.close_overdue_attempts(services.clock())} attempt(s) graded")
