"""CLI commands on a database that was never migrated say so, instead of printing a SQL traceback.

Every command of the app's CLI (``flask users …``, ``flask content …``, …) is guarded here, in one
place: a database error is looked at once it happened (no cost for commands that work), and when
the schema's tables are missing the command ends with one line telling to run ``flask db upgrade``.
"""
from __future__ import annotations

import functools

import click
import sqlalchemy as sa

from webapp.extensions import db


def missing_tables() -> list[str]:
    """The models' tables the database lacks (all of them before the first ``flask db upgrade``)."""
    present = set(sa.inspect(db.engine).get_table_names())
    return sorted(set(db.metadata.tables) - present)


def _guarded(callback):
    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except sa.exc.DBAPIError:
            db.session.rollback()  # PostgreSQL refuses further statements in the failed transaction
            if missing := missing_tables():
                raise click.ClickException(
                    f"the database is not migrated ({len(missing)} table(s) missing, e.g. {missing[0]}): "
                    "run `flask db upgrade` first") from None
            raise
    return run


def guard_cli(group: click.Group) -> None:
    """Wrap every command under ``group`` (recursively) in the missing-schema check."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            guard_cli(command)
        elif command.callback is not None:
            command.callback = _guarded(command.callback)
