"""Course modules on disk -> Module/Lesson dataclasses plus every problem found (pure).

Layout (docs/formats.md §1): ``courses/<module-id>/module.md`` and ``NN-<slug>.md`` lessons whose
id is ``<module-id>.<slug>``. Links and images are checked against the other content files.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass

from webapp.content.frontmatter import (
    BOOLEAN, ID, LOCALIZED_TEXT, POSITIVE_INT, TEXT, TEXT_LIST, FieldChecker, split_front_matter,
)
from webapp.content.problems import Problem
from webapp.content.sources import ContentFiles, content_hash

from .markdown import IMAGE_TYPES, Resolver, raw_html_problems, render_markdown

COURSES_FOLDER = "courses"
MODULE_FILE = "module.md"
LESSON_FILE = re.compile(r"(?P<order>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md")
MODULE_KEYS = {"id", "title", "summary", "order", "minutes", "tags"}
LESSON_KEYS = {"id", "title", "minutes", "significant_change"}


@dataclass(frozen=True)
class Lesson:
    id: str
    module_id: str
    title: str
    minutes: int
    order: int  # the NN of the file name
    file_name: str
    significant_change: bool  # this version changes what a certified holder knows
    body: str
    body_start_line: int
    source_path: str
    source: str  # canonical file text, exported byte for byte
    content_hash: str


@dataclass(frozen=True)
class Module:
    id: str
    title_zh: str
    title_en: str
    summary: str
    order: int
    minutes: int
    tags: tuple[str, ...]
    intro: str
    body_start_line: int
    source_path: str
    source: str
    content_hash: str
    lessons: tuple[Lesson, ...]
    images: tuple[tuple[str, bytes], ...] = ()  # (path inside the module folder, bytes)


def lesson_link_target(module_id: str, target: str) -> tuple[str, str] | None:
    """(module id, lesson file name) a relative lesson link points at, or None if it leaves the
    course tree: '02-x.md' and '../other/01-y.md' are fine, '../../x.md' and '/x.md' are not."""
    if target.startswith("/"):
        return None
    parts = posixpath.normpath(posixpath.join(module_id, target)).split("/")
    if len(parts) != 2 or ".." in parts or not LESSON_FILE.fullmatch(parts[1]):
        return None
    return parts[0], parts[1]


def module_asset_path(target: str) -> str | None:
    """The path of an image inside its module folder, or None if it would leave the folder."""
    if target.startswith("/") or "\\" in target:
        return None
    path = posixpath.normpath(target)
    return None if path == "." or path.split("/")[0] == ".." else path


def discover_module_files(files: ContentFiles) -> list[str]:
    return files.matching(f"{COURSES_FOLDER}/*/*.md")


def parse_modules(paths: list[str], files: ContentFiles) -> tuple[list[Module], list[Problem]]:
    """Parse every module folder holding one of ``paths`` (a lesson selects its whole module)."""
    folders = sorted({path.rsplit("/", 1)[0] for path in paths})
    modules, problems, claimed_ids = [], [], {}
    for folder in folders:
        module, folder_problems = parse_module_folder(folder, files, claimed_ids)
        problems += folder_problems
        if module is not None:
            modules.append(module)
    return modules, sorted(problems)


def parse_module_folder(
    folder: str, files: ContentFiles, claimed_ids: dict[str, str] | None = None
) -> tuple[Module | None, list[Problem]]:
    """Parse one module folder (e.g. "courses/m"); ``claimed_ids`` (id -> "path:line") finds ids
    used twice across modules."""
    claimed_ids = {} if claimed_ids is None else claimed_ids
    shown = f"{folder}/{MODULE_FILE}"
    folder_name = folder.rsplit("/", 1)[-1]
    if shown not in files:
        return None, [Problem(shown, 1, "missing module.md: every course folder needs one")]
    text, problems = files.text(shown)
    if text is None:
        return None, problems
    front, body_line, front_problems = split_front_matter(shown, text)
    problems += front_problems
    fields = FieldChecker(front, shown, front.line)
    module_id = fields.require("id", ID)
    title = fields.require("title", LOCALIZED_TEXT)
    summary = fields.require("summary", TEXT)
    order = fields.require("order", POSITIVE_INT)
    minutes = fields.require("minutes", POSITIVE_INT)
    tags = fields.optional("tags", TEXT_LIST, default=[])
    fields.reject_unknown(MODULE_KEYS)
    problems += fields.problems if not front_problems else []
    if module_id is not None and module_id != folder_name:
        problems.append(Problem(shown, front.line_of("id"),
                                f'module id "{module_id}" must match its folder name "{folder_name}"'))
    problems += _claim(claimed_ids, module_id, shown, front.line_of("id"))
    body = body_of(text, body_line)
    problems += _markdown_problems(body, folder, files, shown, body_line)

    lessons, lesson_files = [], _lesson_files(folder, files)
    problems += _lesson_file_name_problems(folder, files)
    if not lesson_files:
        problems.append(Problem(shown, 1, "the module has no lessons (files named NN-slug.md)"))
    for path in lesson_files:
        lesson, lesson_problems = parse_lesson(path, module_id or folder_name, files, claimed_ids)
        problems += lesson_problems
        if lesson is not None:
            lessons.append(lesson)
    if problems:
        return None, problems
    module = Module(
        id=module_id, title_zh=title["zh"].strip(), title_en=title["en"].strip(), summary=summary.strip(),
        order=order, minutes=minutes, tags=tuple(tags), intro=body, body_start_line=body_line,
        source_path=shown, source=text, content_hash=content_hash(text), lessons=tuple(lessons),
        images=_images(folder, files),
    )
    return module, []


def parse_lesson(
    path: str, module_id: str, files: ContentFiles, claimed_ids: dict[str, str]
) -> tuple[Lesson | None, list[Problem]]:
    shown = path
    folder, file_name = path.rsplit("/", 1)
    text, problems = files.text(path)
    if text is None:
        return None, problems
    front, body_line, front_problems = split_front_matter(shown, text)
    if front_problems:
        return None, front_problems
    fields = FieldChecker(front, shown, front.line)
    lesson_id = fields.require("id", ID)
    title = fields.require("title", TEXT)
    minutes = fields.require("minutes", POSITIVE_INT)
    significant = fields.optional("significant_change", BOOLEAN, default=False)
    fields.reject_unknown(LESSON_KEYS)
    problems += fields.problems
    name = LESSON_FILE.fullmatch(file_name)
    if lesson_id is not None:
        expected = f"{module_id}.{name['slug']}"
        if not lesson_id.startswith(f"{module_id}."):
            problems.append(Problem(shown, front.line_of("id"),
                                    f'lesson id "{lesson_id}" must start with its module id "{module_id}."'))
        elif lesson_id != expected:
            problems.append(Problem(shown, front.line_of("id"),
                                    f'lesson id "{lesson_id}" must be "{expected}" to match the file name'))
    problems += _claim(claimed_ids, lesson_id, shown, front.line_of("id"))
    body = body_of(text, body_line)
    if not body.strip():
        problems.append(Problem(shown, body_line, "the lesson is empty: write its text after the front matter"))
    problems += _markdown_problems(body, folder, files, shown, body_line)
    if problems:
        return None, problems
    lesson = Lesson(
        id=lesson_id, module_id=module_id, title=title.strip(), minutes=minutes, order=int(name["order"]),
        file_name=file_name, significant_change=significant, body=body, body_start_line=body_line,
        source_path=shown, source=text, content_hash=content_hash(text),
    )
    return lesson, []


def body_of(text: str, body_line: int) -> str:
    """The Markdown after the front matter (``body_line`` as split_front_matter returned it)."""
    return "\n".join(text.split("\n")[body_line - 1:])


CHINESE_CHARACTER = re.compile(r"[\u4e00-\u9fff]")


def chinese_characters(source: str) -> int:
    """Chinese characters in a lesson's body: the measure of teaching text the course bar uses."""
    _front_matter, body_line, _problems = split_front_matter("", source)
    return len(CHINESE_CHARACTER.findall(body_of(source, body_line)))


def _images(folder: str, files: ContentFiles) -> tuple[tuple[str, bytes], ...]:
    return tuple((path.removeprefix(folder + "/"), files[path]) for path in files.under(folder)
                 if posixpath.splitext(path)[1].lower() in IMAGE_TYPES)


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _lesson_files(folder: str, files: ContentFiles) -> list[str]:
    return [path for path in files.matching(f"{folder}/*.md") if LESSON_FILE.fullmatch(_name(path))]


def _lesson_file_name_problems(folder: str, files: ContentFiles) -> list[Problem]:
    problems = [
        Problem(path, 1, "lesson files are named NN-slug.md, e.g. 01-voice-and-pace.md")
        for path in files.matching(f"{folder}/*.md")
        if _name(path) != MODULE_FILE and not LESSON_FILE.fullmatch(_name(path))
    ]
    lessons = _lesson_files(folder, files)
    orders = Counter(_name(path)[:2] for path in lessons)
    problems += [
        Problem(path, 1, f"two lessons share the number {_name(path)[:2]}: the numbers give the order")
        for path in lessons
        if orders[_name(path)[:2]] > 1
    ]
    return problems


def _markdown_problems(body: str, module_folder: str, files: ContentFiles, shown: str, body_line: int) -> list[Problem]:
    courses_folder, module_id = module_folder.rsplit("/", 1)

    def lesson_exists(target: str) -> str | None:
        found = lesson_link_target(module_id, target)
        return target if found and f"{courses_folder}/{found[0]}/{found[1]}" in files else None

    def image_exists(target: str) -> str | None:
        asset = module_asset_path(target)
        return target if asset and f"{module_folder}/{asset}" in files else None

    rendered = render_markdown(body, Resolver(lesson_exists, image_exists), path=shown, first_line=body_line)
    return list(rendered.problems) + raw_html_problems(body, shown, body_line)


def _claim(claimed_ids: dict[str, str], item_id: str | None, shown: str, line: int) -> list[Problem]:
    if item_id is None:
        return []
    if item_id in claimed_ids:
        return [Problem(shown, line, f'id "{item_id}" is already used at {claimed_ids[item_id]}')]
    claimed_ids[item_id] = f"{shown}:{line}"
    return []
