"""The trainer's content room: status of the files on disk, a dry run of publishing, publishing
with an audit entry, and the preview of a lesson with the real renderer.

Everything here calls the content framework (``load_content``, ``import_content``, the kinds'
``import_items`` and ``stats``) and the courses renderer; nothing re-implements their rules.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, url_for

from webapp.audit.services import record
from webapp.content.frontmatter import split_front_matter
from webapp.content.problems import Problem
from webapp.content.registry import LoadedContent, load_content, registered_kinds
from webapp.content.services import content_stats, default_root, import_content
from webapp.courses.markdown import RenderedLesson, Resolver, raw_html_problems, render_markdown
from webapp.courses.parsing import COURSES_FOLDER, LESSON_FILE, MODULE_FILE, body_of, lesson_link_target
from webapp.courses.parsing import module_asset_path
from webapp.courses.services import CALLOUT_LABELS
from webapp.content.sources import content_hash
from webapp.extensions import db
from webapp.quizzes.imports import CONVERTED, CHANGED, NOT_CONVERTED, Imported, decode
from webapp.quizzes.importing import IMPORTERS, DraftBank, draft_bank
from webapp.quizzes.questions import Question

PUBLISH_ACTION = "content.publish"
#: The outcomes the kinds' ``import_items`` count, in the order pages show them.
OUTCOMES = ("created", "updated", "unchanged", "retired")
CHANGING_OUTCOMES = ("created", "updated", "retired")
PREVIEW_PATH = "preview.md"
IMPORT_ACTION = "quizzes.import-draft"
IMPORT_STATUSES = (CONVERTED, CHANGED, NOT_CONVERTED)
#: The bank id previewed questions are numbered under until a bank is chosen.
PREVIEW_BANK = "preview"


class ContentChangedSinceReview(Exception):
    """The files on disk are not the ones the trainer reviewed before confirming."""


# --- what publishing would do -------------------------------------------------------------------

@dataclass(frozen=True)
class KindPlan:
    """One kind's share of a publish: its own outcome counts and the ids of the rows it would touch."""

    kind: str
    files: int
    counts: dict[str, int]
    ids: dict[str, list[str]]  # "created" | "updated" | "retired" -> sorted ids
    unchanged_ids: dict[str, list[str]]  # catalog name (e.g. "courses.lesson") -> ids on disk left as they are

    @property
    def changes(self) -> int:
        return sum(self.counts.get(outcome, 0) for outcome in CHANGING_OUTCOMES)


@dataclass(frozen=True)
class ContentStatus:
    problems: list[Problem]
    plans: list[KindPlan]  # empty while there are problems: publishing is refused then
    stats: dict[str, dict]
    files: int
    fingerprint: str

    @property
    def publishable(self) -> bool:
        return not self.problems

    @property
    def pending_changes(self) -> int:
        return sum(plan.changes for plan in self.plans)


@dataclass
class _TouchedRows:
    """Content rows a kind's import inserts or modifies, by the id they carry (see ``_content_id``)."""

    outcome_by_id: dict[str, str] = field(default_factory=dict)

    def before_flush(self, session, _flush_context, _instances) -> None:
        for row in session.new:
            self._note(row, "created")
        for row in session.dirty:
            if session.is_modified(row):
                self._note(row, "retired" if _was_retired(row) else "updated")

    def _note(self, row, outcome: str) -> None:
        content_id = _content_id(row)
        if content_id is None:
            return
        earlier = self.outcome_by_id.get(content_id)
        if earlier is None or CHANGING_OUTCOMES.index(outcome) < CHANGING_OUTCOMES.index(earlier):
            self.outcome_by_id[content_id] = outcome  # a row created, then pointed at its version: created

    def ids_by_outcome(self) -> dict[str, list[str]]:
        return {outcome: sorted(i for i, found in self.outcome_by_id.items() if found == outcome)
                for outcome in CHANGING_OUTCOMES}


def _content_id(row) -> str | None:
    """The stable content id of a row: its string primary key (modules, lessons, questions, quizzes,
    posts) or its unique string column (scenarios, the norms set). Version rows have neither."""
    mapper = sa.inspect(row).mapper
    keys = mapper.primary_key
    candidates = list(keys) if len(keys) == 1 else []
    candidates += [column for column in mapper.columns if column.unique]
    for column in candidates:
        if isinstance(column.type, sa.String):
            return getattr(row, mapper.get_property_by_column(column).key)
    return None


def _was_retired(row) -> bool:
    state = sa.inspect(row)
    return "retired_at" in state.mapper.attrs and row.retired_at is not None and \
        state.attrs.retired_at.history.has_changes()


@contextmanager
def _touched_rows() -> Iterator[_TouchedRows]:
    touched, session = _TouchedRows(), db.session()
    sa.event.listen(session, "before_flush", touched.before_flush)
    try:
        yield touched
        session.flush()
    finally:
        sa.event.remove(session, "before_flush", touched.before_flush)


@contextmanager
def _throwaway_session() -> Iterator[None]:
    """Inside, ``db.session`` is a session of its own (a fresh app context) whose transaction is
    always rolled back: the caller's session and identity map never see the rehearsed rows."""
    with current_app.app_context():
        try:
            yield
        finally:
            db.session.rollback()


def plan_publish(loaded: LoadedContent) -> list[KindPlan]:
    """What ``import_content`` would do with ``loaded``: every kind's own ``import_items`` (the same
    content-hash comparisons) runs in a throwaway transaction that is rolled back."""
    plans = []
    with _throwaway_session():
        for kind in registered_kinds():
            if kind.name not in loaded.parsed:
                plans.append(KindPlan(kind.name, 0, {}, {}, {}))
                continue
            parsed = loaded.parsed[kind.name]
            with _touched_rows() as touched:
                counts = kind.import_items(parsed)
            unchanged = {name: sorted(set(ids) - touched.outcome_by_id.keys()) for name, ids in kind.ids(parsed).items()}
            plans.append(KindPlan(kind.name, loaded.files[kind.name], counts, touched.ids_by_outcome(), unchanged))
    return plans


def content_fingerprint(root: Path) -> str:
    """Digest of every file the kinds read, so a confirmation applies only to the files reviewed."""
    digest = hashlib.sha256()
    for kind in registered_kinds():
        for path in kind.discover(root):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def content_status(root: Path | None = None) -> ContentStatus:
    root = root or default_root()
    loaded = load_content(root)
    return ContentStatus(
        problems=loaded.problems,
        plans=[] if loaded.problems else plan_publish(loaded),
        stats=content_stats(),
        files=sum(loaded.files.values()),
        fingerprint=content_fingerprint(root),
    )


# --- the home panel -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ContentHealth:
    problems: int
    pending_changes: int | None  # None while problems make the plan unknowable


_health_cache: dict[tuple, ContentHealth] = {}
_health_lock = threading.Lock()


def content_health(root: Path | None = None) -> ContentHealth:
    """The status in two numbers, remembered while neither the files nor the stored counts change
    (the home page must not parse every file on each visit). The status page is always fresh."""
    root = root or default_root()
    stored = {kind.name: kind.content_stats() for kind in registered_kinds()}  # not the records: cheap
    key = (str(root), content_fingerprint(root), repr(sorted(stored.items())))
    with _health_lock:
        if key in _health_cache:
            return _health_cache[key]
    status = content_status(root)
    health = ContentHealth(len(status.problems), None if status.problems else status.pending_changes)
    with _health_lock:
        _health_cache.clear()
        _health_cache[key] = health
    return health


# --- publishing ---------------------------------------------------------------------------------

def publish(actor, reviewed_fingerprint: str, root: Path | None = None) -> dict[str, dict[str, int]]:
    """``flask content import`` for the web: one all-or-nothing transaction (ContentProblems when any
    file has a problem), then an audit entry with the counts of every kind.

    Raises ContentChangedSinceReview when the files differ from those the trainer confirmed."""
    root = root or default_root()
    if content_fingerprint(root) != reviewed_fingerprint:
        raise ContentChangedSinceReview()
    return import_content(
        root, before_commit=lambda counts: record(PUBLISH_ACTION, "content", details={"counts": counts}, actor=actor))


def changed_anything(counts: dict[str, dict[str, int]]) -> bool:
    return any(outcome.get(name, 0) for outcome in counts.values() for name in CHANGING_OUTCOMES)


# --- lesson preview -----------------------------------------------------------------------------

@dataclass(frozen=True)
class LessonPreview:
    title: str | None
    rendered: RenderedLesson
    problems: list[Problem]


def modules_on_disk(root: Path | None = None) -> list[str]:
    """Module folders (those with a module.md) under the content root, for resolving links."""
    courses = (root or default_root()) / COURSES_FOLDER
    return sorted(path.parent.name for path in courses.glob(f"*/{MODULE_FILE}"))


def preview_lesson(text: str, module_id: str, root: Path | None = None) -> LessonPreview:
    """Render a lesson as trainees would see it; lines in problems are lines of ``text``.

    ``text`` is a whole lesson file (front matter first) or just its Markdown body."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, body_line, problems = split_front_matter(PREVIEW_PATH, text) if _has_front_matter(text) else ({}, 1, [])
    body = body_of(text, body_line)
    labels = {kind: str(label) for kind, label in CALLOUT_LABELS.items()}
    rendered = render_markdown(body, _preview_resolver(root or default_root(), module_id), path=PREVIEW_PATH,
                               first_line=body_line, callout_labels=labels)
    problems += list(rendered.problems) + raw_html_problems(body, PREVIEW_PATH, body_line)
    if not body.strip():
        problems.append(Problem(PREVIEW_PATH, body_line, "the lesson is empty: write its text after the front matter"))
    title = front.get("title")
    return LessonPreview(title if isinstance(title, str) else None, rendered, sorted(problems))


def _has_front_matter(text: str) -> bool:
    return text.split("\n", 1)[0].rstrip() == "---"


def _preview_resolver(root: Path, module_id: str) -> Resolver:
    """Links count as broken exactly when validation would say so (the files on disk); working
    ones point at the lesson pages and images trainees will get once published."""
    courses = root / COURSES_FOLDER

    def lesson_url(target: str) -> str | None:
        found = lesson_link_target(module_id, target)
        if found is None or not (courses / found[0] / found[1]).is_file():
            return None
        return url_for("courses.lesson", lesson_id=f"{found[0]}.{LESSON_FILE.fullmatch(found[1])['slug']}")

    def image_url(target: str) -> str | None:
        asset = module_asset_path(target)
        if asset is None or not (courses / module_id / asset).is_file():
            return None
        return url_for("courses.asset", module_id=module_id, asset=asset)

    return Resolver(lesson_url, image_url)


# --- question import preview ----------------------------------------------------------------------

@dataclass(frozen=True)
class ImportPreview:
    """Every question of an uploaded file, what became of it and, when converted, the question as
    the bank parser reads it (rendered as trainees see it)."""

    file_format: str
    source: str  # the decoded text, line breaks as \n
    items: list[tuple[Imported, Question | None]]

    @property
    def digest(self) -> str:
        """Names exactly this text in this format: an import writes only what was previewed."""
        return import_digest(self.file_format, self.source)

    def count(self, status: str) -> int:
        return sum(1 for item, _question in self.items if item.status == status)


def import_digest(file_format: str, source: str) -> str:
    return content_hash(f"{file_format}\0{source}")


def uploaded_text(raw: bytes, filename: str, encoding: str | None) -> str:
    """The upload's text (UnreadableFile when it is not text in the named or a detected encoding)."""
    return _one_line_ending(decode(raw, filename, encoding or None))


def _one_line_ending(text: str) -> str:
    """Browsers send hidden text back with \r\n: the previewed and the imported text must agree."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def preview_import(source: str, file_format: str, shown_as: str = "upload") -> ImportPreview:
    source = _one_line_ending(source)
    conversion = IMPORTERS[file_format](source, shown_as)
    return ImportPreview(file_format, source, conversion.read_back(PREVIEW_BANK))


def lessons_on_disk(root: Path | None = None) -> list[str]:
    """Lesson ids of the course files on disk: the questions' ``lesson:`` must name one to publish."""
    root = root or default_root()
    courses = next(kind for kind in registered_kinds() if kind.name == "courses")
    parsed, _problems = courses.parse(courses.discover(root), root)  # problems: on the status page
    return sorted(courses.ids(parsed).get("courses.lesson", ()))


def import_draft(preview: ImportPreview, bank_id: str, title: str | None, lesson: str, difficulty: int,
                 actor) -> DraftBank:
    """Append the previewed questions to the bank file (the draft publishing will pick up) and audit
    it; nothing is written when the bank file would have problems (``draft.problems``)."""
    conversion = IMPORTERS[preview.file_format](preview.source, "upload")
    draft = draft_bank(conversion, bank_id, lesson, difficulty, title)
    if draft.problems or not conversion.questions:
        return draft
    draft.write()
    record(IMPORT_ACTION, f"bank:{bank_id}", details={
        "format": preview.file_format, "questions": len(conversion.questions),
        "not_converted": len(conversion.items) - len(conversion.questions)}, actor=actor)
    db.session.commit()
    return draft
