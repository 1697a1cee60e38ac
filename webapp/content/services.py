"""Importing, exporting and counting every registered content kind (used by the CLI and demo)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import current_app

from webapp.extensions import db

from .problems import ContentProblems
from .registry import load_content, registered_kinds


def default_root() -> Path:
    return Path(current_app.config["CONTENT_ROOT"])


def import_content(root: Path, selection: Sequence[Path] = (), before_commit=None) -> dict[str, dict[str, int]]:
    """Parse and check everything first; then every kind's import in one transaction, all or nothing.

    Raises ContentProblems (and writes nothing) when any file has a problem. ``before_commit(counts)``
    runs inside the transaction, so what it writes (an audit entry) commits or fails with the import.
    """
    loaded = load_content(root, selection)
    if loaded.problems:
        raise ContentProblems(loaded.problems)
    try:
        counts = {
            kind.name: kind.import_items(loaded.parsed[kind.name])
            for kind in registered_kinds()
            if kind.name in loaded.parsed
        }
        if before_commit is not None:
            before_commit(counts)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


def export_content(out_root: Path) -> dict[str, int]:
    return {kind.name: kind.export_items(out_root) for kind in registered_kinds()}


def content_stats() -> dict[str, dict]:
    return {kind.name: kind.stats() for kind in registered_kinds()}

