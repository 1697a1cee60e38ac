"""The "courses" content kind: courses/<module>/ folders <-> CourseModule, Lesson, LessonVersion."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from webapp.clock import utcnow
from webapp.content.problems import Problem
from webapp.content.registry import Catalog, ContentKind
from webapp.content.sources import ContentFiles
from webapp.extensions import db

from .modellines import marked_line_problems, marked_lines
from .models import CourseModule, Lesson, LessonImage, LessonProgress, LessonVersion
from .images import store_image
from .parsing import COURSES_FOLDER, LESSON_FILE, MODULE_FILE, Module, chinese_characters, discover_module_files, parse_modules
from .parsing import Lesson as ParsedLesson

OUTCOMES = ("created", "updated", "unchanged", "retired")


class CoursesKind(ContentKind):
    name = "courses"
    order = 10
    patterns = (f"{COURSES_FOLDER}/*/*.md", f"{COURSES_FOLDER}/*/images/*")

    def discover(self, files: ContentFiles) -> list[str]:
        return discover_module_files(files)

    def parse(self, paths: list[str], files: ContentFiles) -> tuple[list[Module], list]:
        return parse_modules(paths, files)

    def ids(self, parsed: list[Module]) -> dict[str, Iterable[str]]:
        return {
            "courses.module": [module.id for module in parsed],
            "courses.lesson": [lesson.id for module in parsed for lesson in module.lessons],
        }

    def check(self, parsed: list[Module], catalog: Catalog) -> list[Problem]:
        """Model agent lines must break no norm, counter-examples at least one (when the norms are
        part of the checked root)."""
        score = catalog.shared("norms.score")
        if score is None:
            return []
        texts = [(module.source_path, module.intro, module.body_start_line) for module in parsed]
        texts += [(lesson.source_path, lesson.body, lesson.body_start_line)
                  for module in parsed for lesson in module.lessons]
        return [problem for path, body, first_line in texts
                for problem in marked_line_problems(path, marked_lines(body, first_line), score)]

    def import_items(self, parsed: list[Module]) -> dict[str, int]:
        """Counts modules and lessons together; lessons missing from an imported module are retired."""
        counts, now = Counter(dict.fromkeys(OUTCOMES, 0)), utcnow()
        for parsed_module in parsed:
            module, outcome = _upsert_module(parsed_module)
            counts[outcome] += 1
            _store_images(parsed_module)
            for parsed_lesson in parsed_module.lessons:
                counts[_upsert_lesson(module, parsed_lesson, now)] += 1
            kept = {lesson.id for lesson in parsed_module.lessons}
            for lesson in module.current_lessons:
                if lesson.id not in kept:
                    lesson.retired_at = now
                    counts["retired"] += 1
        return dict(counts)

    def marked_significant(self, path: str, text: str, significant: bool) -> str:
        if not LESSON_FILE.fullmatch(path.rsplit("/", 1)[-1]) or not text.startswith("---\n"):
            return text
        lines = [line for line in text.split("\n") if not line.startswith("significant_change:")]
        return "\n".join(lines[:1] + ["significant_change: true"] + lines[1:]) if significant else "\n".join(lines)

    def published_files(self) -> dict[str, bytes]:
        files = {}
        for module in db.session.scalars(db.select(CourseModule).order_by(CourseModule.order)):
            folder = f"{COURSES_FOLDER}/{module.id}"
            files[f"{folder}/{MODULE_FILE}"] = module.source.encode("utf-8")
            for lesson in module.current_lessons:
                files[f"{folder}/{lesson.file_name}"] = lesson.current_version.source.encode("utf-8")
        for image in db.session.scalars(db.select(LessonImage).order_by(LessonImage.module_id, LessonImage.name)):
            files[f"{COURSES_FOLDER}/{image.module_id}/{image.name}"] = image.data
        return files

    def stats(self) -> dict:
        def count(*criteria, of=None) -> int:
            return db.session.scalar(db.select(db.func.count(of)).where(*criteria)) or 0

        lessons_per_module: dict[str, int] = {}
        characters_per_lesson: dict[str, int] = {}
        current = db.select(Lesson.module_id, Lesson.id, LessonVersion.source).join(
            LessonVersion, Lesson.current_version_id == LessonVersion.id
        ).where(Lesson.retired_at.is_(None)).order_by(Lesson.module_id, Lesson.order)
        for module_id, lesson_id, source in db.session.execute(current):
            lessons_per_module[module_id] = lessons_per_module.get(module_id, 0) + 1
            characters_per_lesson[lesson_id] = chinese_characters(source)
        return {
            "lessons_per_module": lessons_per_module,
            "chinese_characters_per_lesson": characters_per_lesson,
            "modules": count(of=CourseModule.id),
            "lessons": count(Lesson.retired_at.is_(None), of=Lesson.id),
            "retired_lessons": count(Lesson.retired_at.is_not(None), of=Lesson.id),
            "lesson_versions": count(of=LessonVersion.id),
            "completions": count(of=LessonProgress.id),
            "trainees_with_progress": count(of=LessonProgress.user_id.distinct()),
        }


def _upsert_module(parsed: Module) -> tuple[CourseModule, str]:
    module = db.session.get(CourseModule, parsed.id)
    if module is not None and module.content_hash == parsed.content_hash:
        return module, "unchanged"
    outcome = "created" if module is None else "updated"
    if module is None:
        module = CourseModule(id=parsed.id)
        db.session.add(module)
    module.title_zh, module.title_en, module.summary = parsed.title_zh, parsed.title_en, parsed.summary
    module.order, module.minutes, module.tags = parsed.order, parsed.minutes, list(parsed.tags)
    module.source, module.content_hash = parsed.source, parsed.content_hash
    return module, outcome


def _upsert_lesson(module: CourseModule, parsed: ParsedLesson, now: datetime) -> str:
    lesson = db.session.get(Lesson, parsed.id)
    outcome = "created" if lesson is None else "unchanged"
    if lesson is None:
        lesson = Lesson(id=parsed.id)
        db.session.add(lesson)
    placement = {"module": module, "order": parsed.order, "file_name": parsed.file_name,
                 "title": parsed.title, "minutes": parsed.minutes, "retired_at": None}
    for name, value in placement.items():
        if outcome == "unchanged" and getattr(lesson, name) != value:
            outcome = "updated"
        setattr(lesson, name, value)
    if lesson.current_version is None or lesson.current_version.content_hash != parsed.content_hash:
        lesson.current_version = _version_for(lesson, parsed, module, now)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def _version_for(lesson: Lesson, parsed: ParsedLesson, module: CourseModule, now: datetime) -> LessonVersion:
    """The lesson's version with this text: an earlier one when an edit is reverted, else a new one."""
    earlier = db.session.scalar(db.select(LessonVersion).where(
        LessonVersion.lesson_id == lesson.id, LessonVersion.content_hash == parsed.content_hash))
    if earlier is not None:
        return earlier
    if parsed.significant_change:
        module.significant_changed_at = now
    return LessonVersion(lesson=lesson, content_hash=parsed.content_hash, source=parsed.source,
                         significant=parsed.significant_change, created_at=now)


def _store_images(parsed: Module) -> None:
    """Images arrive with their module and stay (lessons of older versions may still show them)."""
    for name, data in parsed.images:
        store_image(parsed.id, name, data)
