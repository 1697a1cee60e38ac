"""Quiz blueprints (formats §3): what a quiz draws and the rules of its attempts.

Pure (no Flask, no database). ``parse_blueprint`` checks one file on its own (keys, types,
enums, ranges); ``check_draw`` checks its draw rules against the parsed banks, so that a
blueprint that validates can always be drawn, whatever the seed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from webapp.content.frontmatter import (
    BOOLEAN,
    ID,
    LOCALIZED_TEXT,
    NON_NEGATIVE_INT,
    POSITIVE_INT,
    TEXT_LIST,
    FieldChecker,
    FieldType,
    int_between,
    one_of,
    split_front_matter,
)
from webapp.content.problems import Problem
from webapp.content.sources import content_hash

from .draw import BankIndex
from .policy import needs_briefing
from .questions import QUESTION_TYPES, Question

MODES = ("exam", "practice")
REVIEW_POLICIES = ("immediately", "after_attempt", "after_pass", "after_last_attempt", "never")
BLUEPRINT_KEYS = {
    "id", "title", "module", "post", "mode", "time_limit_minutes", "grace_seconds", "pass_mark",
    "attempts_allowed", "cooldown_minutes", "shuffle_questions", "shuffle_options", "review", "draw",
}
RULE_KEYS = {"bank", "count", "tags", "difficulty", "type"}
PASS_MARK = FieldType(
    "a percentage above 0 and at most 100",
    lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 100,
)


@dataclass(frozen=True)
class DrawRule:
    """Draw ``count`` questions of ``bank`` matching every filter given."""

    bank: str
    count: int
    tags: tuple[str, ...] = ()  # a question matches when it carries at least one of them
    difficulty: int | None = None
    type: str | None = None
    line: int = 0

    @property
    def filter_key(self) -> tuple:
        return (self.tags, self.difficulty, self.type)

    def matches(self, question: Question) -> bool:
        return (
            (not self.tags or not set(self.tags).isdisjoint(question.tags))
            and (self.difficulty is None or question.difficulty == self.difficulty)
            and (self.type is None or question.type == self.type)
        )

    def describe(self) -> str:
        filters = [f"tags {list(self.tags)}"] * bool(self.tags)
        filters += [f"difficulty {self.difficulty}"] * (self.difficulty is not None)
        filters += [f"type {self.type}"] * (self.type is not None)
        return f"bank {self.bank}" + (" with " + ", ".join(filters) if filters else "")


@dataclass(frozen=True)
class Blueprint:
    id: str
    title: Mapping[str, str]  # {"zh": …, "en": …}
    module: str | None
    post: str | None
    mode: str
    time_limit_minutes: int  # 0 = untimed
    grace_seconds: int
    pass_mark: float  # percent
    attempts_allowed: int  # 0 = unlimited
    cooldown_minutes: int
    shuffle_questions: bool
    shuffle_options: bool
    review: str
    draw: tuple[DrawRule, ...]
    intro: str  # Markdown
    path: str
    source: str  # the whole file (canonical text)
    content_hash: str

    @property
    def needs_briefing(self) -> bool:
        return needs_briefing(self.time_limit_minutes, self.attempts_allowed, self.cooldown_minutes)

    @property
    def question_count(self) -> int:
        return sum(rule.count for rule in self.draw)

    @property
    def banks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rule.bank for rule in self.draw))


def parse_blueprint(path: str, text: str, expected_id: str | None = None) -> tuple[Blueprint | None, list[Problem]]:
    front, body_line, problems = split_front_matter(path, text)
    if problems:
        return None, problems
    fields = FieldChecker(front, path, front.line)
    quiz_id = fields.require("id", ID)
    title = fields.require("title", LOCALIZED_TEXT)
    module = fields.optional("module", ID)
    post = fields.optional("post", ID)
    settings = dict(
        mode=fields.optional("mode", one_of(*MODES), "exam"),
        time_limit_minutes=fields.optional("time_limit_minutes", NON_NEGATIVE_INT, 0),
        grace_seconds=fields.optional("grace_seconds", NON_NEGATIVE_INT, 60),
        pass_mark=fields.optional("pass_mark", PASS_MARK, 80),
        attempts_allowed=fields.optional("attempts_allowed", NON_NEGATIVE_INT, 0),
        cooldown_minutes=fields.optional("cooldown_minutes", NON_NEGATIVE_INT, 0),
        shuffle_questions=fields.optional("shuffle_questions", BOOLEAN, True),
        shuffle_options=fields.optional("shuffle_options", BOOLEAN, True),
        review=fields.optional("review", one_of(*REVIEW_POLICIES), "after_attempt"),
    )
    fields.reject_unknown(BLUEPRINT_KEYS)
    problems += fields.problems
    if ("module" in front) == ("post" in front):
        problems.append(Problem(path, front.line, 'give exactly one of "module" (module quiz) or "post" (final exam)'))
    if quiz_id is not None and expected_id is not None and quiz_id != expected_id:
        problems.append(Problem(path, front.line_of("id"), f'quiz id "{quiz_id}" must match the file name "{expected_id}.md"'))
    rules, rule_problems = _parse_draw(path, text, front)
    problems += rule_problems
    if problems or quiz_id is None or title is None or any(value is None for value in settings.values()):
        return None, problems
    intro = "\n".join(text.split("\n")[body_line - 1 :]).strip()
    return Blueprint(
        id=quiz_id, title=title, module=module, post=post, draw=tuple(rules), intro=intro, path=path,
        source=text, content_hash=content_hash(text), **settings,
    ), problems


def _parse_draw(path: str, text: str, front) -> tuple[list[DrawRule], list[Problem]]:
    line = front.line_of("draw")
    raw_rules = front.get("draw")
    if not isinstance(raw_rules, list) or not raw_rules:
        return [], [Problem(path, line, '"draw" must be a list of rules (- bank: <bank-id>, count: N)')]
    rule_lines = _draw_rule_lines(text, front.line) or [line] * len(raw_rules)
    rules, problems = [], []
    for raw, rule_line in zip(raw_rules, rule_lines):
        if not isinstance(raw, dict):
            problems.append(Problem(path, rule_line, "a draw rule is a mapping: - bank: <bank-id>, count: N"))
            continue
        fields = FieldChecker(raw, path, rule_line)
        bank = fields.require("bank", ID)
        count = fields.require("count", POSITIVE_INT)
        tags = fields.optional("tags", TEXT_LIST, [])
        difficulty = fields.optional("difficulty", int_between(1, 3))
        question_type = fields.optional("type", one_of(*QUESTION_TYPES))
        fields.reject_unknown(RULE_KEYS)
        problems += fields.problems
        if not fields.problems:
            rules.append(DrawRule(bank, count, tuple(tags), difficulty, question_type, rule_line))
    return rules, problems


def _draw_rule_lines(text: str, fence_line: int) -> list[int]:
    """The file line of each draw rule (YAML node marks; the front matter has loaded already)."""
    lines = text.split("\n")
    closing = next(i for i, line in enumerate(lines[1:], start=1) if line.rstrip() in ("---", "..."))
    root = yaml.compose("\n".join(lines[fence_line:closing]), Loader=yaml.SafeLoader)
    for key, value in root.value:
        if key.value == "draw" and isinstance(value, yaml.SequenceNode):
            return [fence_line + 1 + item.start_mark.line for item in value.value]
    return []


def check_draw(blueprint: Blueprint, banks: Mapping[str, BankIndex]) -> list[Problem]:
    """Every rule's bank must exist and hold enough matching questions for any seed.

    Rules are drawn in order without repeats, so a rule must still find ``count`` questions after
    the earlier rules took theirs: the check assumes each earlier rule took as many questions of
    this rule's pool as it could (min(its count, the overlap)).
    """
    problems = []
    for position, rule in enumerate(blueprint.draw):
        bank_index = banks.get(rule.bank)
        if bank_index is None:
            problems.append(Problem(blueprint.path, rule.line, f'unknown bank "{rule.bank}"'))
            continue
        pool = bank_index.pool_ids(rule)
        taken_before = sum(
            min(earlier.count, len(pool & bank_index.pool_ids(earlier)))
            for earlier in blueprint.draw[:position]
            if earlier.bank == rule.bank
        )
        if len(pool) < rule.count + taken_before:
            detail = f" ({taken_before} may already be taken by earlier rules)" if taken_before else ""
            problems.append(Problem(
                blueprint.path, rule.line,
                f"the rule asks for {rule.count} questions but {rule.describe()} has only {len(pool)}{detail}",
            ))
    return problems
