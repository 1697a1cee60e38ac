"""Gettext catalogs: one for the shell (webapp/*.py, webapp/templates) and one per domain package.

Each domain keeps its strings in ``webapp/<domain>/translations`` so that people working on
different domains never edit the same catalog. Msgids are English; Chinese (translations/zh) is the translated
catalog (and the default interface language).

    flask i18n update    extract every catalog's strings and merge them into its messages.po
    flask i18n compile   compile every messages.po to messages.mo
    flask i18n check     list msgids without a zh_CN translation (exit 1 if any)
"""
import sys
from dataclasses import dataclass
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

WEBAPP = Path(__file__).resolve().parent
# Babel names Chinese (China) "zh_Hans_CN"; gettext finds a catalog filed under the bare
# language "zh" for it, so the catalogs live in translations/zh/.
LOCALE = "zh"
KEYWORDS = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


@dataclass(frozen=True)
class Domain:
    """A source folder and the catalog its strings go to."""

    source: Path
    method_map: tuple[tuple[str, str], ...]

    @property
    def po_path(self) -> Path:
        return self.source / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"


def domains() -> list[Domain]:
    shell = Domain(WEBAPP, (("*.py", "python"), ("templates/**.html", "jinja2")))
    packages = sorted(path.parent for path in WEBAPP.glob("*/__init__.py"))
    return [shell] + [Domain(path, (("**.py", "python"), ("templates/**.html", "jinja2"))) for path in packages]


def domain_name(domain: Domain) -> str:
    return "shell" if domain.source == WEBAPP else domain.source.name


def extract(domain: Domain) -> Catalog:
    template = Catalog(locale=None, project="hotline-academy")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(domain.source), list(domain.method_map), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=LOCALE)


def untranslated(domain: Domain) -> list[str]:
    """Msgids used in the code that the zh_CN catalog lacks, leaves empty or marks fuzzy."""
    wanted = [message.id for message in extract(domain) if message.id]
    if not wanted:
        return []
    if not domain.po_path.exists():
        return [str(message_id) for message_id in wanted]
    catalog = read_catalog(domain.po_path)
    missing = []
    for message_id in wanted:
        message = catalog.get(message_id)
        strings = message.string if message and isinstance(message.string, tuple) else (message.string if message else "",)
        if message is None or message.fuzzy or not all(strings):
            missing.append(str(message_id))
    return missing


i18n_cli = AppGroup("i18n", help="Extract, compile and check the interface translations.")


@i18n_cli.command("update")
@click.argument("names", nargs=-1)
def update_command(names):
    """Extract and merge; NAMES limits it to some domain packages (e.g. quizzes), "shell" = webapp/."""
    for domain in domains():
        if names and domain_name(domain) not in names:
            continue
        template = extract(domain)
        if not len(template) and not domain.po_path.exists():
            continue
        catalog = read_catalog(domain.po_path) if domain.po_path.exists() else Catalog(locale=LOCALE)
        catalog.update(template, no_fuzzy_matching=True)
        domain.po_path.parent.mkdir(parents=True, exist_ok=True)
        with domain.po_path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)
        click.echo(f"{domain.po_path.relative_to(WEBAPP.parent)}: {len(catalog)} messages")


@i18n_cli.command("compile")
def compile_command():
    compile_catalogs()


def compile_catalogs() -> None:
    for domain in domains():
        if domain.po_path.exists():
            with domain.po_path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, read_catalog(domain.po_path))


@i18n_cli.command("check")
def check_command():
    problems = [(domain, untranslated(domain)) for domain in domains()]
    for domain, missing in problems:
        for message_id in missing:
            click.echo(f"{domain.po_path.relative_to(WEBAPP.parent)}: untranslated: {message_id}")
    if any(missing for _domain, missing in problems):
        sys.exit(1)
