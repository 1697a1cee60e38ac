"""Importing, exporting and counting every registered content kind, and the published history of
every content file (used by the CLI, the demo and the trainers' editor)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from flask import current_app

from webapp.extensions import db

from .models import ContentRevision
from .problems import ContentProblems
from .registry import load_content, registered_kinds
from .sources import ContentFiles, content_hash

#: Files whose text the history keeps (images are kept by their module, named by their hash).
TEXT_SUFFIXES = (".md", ".yaml")


def default_root() -> Path:
    return Path(current_app.config["CONTENT_ROOT"])


def import_content(source: ContentFiles | Path, selection: Sequence[Path | str] = (),
                   before_commit: Callable | None = None, *,
                   actor=None, message: str = "", action: str = "import", change_set_id: int | None = None,
                   checked: Mapping[str, int] | None = None) -> dict[str, dict[str, int]]:
    """Parse and check everything first (the content files, or a content root on disk); then every kind's import in one transaction, all or nothing.

    Raises ContentProblems (and writes nothing) when any file has a problem. Every file the import
    changed gets a revision (who, why). ``before_commit(counts)`` runs inside the transaction, so
    what it writes (an audit entry) commits or fails with the import. ``checked``: the head
    revision (by path) a change was checked against; another node's publish over it since makes
    the import fail with IntegrityError.
    """
    loaded = load_content(source, selection)
    if loaded.problems:
        raise ContentProblems(loaded.problems)
    try:
        counts = {
            kind.name: kind.import_items(loaded.parsed[kind.name])
            for kind in registered_kinds()
            if kind.name in loaded.parsed
        }
        record_revisions(actor=actor, message=message, action=action, change_set_id=change_set_id, checked=checked)
        if before_commit is not None:
            before_commit(counts)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


def published_files() -> dict[str, bytes]:
    """Every published content file by root-relative path, as the kinds store it."""
    files: dict[str, bytes] = {}
    for kind in registered_kinds():
        files.update(kind.published_files())
    return files


def published_with(changed: Mapping[str, str]) -> ContentFiles:
    """The published files with ``changed`` texts (drafts, a change set, a rollback) in place."""
    return ContentFiles(published_files() | {path: text.encode("utf-8") for path, text in changed.items()})


def published_text(path: str) -> str | None:
    data = published_files().get(path)
    return data.decode("utf-8") if data is not None else None


def latest_revisions() -> dict[str, ContentRevision]:
    """The newest revision of every path that has one."""
    newest = db.select(db.func.max(ContentRevision.id)).group_by(ContentRevision.path)
    return {revision.path: revision for revision in db.session.scalars(
        db.select(ContentRevision).where(ContentRevision.id.in_(newest)))}


def head_revisions(paths: Iterable[str]) -> dict[str, int]:
    """The id of the newest revision of each path that has one."""
    latest = latest_revisions()
    return {path: latest[path].id for path in paths if path in latest}


def record_revisions(*, actor=None, message: str = "", action: str = "import", change_set_id: int | None = None,
                     checked: Mapping[str, int] | None = None) -> list[ContentRevision]:
    """A revision for every text file whose published state differs from its newest revision
    (unchanged files get none, so importing the same files twice records nothing). Each follows
    the revision ``checked`` names for its path, else the newest."""
    db.session.flush()
    files = {path: data.decode("utf-8") for path, data in published_files().items() if path.endswith(TEXT_SUFFIXES)}
    latest = latest_revisions()
    states = {path: text for path, text in files.items()}
    states.update({path: None for path, revision in latest.items() if path not in files and revision.text is not None})
    added = []
    for path, text in sorted(states.items()):
        digest = content_hash(text) if text is not None else None
        if path in latest and latest[path].content_hash == digest:
            continue
        previous = (checked or {}).get(path, latest[path].id if path in latest else None)
        added.append(ContentRevision(path=path, text=text, content_hash=digest, action=action, message=message,
                                     author_id=actor.id if actor is not None else None, change_set_id=change_set_id,
                                     previous_id=previous))
    db.session.add_all(added)
    return added


def export_content(out_root: Path) -> dict[str, int]:
    """Write every published file under out_root; importing them again changes nothing."""
    written = {}
    for kind in registered_kinds():
        files = kind.published_files()
        for path, data in files.items():
            target = out_root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        written[kind.name] = len(files)
    return written


def has_content() -> bool:
    return db.session.scalar(db.select(ContentRevision.id).limit(1)) is not None or bool(published_files())


def content_stats() -> dict[str, dict]:
    return {kind.name: kind.stats() for kind in registered_kinds()}
