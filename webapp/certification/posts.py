"""Post (岗位) certification definitions: ``quizzes/posts/<post-id>.md`` (docs/formats.md §6).

Pure: canonical text in, a :class:`PostDefinition` and a list of :class:`Problem` out. Every
problem names the file line of the key or id it is about, nested keys included.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from webapp.content.frontmatter import (
    BOOLEAN, ID, LOCALIZED_TEXT, TEXT, FieldChecker, FrontMatter, int_between, split_front_matter,
)
from webapp.content.problems import Problem
from webapp.content.sources import content_hash

TOP_LEVEL_KEYS = {"id", "title", "validity_months", "recertification_window_days", "requirements",
                  "recertification"}
REQUIREMENT_KEYS = {"modules", "quizzes", "scenarios"}
QUIZ_KEYS = {"quiz", "min_score"}
SCENARIO_KEYS = {"set", "tag", "count", "min_average", "no_critical"}
VALIDITY_MONTHS = int_between(1, 120)
WINDOW_DAYS = int_between(0, 366)
PERCENT = int_between(0, 100)
SCENARIO_COUNT = int_between(1, 100)


@dataclass(frozen=True)
class QuizRequirement:
    quiz_id: str
    min_score: float  # percent


@dataclass(frozen=True)
class ScenarioRequirement:
    """Either a named set of scenarios (all of them) or ``count`` scenarios carrying ``tag``."""

    scenario_ids: tuple[str, ...] = ()
    tag: str | None = None
    count: int = 0
    min_average: float | None = None  # percent, over the counted scenarios' best scores
    no_critical: bool = False

    @property
    def needed(self) -> int:
        return len(self.scenario_ids) if self.scenario_ids else self.count


@dataclass(frozen=True)
class Requirements:
    modules: tuple[str, ...] = ()
    quizzes: tuple[QuizRequirement, ...] = ()
    scenarios: ScenarioRequirement | None = None

    def quiz_ids(self) -> tuple[str, ...]:
        return tuple(quiz.quiz_id for quiz in self.quizzes)

    def scenario_ids(self) -> tuple[str, ...]:
        return self.scenarios.scenario_ids if self.scenarios else ()


@dataclass(frozen=True)
class PostDefinition:
    post_id: str
    title_zh: str
    title_en: str
    validity_months: int
    recertification_window_days: int
    requirements: Requirements
    #: What renewing takes once the window opens; the initial requirements when the file has none.
    recertification: Requirements
    description: str  # Markdown body (Chinese): why the post requires what it requires
    path: str
    source: str  # the canonical file text
    content_hash: str
    #: File line of every referenced id (and ``tag:<tag>``), for cross-reference problems.
    reference_lines: Mapping[str, int]


class _PostReader:
    """Checks one file's front matter, collecting problems at the lines they are about."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = text.split("\n")
        self.problems: list[Problem] = []
        self.reference_lines: dict[str, int] = {}

    def line_of(self, needle: str, after: int) -> int:
        """First line from ``after`` on holding ``needle`` as a key or as a list item."""
        pattern = re.compile(rf"(^|[\s{{,\[\"'])({re.escape(needle)})[\"']?\s*(:|[,\]}}]|$)")
        return next((number for number in range(after, len(self.lines) + 1)
                     if pattern.search(self.lines[number - 1])), after)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def checker(self, data: Mapping, line: int, allowed: set[str]) -> FieldChecker:
        """A FieldChecker over a nested mapping, pointing at each nested key's own line."""
        nested = FrontMatter(data, {str(key): self.line_of(str(key), line) for key in data}, line)
        checker = FieldChecker(nested, self.path, line)
        checker.reject_unknown(allowed)
        return checker

    def collect(self, checker: FieldChecker) -> None:
        self.problems += checker.problems
        checker.problems = []

    def referenced(self, identifier: str, line: int) -> str:
        self.reference_lines.setdefault(identifier, line)
        return identifier

    def id_list(self, values, line: int, what: str) -> tuple[str, ...]:
        if not isinstance(values, list) or not values:
            self.problem(line, f"{what}s must be a non-empty list of ids, e.g. [a, b]")
            return ()
        found: list[str] = []
        for value in values:
            item_line = self.line_of(str(value), line)
            if not ID.accepts(value):
                self.problem(item_line, f"{what} {value!r} must be {ID.description}")
            elif value in found:
                self.problem(item_line, f'{what} "{value}" is listed twice')
            else:
                found.append(self.referenced(value, item_line))
        return tuple(found)

    def requirements(self, data, line: int, key: str) -> Requirements:
        if not isinstance(data, dict) or not data:
            self.problem(line, f'"{key}" must be a mapping with modules, quizzes and/or scenarios')
            return Requirements()
        checker = self.checker(data, line, REQUIREMENT_KEYS)
        self.collect(checker)
        modules = self.id_list(data["modules"], checker.data.line_of("modules"), "module") \
            if "modules" in data else ()
        quizzes = self.quizzes(data["quizzes"], checker.data.line_of("quizzes")) if "quizzes" in data else ()
        scenarios = self.scenarios(data["scenarios"], checker.data.line_of("scenarios")) \
            if "scenarios" in data else None
        return Requirements(modules, quizzes, scenarios)

    def quizzes(self, items, line: int) -> tuple[QuizRequirement, ...]:
        if not isinstance(items, list) or not items:
            self.problem(line, '"quizzes" must be a non-empty list of {quiz: <id>, min_score: <percent>}')
            return ()
        found: dict[str, QuizRequirement] = {}
        for item in items:
            if not isinstance(item, dict):
                self.problem(self.line_of(str(item), line), "each quiz must be {quiz: <id>, min_score: <percent>}")
                continue
            item_line = self.line_of(str(item.get("quiz")), line)
            checker = self.checker(item, item_line, QUIZ_KEYS)
            quiz_id, min_score = checker.require("quiz", ID), checker.require("min_score", PERCENT)
            self.collect(checker)
            if quiz_id in found:
                self.problem(item_line, f'quiz "{quiz_id}" is listed twice')
            elif quiz_id is not None and min_score is not None:
                found[quiz_id] = QuizRequirement(self.referenced(quiz_id, item_line), float(min_score))
        return tuple(found.values())

    def scenarios(self, data, line: int) -> ScenarioRequirement | None:
        if not isinstance(data, dict):
            self.problem(line, '"scenarios" must be a mapping: set: [ids], or tag: <tag> with count: <n>')
            return None
        checker = self.checker(data, line, SCENARIO_KEYS)
        min_average = checker.optional("min_average", PERCENT)
        no_critical = bool(checker.optional("no_critical", BOOLEAN, default=False))
        requirement = self.scenario_selection(data, line, checker, min_average, no_critical)
        self.collect(checker)
        return requirement

    def scenario_selection(self, data: Mapping, line: int, checker: FieldChecker, min_average, no_critical: bool
                           ) -> ScenarioRequirement | None:
        lines = checker.data
        if ("set" in data) == ("tag" in data):
            self.problem(line, "scenarios need exactly one of set: [ids] or tag: <tag> (with count: <n>)")
            return None
        if "set" in data:
            if "count" in data:
                self.problem(lines.line_of("count"), "count goes with tag: (a set counts all its scenarios)")
            ids = self.id_list(data["set"], lines.line_of("set"), "scenario")
            return ScenarioRequirement(ids, None, len(ids), min_average, no_critical) if ids else None
        tag, count = checker.require("tag", TEXT), checker.require("count", SCENARIO_COUNT)
        if tag is None or count is None:
            return None
        self.referenced(f"tag:{tag.strip()}", lines.line_of("tag"))
        return ScenarioRequirement((), tag.strip(), count, min_average, no_critical)


def parse_post(path: str, text: str) -> tuple[PostDefinition | None, list[Problem]]:
    """Parse one post file (canonical text); the definition is None when there are problems."""
    front, body_start, problems = split_front_matter(path, text)
    if problems:
        return None, problems
    reader = _PostReader(path, text)
    checker = FieldChecker(front, path, front.line)
    checker.reject_unknown(TOP_LEVEL_KEYS)
    post_id = checker.require("id", ID)
    title = checker.require("title", LOCALIZED_TEXT)
    validity = checker.require("validity_months", VALIDITY_MONTHS)
    window = checker.require("recertification_window_days", WINDOW_DAYS)
    reader.collect(checker)

    stem = path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")
    if post_id is not None and post_id != stem:
        reader.problem(front.line_of("id"), f'post id "{post_id}" must match the file name {stem}.md')
    if validity is not None and window is not None and window >= validity * 28:
        reader.problem(front.line_of("recertification_window_days"),
                       "the recertification window must be shorter than the validity")
    if "requirements" not in front:
        reader.problem(front.line, 'missing "requirements" (modules, quizzes and/or scenarios)')
    requirements = reader.requirements(front.get("requirements"), front.line_of("requirements"), "requirements")
    recertification = requirements if "recertification" not in front else reader.requirements(
        front["recertification"], front.line_of("recertification"), "recertification")

    description = "\n".join(reader.lines[body_start - 1:]).strip()
    if not description:
        reader.problem(min(body_start, len(reader.lines)),
                       "the post needs a description: why it requires what it requires")
    if reader.problems:
        return None, sorted(reader.problems)
    return PostDefinition(
        post_id=post_id, title_zh=title["zh"].strip(), title_en=title["en"].strip(),
        validity_months=validity, recertification_window_days=window,
        requirements=requirements, recertification=recertification, description=description,
        path=path, source=text, content_hash=content_hash(text), reference_lines=dict(reader.reference_lines),
    ), []


def check_references(post: PostDefinition, modules: Collection[str], quizzes: Collection[str],
                     scenarios: Collection[str], scenario_tags: Collection[str]) -> list[Problem]:
    """Cross-reference checks: every module, quiz, scenario and scenario tag a post requires exists."""
    problems: set[Problem] = set()

    def unknown(kind: str, identifier: str, known: Collection[str], line_key: str | None = None) -> None:
        if identifier not in known:
            line = post.reference_lines.get(line_key or identifier, 1)
            problems.add(Problem(post.path, line, f'unknown {kind} "{identifier}"'))

    for requirements in (post.requirements, post.recertification):
        for module_id in requirements.modules:
            unknown("module", module_id, modules)
        for quiz_id in requirements.quiz_ids():
            unknown("quiz", quiz_id, quizzes)
        for scenario_id in requirements.scenario_ids():
            unknown("scenario", scenario_id, scenarios)
        if requirements.scenarios is not None and requirements.scenarios.tag is not None:
            tag = requirements.scenarios.tag
            unknown("scenario tag", tag, scenario_tags, f"tag:{tag}")
    return sorted(problems)
