"""``flask quizzes …``: importing GIFT, Moodle XML and Aiken files, exporting banks, closing overdue attempts."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.content.frontmatter import ID_PATTERN

from . import services
from .exports import export_gift, export_moodle_xml
from .images import bank_images
from .imports import UnreadableFile, decode
from .importing import IMPORTERS, draft_bank

quizzes_cli = AppGroup("quizzes", help="Question banks and quiz attempts.")


def _add_import_command(name: str, convert, what: str) -> None:
    """``flask quizzes <name>``: decode a file, ``convert(text, path)`` it, append to the bank."""
    @quizzes_cli.command(name, help=f"Convert a {what} file into bank questions; list every question not "
                                    "converted, or converted with a change, at its line.")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--bank", "bank_id", required=True, help="Bank id; questions are appended to quizzes/banks/<id>.md.")
    @click.option("--lesson", required=True, help="Lesson id the questions review (formats §7), e.g. complaint-handling.handling-steps.")
    @click.option("--difficulty", type=click.IntRange(1, 3), default=2, show_default=True)
    @click.option("--title", default=None, help="Title of a new bank (default: the bank id).")
    @click.option("--module", default=None, help="Module id of a new bank.")
    @click.option("--encoding", default=None, help="The file's encoding when it is not UTF-8, GB18030 or windows-1252.")
    @click.option("--dry-run", is_flag=True, help="Print the converted questions instead of writing the bank.")
    def command(source: Path, bank_id: str, lesson: str, difficulty: int, title: str | None,
                module: str | None, encoding: str | None, dry_run: bool) -> None:
        if not ID_PATTERN.fullmatch(bank_id):
            raise click.BadParameter("an id of lowercase a-z, 0-9 and '-' segments", param_hint="--bank")
        try:
            conversion = convert(decode(source.read_bytes(), str(source), encoding), str(source))
        except UnreadableFile as error:
            raise click.ClickException(str(error)) from None
        _write_bank(conversion, bank_id, lesson, difficulty, title, module, dry_run)


def _write_bank(conversion, bank_id, lesson, difficulty, title, module, dry_run) -> None:
    draft = draft_bank(conversion, bank_id, lesson, difficulty, title, module)
    for note in conversion.notes():
        click.echo(note, err=True)
    for problem in draft.problems:
        click.echo(f"after conversion: {problem}", err=True)
    if dry_run:
        click.echo(draft.sections, nl=False)
    elif conversion.questions and not draft.problems:
        draft.write()
    refused = len(conversion.items) - len(conversion.questions)
    click.echo(f"{len(conversion.questions)} question(s) converted, {refused} not converted"
               + ("" if dry_run or draft.problems else f", written to {draft.path}"), err=True)
    if draft.problems:
        raise SystemExit(1)


_add_import_command("import-gift", IMPORTERS["gift"], "Moodle GIFT")
_add_import_command("import-moodle-xml", IMPORTERS["moodle-xml"], "Moodle XML")
_add_import_command("import-aiken", IMPORTERS["aiken"], "Aiken")


def _add_export_command(name: str, export, what: str) -> None:
    """``flask quizzes <name> BANK``: the published bank in another format; what it cannot hold is listed."""
    @quizzes_cli.command(name, help=f"Write a published bank as {what}; list every question not exported and why.")
    @click.argument("bank_id", metavar="BANK")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="File to write (default: standard output).")
    def command(bank_id: str, output: Path | None) -> None:
        loaded = services.loaded_bank(bank_id)
        if loaded is None:
            raise click.ClickException(f"no published bank {bank_id!r}: publish it first (flask content import)")
        exported = export(loaded.index.bank)
        for note in exported.notes():
            click.echo(note, err=True)
        if output is None:
            click.echo(exported.text, nl=False)
        else:
            output.write_text(exported.text, encoding="utf-8")
        count = len(loaded.index.bank.questions) - len(exported.skipped)
        click.echo(f"{count} question(s) exported, {len(exported.skipped)} not exported"
                   + (f", written to {output}" if output else ""), err=True)


_add_export_command("export-gift", export_gift, "Moodle GIFT")
_add_export_command("export-moodle-xml", lambda bank: export_moodle_xml(bank, bank_images(bank)), "Moodle XML")


@quizzes_cli.command("close-overdue")
def close_overdue_command() -> None:
    """Grade every attempt whose deadline has passed (pages also do this when the trainee returns)."""
    click.echo(f"{services.close_overdue_attempts(services.clock())} attempt(s) graded")
