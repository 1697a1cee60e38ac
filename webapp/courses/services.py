"""Course reading and progress: queries for the views, progress writes, records for certification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.clock import utcnow
from webapp.content.frontmatter import split_front_matter
from webapp.extensions import db
from webapp.registry import lesson_completed, progress_recorded

from .markdown import RenderCache, RenderedLesson, Resolver, render_markdown
from .models import CourseModule, LastRead, Lesson, LessonProgress, LessonVersion
from .parsing import body_of, lesson_link_target, module_asset_path

_rendered = RenderCache()

CALLOUT_LABELS = {"规范用语": _l("Standard phrasing"), "禁用语": _l("Forbidden phrasing"), "案例": _l("Case"),
                  "要点": _l("Key point")}


@dataclass(frozen=True)
class ModuleCompletion:
    """A module whose every current lesson the trainee has completed (certification evidence)."""

    module_id: str
    completed_at: datetime  # when the last of its lessons was completed
    lesson_versions: dict[str, str]  # lesson id -> content hash of the version completed


@dataclass(frozen=True)
class ModuleProgress:
    module: CourseModule
    lessons: int
    completed: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.lessons) if self.lessons else 0


# --- reading ----------------------------------------------------------------------------------

def modules_in_order() -> list[CourseModule]:
    """Every module with its lessons, in course order.

    A trainee's home asks for them in several panels (progress, resume, the post plan and the
    titles it shows): they are read once per database session and kept in its ``info`` until
    the session writes anything (``_forget_modules``), so a request that changes content reads
    them afresh."""
    modules = db.session.info.get(_MODULES)
    if modules is None:
        query = db.select(CourseModule).options(selectinload(CourseModule.lessons))
        modules = db.session.info[_MODULES] = list(db.session.scalars(query.order_by(CourseModule.order, CourseModule.id)))
    return list(modules)


_MODULES = "courses.modules_in_order"


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")  # commit, rollback, close
def _forget_modules(session, *_args) -> None:
    session.info.pop(_MODULES, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_modules_on_write(state) -> None:
    if not state.is_select:  # an UPDATE or DELETE run through the session, not flushed
        state.session.info.pop(_MODULES, None)


def current_lesson_or_404(lesson_id: str) -> Lesson:
    lesson = db.get_or_404(Lesson, lesson_id)
    if lesson.retired_at is not None:
        abort(404)
    return lesson


def completed_lesson_ids(user_id: int) -> set[str]:
    return set(db.session.scalars(db.select(LessonProgress.lesson_id).where(LessonProgress.user_id == user_id)))


def progress_by_module(user_id: int | None) -> list[ModuleProgress]:
    """Every module with its lesson count and how many of them the trainee (if any) completed."""
    completed = completed_lesson_ids(user_id) if user_id is not None else set()
    return [
        ModuleProgress(module, len(module.current_lessons),
                       sum(lesson.id in completed for lesson in module.current_lessons))
        for module in modules_in_order()
    ]


def neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The previous and next current lessons of the same module."""
    siblings = lesson.module.current_lessons
    index = siblings.index(lesson)
    return (siblings[index - 1] if index > 0 else None,
            siblings[index + 1] if index + 1 < len(siblings) else None)


def completion_of(user_id: int, lesson_id: str) -> LessonProgress | None:
    return db.session.scalar(db.select(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson_id))


def resume_lesson(user_id: int) -> Lesson | None:
    """Where to go on reading: the lesson read last while it is unfinished, else the next unfinished
    lesson after it in course order (None when nothing was read yet or everything is finished)."""
    last = db.session.get(LastRead, user_id)
    if last is None:
        return None
    completed = completed_lesson_ids(user_id)
    if last.lesson.retired_at is None and last.lesson_id not in completed:
        return last.lesson
    ordered = [lesson for module in modules_in_order() for lesson in module.current_lessons]
    start = ordered.index(last.lesson) if last.lesson in ordered else 0
    return next((lesson for lesson in ordered[start:] + ordered[:start] if lesson.id not in completed), None)


# --- rendering --------------------------------------------------------------------------------

def _resolver(module_id: str) -> Resolver:
    def lesson_url(target: str) -> str | None:
        found = lesson_link_target(module_id, target)
        lesson = found and db.session.scalar(db.select(Lesson).where(
            Lesson.module_id == found[0], Lesson.file_name == found[1], Lesson.retired_at.is_(None)))
        return url_for("courses.lesson", lesson_id=lesson.id) if lesson else None

    def image_url(target: str) -> str | None:
        asset = module_asset_path(target)
        return url_for("courses.asset", module_id=module_id, asset=asset) if asset else None

    return Resolver(lesson_url, image_url)


def _render_source(source: str, content_hash: str, module_id: str) -> RenderedLesson:
    """Render the body of a lesson or module file once per text and interface language."""
    def render() -> RenderedLesson:
        _front, body_line, _problems = split_front_matter("", source)
        labels = {kind: str(label) for kind, label in CALLOUT_LABELS.items()}
        return render_markdown(body_of(source, body_line), _resolver(module_id), first_line=body_line,
                               callout_labels=labels)

    return _rendered.get_or_render(content_hash, str(get_locale()), render)


def rendered_lesson(lesson: Lesson) -> RenderedLesson:
    version = lesson.current_version
    return _render_source(version.source, version.content_hash, lesson.module_id)


def rendered_intro(module: CourseModule) -> RenderedLesson:
    return _render_source(module.source, module.content_hash, module.id)


# --- progress ---------------------------------------------------------------------------------

def mark_complete(user_id: int, lesson: Lesson) -> bool:
    """Record that the trainee completed the lesson; False if it already was (double clicks too)."""
    if completion_of(user_id, lesson.id) is not None:
        return False
    db.session.add(LessonProgress(user_id=user_id, lesson_id=lesson.id, lesson_version_id=lesson.current_version_id))
    lesson_completed.send(current_app._get_current_object(), user_id=user_id, lesson=lesson)
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent request recorded it first
        db.session.rollback()
        return False
    progress_recorded.send(current_app._get_current_object(), user_id=user_id)
    return True


def remember_last_read(user_id: int, lesson: Lesson) -> None:
    last = db.session.get(LastRead, user_id)
    if last is None:
        db.session.add(LastRead(user_id=user_id, lesson_id=lesson.id, read_at=utcnow()))
    else:
        last.lesson_id, last.read_at = lesson.id, utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # two tabs opened lessons at once; either one is a fine answer
        db.session.rollback()


# --- records for certification ----------------------------------------------------------------

def completed_modules(user_id: int) -> dict[str, ModuleCompletion]:
    """Modules whose every current lesson the trainee marked complete."""
    return completed_modules_of([user_id])[user_id]


def completed_modules_of(user_ids) -> dict[int, dict[str, ModuleCompletion]]:
    """``completed_modules`` of several trainees in two queries."""
    progress: dict[int, dict[str, LessonProgress]] = {user_id: {} for user_id in user_ids}
    for row in db.session.scalars(db.select(LessonProgress).where(LessonProgress.user_id.in_(list(progress)))
                                  .options(selectinload(LessonProgress.lesson_version))):
        progress[row.user_id][row.lesson_id] = row
    modules = modules_in_order()
    found = {}
    for user_id, done in progress.items():
        completions = found[user_id] = {}
        for module in modules:
            rows = [done.get(lesson.id) for lesson in module.current_lessons]
            if rows and all(rows):
                completions[module.id] = ModuleCompletion(
                    module.id, max(row.completed_at for row in rows),
                    {row.lesson_id: row.lesson_version.content_hash for row in rows},
                )
    return found


def significantly_changed_lessons(lesson_versions: dict[str, str]) -> set[str]:
    """Lessons whose recorded version (lesson id -> content hash) has since been followed by a
    version marked ``significant_change``: evidence that no longer covers what the lesson teaches."""
    changed = set()
    for lesson_id, content_hash in lesson_versions.items():
        lesson = db.session.get(Lesson, lesson_id)
        if lesson is None or lesson.current_version.content_hash == content_hash:
            continue
        recorded = db.session.scalar(db.select(LessonVersion).where(
            LessonVersion.lesson_id == lesson_id, LessonVersion.content_hash == content_hash))
        if recorded is None:
            continue
        later_significant = db.select(LessonVersion.id).where(
            LessonVersion.lesson_id == lesson_id, LessonVersion.significant.is_(True),
            LessonVersion.id > recorded.id)
        if db.session.scalar(db.select(later_significant.exists())):
            changed.add(lesson_id)
    return changed
