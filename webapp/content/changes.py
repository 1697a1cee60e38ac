"""Drafts, change sets and their publishing, rollback and conflicts: the editor's side of the
content framework. Validation and publishing go through the same ``load_content`` and
``import_content`` as ``flask content validate|import``, on the published files plus the drafts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.exc import IntegrityError

from webapp.audit.services import record
from webapp.clock import utcnow
from webapp.extensions import db

from .models import ContentChangeSet, ContentDraft, ContentRevision
from .problems import ContentProblems, Problem
from .registry import LoadedContent, load_content, owning_kind
from .services import head_revisions, import_content, published_files, published_with
from .sources import canonical_text, content_hash

PUBLISH_ACTION, ROLLBACK_ACTION = "content.publish", "content.rollback"
SUBMIT_ACTION, APPROVE_ACTION = "content.submit", "content.approve"
PENDING, PUBLISHED, WITHDRAWN = "pending", "published", "withdrawn"


class UnknownPath(ValueError):
    """A path that is no content kind's file."""


@dataclass
class Conflict(Exception):
    """The published file moved on since the editor opened it: ``base`` → ``current`` is what changed."""

    path: str
    base: str
    current: str | None
    current_hash: str | None


class ApprovalNeeded(Exception):
    """The author may not approve their own change set."""


def kind_name(path: str) -> str:
    kind = owning_kind(path)
    if kind is None:
        raise UnknownPath(path)
    return kind.name


def approval_required() -> bool:
    return bool(current_app.config.get("CONTENT_APPROVAL"))


# --- drafts --------------------------------------------------------------------------------------

def drafts_of(author) -> list[ContentDraft]:
    return list(db.session.scalars(db.select(ContentDraft).where(ContentDraft.author_id == author.id)
                                   .order_by(ContentDraft.path)))


def draft_of(author, path: str) -> ContentDraft | None:
    return db.session.scalar(db.select(ContentDraft).where(ContentDraft.author_id == author.id,
                                                           ContentDraft.path == path))


def text_hash(text: str | None) -> str | None:
    return content_hash(text) if text is not None else None


def check_base(path: str, base_hash: str | None, files: dict[str, bytes] | None = None) -> None:
    """Raise Conflict when the published file is no longer the one ``base_hash`` names."""
    files = published_files() if files is None else files
    current = files[path].decode("utf-8") if path in files else None
    if text_hash(current) != (base_hash or None):
        raise Conflict(path, revision_text(path, base_hash) or "", current, text_hash(current))


def save_draft(author, path: str, text: str, base_hash: str | None) -> ContentDraft:
    """Autosave or save: the author's draft of ``path`` (Conflict when based on an older version)."""
    kind_name(path)
    text = canonical_text(text.encode("utf-8"))
    check_base(path, base_hash)
    draft = draft_of(author, path)
    if draft is None:
        draft = ContentDraft(author_id=author.id, path=path)
        db.session.add(draft)
    draft.text, draft.base_hash = text, base_hash or None
    db.session.commit()
    return draft


def discard_draft(author, path: str) -> None:
    draft = draft_of(author, path)
    if draft is not None:
        db.session.delete(draft)
        db.session.commit()


# --- validation ----------------------------------------------------------------------------------

def check_files(changed: dict[str, str]) -> list[Problem]:
    """Problems of the changed files against everything published, in the words of ``flask content
    validate``: the same loader runs on the published files with these texts in place."""
    return load_content(published_with(changed), list(changed)).problems


def load_text(author, path: str, text: str) -> LoadedContent:
    """One file as the author is typing it, loaded with their other drafts in place against
    everything published: its problems and what it parsed to (the editor's preview)."""
    kind_name(path)
    changed = {draft.path: draft.text for draft in drafts_of(author)} | {path: canonical_text(text.encode("utf-8"))}
    return load_content(published_with(changed), list(changed))


def check_text(author, path: str, text: str) -> list[Problem]:
    """Problems of one file as the author is typing it (with their other drafts in place)."""
    return load_text(author, path, text).problems


# --- change sets ---------------------------------------------------------------------------------

def submit(author, paths: Iterable[str], message: str, significant: bool = False) -> ContentChangeSet:
    """Publish the author's drafts of ``paths`` as one change set, or leave it pending approval when
    the setting asks for a second trainer. Raises ContentProblems or Conflict (nothing changes)."""
    chosen = set(paths)
    drafts = [draft for draft in drafts_of(author) if draft.path in chosen]
    items = [{"path": d.path, "text": owning_kind(d.path).marked_significant(d.path, d.text, significant),
              "base_hash": d.base_hash, "draft_hash": content_hash(d.text)} for d in drafts]
    change_set = ContentChangeSet(author_id=author.id, message=message, significant=significant, items=items,
                                  state=PENDING)
    heads = _refuse_problems(items)
    db.session.add(change_set)
    if approval_required():
        db.session.flush()
        record(SUBMIT_ACTION, f"change-set:{change_set.id}", details={"paths": change_set.paths}, actor=author)
        db.session.commit()
        return change_set
    _apply(change_set, author, PUBLISH_ACTION, heads)
    return change_set


def approve(change_set: ContentChangeSet, approver) -> None:
    if change_set.author_id == approver.id:
        raise ApprovalNeeded()
    _apply(change_set, approver, APPROVE_ACTION, _refuse_problems(change_set.items))


def withdraw(change_set: ContentChangeSet, actor) -> None:
    change_set.state, change_set.decided_by_id, change_set.decided_at = WITHDRAWN, actor.id, utcnow()
    db.session.commit()


def pending_change_sets() -> list[ContentChangeSet]:
    return list(db.session.scalars(db.select(ContentChangeSet).where(ContentChangeSet.state == PENDING)
                                   .order_by(ContentChangeSet.id)))


def _refuse_problems(items: list[dict]) -> dict[str, int]:
    """Raise Conflict or ContentProblems; else the head revisions the items were checked against
    (read before the published files: a publish in between then shows as a conflict here)."""
    heads = head_revisions(item["path"] for item in items)
    _refuse_conflicts(items)
    problems = check_files({item["path"]: item["text"] for item in items}) if items else []
    if problems:
        raise ContentProblems(problems)
    return heads


def _refuse_conflicts(items: list[dict]) -> None:
    files = published_files()
    for item in items:
        check_base(item["path"], item["base_hash"], files)


def _apply(change_set: ContentChangeSet, actor, action: str, heads: dict[str, int]) -> None:
    """One import of the published files with the change set's texts in place, all or nothing;
    the author's drafts of those files go, the audit log gets the entry. Another node publishing
    over ``heads`` meanwhile makes the revisions' insert fail: that is the Conflict raised."""
    items = change_set.items
    files = published_with({item["path"]: item["text"] for item in items})
    change_set.state, change_set.decided_by_id, change_set.decided_at = PUBLISHED, actor.id, utcnow()
    db.session.flush()

    submitted = {item["path"]: item["draft_hash"] for item in change_set.items}

    def finish(counts) -> None:
        for draft in drafts_of(change_set.author):  # a draft edited on after submitting stays
            if submitted.get(draft.path) == content_hash(draft.text):
                db.session.delete(draft)
        record(action, f"change-set:{change_set.id}", actor=actor, details={
            "paths": change_set.paths, "message": change_set.message, "significant": change_set.significant,
            "counts": counts})

    try:
        import_content(files, change_set.paths, finish, actor=actor, message=change_set.message, action="publish",
                       change_set_id=change_set.id, checked=heads)
    except IntegrityError:  # rolled back; the conflict names what the other publish changed
        _refuse_conflicts(items)
        raise


# --- history ------------------------------------------------------------------------------------

def history(path: str) -> list[ContentRevision]:
    return list(db.session.scalars(db.select(ContentRevision).where(ContentRevision.path == path)
                                   .order_by(ContentRevision.id.desc())))


def revision_text(path: str, digest: str | None) -> str | None:
    if digest is None:
        return None
    revision = db.session.scalar(db.select(ContentRevision).where(
        ContentRevision.path == path, ContentRevision.content_hash == digest).order_by(ContentRevision.id.desc()))
    return revision.text if revision else None


def rollback(revision: ContentRevision, actor, message: str) -> None:
    """Publish an old revision's text as the newest version (a new revision; records keep theirs).
    Conflict when another publish of the file lands at the same time."""
    if revision.text is None:
        raise UnknownPath(revision.path)
    heads = head_revisions([revision.path])
    problems = check_files({revision.path: revision.text})
    if problems:
        raise ContentProblems(problems)

    def audit(counts) -> None:
        record(ROLLBACK_ACTION, revision.path, actor=actor, details={
            "to_revision": revision.id, "message": message, "counts": counts})

    try:
        import_content(published_with({revision.path: revision.text}), [revision.path], audit, actor=actor,
                       message=message, action="rollback", checked=heads)
    except IntegrityError:  # rolled back
        current = published_files().get(revision.path)
        current_text = current.decode("utf-8") if current is not None else None
        base = db.session.get(ContentRevision, heads[revision.path]).text if heads else ""
        raise Conflict(revision.path, base or "", current_text, text_hash(current_text)) from None
