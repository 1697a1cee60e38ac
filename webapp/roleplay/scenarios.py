"""Role-play scenario files (docs/formats.md §5) parsed into immutable values.

Pure: no Flask, no database. ``parse_scenario(path, text)`` returns the scenario (or ``None``)
and every problem found, each with its file line, so ``flask content validate`` can list them
all at once.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from webapp.content.frontmatter import (
    ID, LOCALIZED_TEXT, TEXT_LIST, FieldChecker, FieldType, int_between, one_of, split_front_matter,
)
from webapp.content.problems import Problem
from webapp.content.sources import content_hash, parse_file
from webapp.roleplay.channels import CHANNELS, DEFAULT_CHANNEL, timing_policy
from webapp.roleplay.norms import ELEMENT_CATEGORIES, VIOLATION_CATEGORIES

CUSTOMER_TYPES = ("要求型", "困惑型", "激动型")
#: Customer-line variants, by the mood band they are spoken in (see ``call.mood_band``).
MOOD_VARIANTS = ("calm", "upset", "angry")
MIN_TURNS, MAX_TURNS = 3, 6
#: The seeds: never leave a caller waiting more than two minutes (every channel's upper bound).
WAIT_LIMIT_SECONDS = 120
#: The highest mood a call may start in; 4 (失控) means the call is already lost.
MAX_STARTING_MOOD = 3

SCENARIO_ID = FieldType(
    "an id of lowercase a-z, 0-9 and '-'",
    lambda value: isinstance(value, str) and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value) is not None,
)
#: A seed passage a scenario is grounded in: the seed file's number, then its section.
SEED_SOURCE = FieldType(
    "a list of seed passages, each the seed file number then its section, e.g. [004 场景七]",
    lambda value: isinstance(value, list) and len(value) > 0
    and all(isinstance(item, str) and re.fullmatch(r"\d{3}\s+\S.*", item.strip()) for item in value),
)
TURN_HEADING = re.compile(r"第\s*(\d+)\s*轮")
SECTION_CUSTOMER, SECTION_REQUIREMENTS, SECTION_MODEL_REPLY = "客户", "要求", "参考回复"
VARIANT_ITEM = re.compile(r"(?P<variant>[A-Za-z]+)\s*[:：]\s*(?P<text>.+)", re.S)
KEY_POINT_ITEM = re.compile(
    r"要点\s*[:：]\s*(?P<description>.+?)\s*(?:[（(]\s*关键词\s*[:：]\s*(?P<keywords>[^（()）]+?)\s*[）)]\s*)?",
    re.S,
)
KEYWORD_SEPARATORS = re.compile(r"\s*[、，,]\s*")
FRONT_MATTER_KEYS = {
    "id", "title", "module", "customer_type", "difficulty", "starting_mood",
    "pass_mark", "seconds_per_reply", "critical_violations", "tags", "channel", "sources", "situation",
}
#: A figure an agent states (an amount, a speed, a date, a house number): digits, maybe a decimal.
FIGURE = re.compile(r"\d+(?:\.\d+)?")
#: Figures an agent states without being given them: its own staff number and the service number.
OWN_FIGURES = re.compile(r"工号\s*\d+|10000")


@dataclass(frozen=True)
class Requirement:
    """One thing the reply of a turn must contain.

    ``key`` names it within its turn (the category, or ``key_point_N``); a norm element
    requirement has a ``category``; a key point has example ``phrasings`` and/or ``keywords``,
    and is met when the reply expresses one of them by meaning (webapp.roleplay.meaning).
    """

    key: str
    label: str
    category: str | None = None
    keywords: tuple[str, ...] = ()
    phrasings: tuple[str, ...] = ()

    @property
    def examples(self) -> tuple[str, ...]:
        """What the reply is compared with: the phrasings, then each keyword on its own."""
        return self.phrasings + self.keywords

    @property
    def is_key_point(self) -> bool:
        return self.category is None


@dataclass(frozen=True)
class CustomerLine:
    calm: str
    upset: str
    angry: str

    def variant(self, band: str) -> str:
        return getattr(self, band)


@dataclass(frozen=True)
class Turn:
    index: int  # 1-based, as written in "## 第N轮"
    customer: CustomerLine
    requirements: tuple[Requirement, ...]
    model_reply: str
    model_reply_line: int = field(default=0, compare=False)  # its first file line, for problems


@dataclass(frozen=True)
class Scenario:
    id: str
    title_zh: str
    title_en: str
    module: str
    customer_type: str
    difficulty: int
    starting_mood: int
    pass_mark: int
    seconds_per_reply: int
    critical_violations: tuple[str, ...]
    tags: tuple[str, ...]
    channel: str
    sources: tuple[str, ...]  # the seed passages it is grounded in, for a reviewer to check
    # What the agent's screen shows before the call (account data, an offer, a rule with its
    # figures): the only place besides the customer's lines that a reference reply takes figures from.
    situation_zh: str
    situation_en: str
    turns: tuple[Turn, ...]
    content_hash: str
    source: str  # the canonical file text the hash was taken from

    def title(self, locale: str) -> str:
        return self.title_zh if locale.startswith("zh") else self.title_en

    def situation(self, locale: str) -> str:
        return self.situation_zh if locale.startswith("zh") else self.situation_en


def parse_scenario_file(path: Path, root: Path) -> tuple[Scenario | None, list[Problem]]:
    return parse_file(path, root, parse_scenario)


def parse_scenario(path: str, text: str, expected_id: str | None = None,
                   stored: bool = False) -> tuple[Scenario | None, list[Problem]]:
    """Parse one scenario file's canonical text. Returns ``(None, problems)`` unless all is valid.

    ``stored``: a version imported earlier, which may predate the rules that every scenario names
    its seed passages and channel (``sources`` is then optional, as it was)."""
    front, body_start, problems = split_front_matter(path, text)
    if problems:
        return None, problems
    fields = FieldChecker(front, path, front.line)
    scenario_id = fields.require("id", SCENARIO_ID)
    if scenario_id and expected_id and scenario_id != expected_id:
        problems.append(Problem(path, front.line_of("id"), f'id "{scenario_id}" does not match the file name "{expected_id}.md"'))
    title = fields.require("title", LOCALIZED_TEXT) or {"zh": "", "en": ""}
    situation = fields.optional("situation", LOCALIZED_TEXT, default=None) or {"zh": "", "en": ""}
    critical = fields.optional("critical_violations", TEXT_LIST, default=[]) or []
    for category in critical:
        if category not in VIOLATION_CATEGORIES:
            problems.append(Problem(path, front.line_of("critical_violations"), f'unknown violation category "{category}"'))
    values = dict(
        module=fields.require("module", ID),
        customer_type=fields.require("customer_type", one_of(*CUSTOMER_TYPES)),
        difficulty=fields.require("difficulty", int_between(1, 3)),
        starting_mood=fields.require("starting_mood", int_between(0, MAX_STARTING_MOOD)),
        pass_mark=fields.require("pass_mark", int_between(1, 100)),
        seconds_per_reply=fields.require("seconds_per_reply", int_between(1, WAIT_LIMIT_SECONDS)),
        tags=tuple(fields.optional("tags", TEXT_LIST, default=[]) or ()),
        channel=fields.optional("channel", one_of(*CHANNELS), default=DEFAULT_CHANNEL),
        sources=tuple(item.strip() for item in (
            fields.optional("sources", SEED_SOURCE, default=[]) if stored else fields.require("sources", SEED_SOURCE)
        ) or ()),
    )
    fields.reject_unknown(FRONT_MATTER_KEYS)
    problems.extend(fields.problems)
    if values["channel"] and values["seconds_per_reply"]:
        limit = timing_policy(values["channel"]).max_seconds_per_reply
        if values["seconds_per_reply"] > limit:
            problems.append(Problem(path, front.line_of("seconds_per_reply"),
                                    f'"seconds_per_reply" is at most {limit} on the {values["channel"]} channel'))
    turns = _BodyReader(path, body_start, problems).turns(text)
    problems.extend(unsourced_figures(path, turns, situation["zh"]))
    if problems:
        return None, sorted(problems)
    return Scenario(
        id=scenario_id, title_zh=title["zh"].strip(), title_en=title["en"].strip(),
        situation_zh=situation["zh"].strip(), situation_en=situation["en"].strip(), critical_violations=tuple(critical), turns=turns, content_hash=content_hash(text), source=text,
        **values,
    ), []


def unsourced_figures(path: str, turns: tuple[Turn, ...], situation: str) -> list[Problem]:
    """A reference reply teaches what it says: a figure in it (15元, 300兆, 文一路128号) must come
    from the situation the agent is shown or from what the customer has said by then, never be
    made up on the spot. Chinese numerals (三天) are left to the reviewer."""
    known, problems = set(FIGURE.findall(situation)), []
    for turn in turns:
        known.update(FIGURE.findall(" ".join((turn.customer.calm, turn.customer.upset, turn.customer.angry))))
        for figure in dict.fromkeys(FIGURE.findall(OWN_FIGURES.sub(" ", turn.model_reply))):
            if figure not in known:
                problems.append(Problem(path, turn.model_reply_line or 1, (
                    f"the reference reply of 第{turn.index}轮 states {figure}, which neither the situation "
                    f"(front matter 'situation') nor the customer's lines so far give")))
    return problems


class _BodyReader:
    """Walks the markdown-it block tokens of the body: ``## 第N轮`` then ``### 客户/要求/参考回复``."""

    def __init__(self, path: str, body_start: int, problems: list[Problem]):
        self.path, self.body_start, self.problems = path, body_start, problems

    def _line(self, token: Token) -> int:
        return self.body_start + (token.map[0] if token.map else 0)

    def _problem(self, token_or_line, message: str) -> None:
        line = token_or_line if isinstance(token_or_line, int) else self._line(token_or_line)
        self.problems.append(Problem(self.path, line, message))

    def turns(self, source: str) -> tuple[Turn, ...]:
        body = "\n".join(source.split("\n")[self.body_start - 1:])
        tokens = MarkdownIt("commonmark").parse(body)
        preamble, headed = _split_at_h2(tokens)
        if preamble:
            self._problem(preamble[0], "text before the first '## 第N轮' heading")
        if not MIN_TURNS <= len(headed) <= MAX_TURNS:
            self._problem(self.body_start, f"a scenario has {MIN_TURNS} to {MAX_TURNS} turns (## 第N轮), found {len(headed)}")
        turns = [self._turn(number, heading, blocks) for number, (heading, blocks) in enumerate(headed, start=1)]
        return tuple(turn for turn in turns if turn)

    def _turn(self, expected_index: int, heading: Token, blocks: list[Token]) -> Turn | None:
        title = heading_text(blocks[0])
        blocks = blocks[1:]
        match = TURN_HEADING.fullmatch(title)
        if not match:
            self._problem(heading, f"turn heading must be '## 第{expected_index}轮', found '{title}'")
            return None
        if int(match.group(1)) != expected_index:
            self._problem(heading, f"turns must be numbered in order: expected 第{expected_index}轮, found {title}")
        sections = self._sections(heading, blocks)
        customer = self._customer(heading, sections.get(SECTION_CUSTOMER))
        requirements = self._requirements(heading, sections.get(SECTION_REQUIREMENTS))
        model_reply = self._model_reply(heading, sections.get(SECTION_MODEL_REPLY))
        if customer is None or requirements is None or model_reply is None:
            return None
        return Turn(expected_index, customer, requirements, *model_reply)

    def _sections(self, heading: Token, blocks: list[Token]) -> dict[str, tuple[Token, list[Token]]]:
        sections: dict[str, tuple[Token, list[Token]]] = {}
        current: list[Token] | None = None
        index = 0
        while index < len(blocks):
            token = blocks[index]
            if token.type == "heading_open" and token.tag == "h3":
                name = heading_text(blocks[index + 1])
                index += 3  # heading_open, inline, heading_close
                if name not in (SECTION_CUSTOMER, SECTION_REQUIREMENTS, SECTION_MODEL_REPLY):
                    self._problem(token, f"unknown section '### {name}' (expected 客户, 要求 or 参考回复)")
                    current = None
                elif name in sections:
                    self._problem(token, f"section '### {name}' appears twice in this turn")
                    current = None
                else:
                    current = []
                    sections[name] = (token, current)
                continue
            if current is None:
                if token.level == 0 and token.nesting >= 0:
                    self._problem(token, "text outside a '### 客户/要求/参考回复' section")
                    index = _skip_block(blocks, index)
                    continue
            else:
                current.append(token)
            index += 1
        return sections

    def _missing(self, heading: Token, section: str) -> None:
        self._problem(heading, f"turn has no '### {section}' section")

    def _list_items(self, section_token: Token, tokens: list[Token], section: str) -> list[tuple[Token, str, tuple[str, ...]]] | None:
        """The bullet items of a section as (item token, text); anything else is a problem."""
        items: list[tuple[Token, str, tuple[str, ...]]] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type == "bullet_list_open" and token.level == 0:
                end = _skip_block(tokens, index)
                items.extend(_bullet_items(tokens[index:end]))
                index = end
            elif token.level == 0 and token.nesting >= 0:
                self._problem(token, f"'### {section}' holds a bullet list only")
                index = _skip_block(tokens, index)
            else:
                index += 1
        if not items:
            self._problem(section_token, f"'### {section}' has no list items")
            return None
        return items

    def _customer(self, heading: Token, section) -> CustomerLine | None:
        if section is None:
            self._missing(heading, SECTION_CUSTOMER)
            return None
        section_token, tokens = section
        items = self._list_items(section_token, tokens, SECTION_CUSTOMER)
        if items is None:
            return None
        variants: dict[str, str] = {}
        for item, text, nested in items:
            if nested:
                self._problem(item, "a customer line has no nested list")
            match = VARIANT_ITEM.fullmatch(text)
            name = match.group("variant") if match else None
            if name not in MOOD_VARIANTS:
                self._problem(item, f"customer line must start with calm:, upset: or angry:, found '{text[:20]}'")
            elif name in variants:
                self._problem(item, f"customer variant '{name}' is given twice")
            else:
                variants[name] = match.group("text").strip()
        missing = [name for name in MOOD_VARIANTS if name not in variants]
        if missing:
            self._problem(section_token, f"customer line is missing the variant(s): {', '.join(missing)}")
            return None
        return CustomerLine(**variants)

    def _requirements(self, heading: Token, section) -> tuple[Requirement, ...] | None:
        if section is None:
            self._missing(heading, SECTION_REQUIREMENTS)
            return None
        section_token, tokens = section
        items = self._list_items(section_token, tokens, SECTION_REQUIREMENTS)
        if items is None:
            return None
        requirements: list[Requirement] = []
        for item, text, nested in items:
            requirement = self._requirement(item, text, nested, sum(r.is_key_point for r in requirements) + 1)
            if requirement is None:
                continue
            if any(r.key == requirement.key for r in requirements):
                self._problem(item, f"requirement '{requirement.key}' is listed twice")
                continue
            requirements.append(requirement)
        return tuple(requirements)

    def _requirement(self, item: Token, text: str, phrasings: tuple[str, ...],
                     key_point_number: int) -> Requirement | None:
        if text.startswith("要点"):
            match = KEY_POINT_ITEM.fullmatch(text)
            keywords = tuple(k for k in KEYWORD_SEPARATORS.split(match.group("keywords") or "") if k) if match else ()
            if not match or not (keywords or phrasings):
                self._problem(item, "key point must read '要点：<说明>' followed by example phrasings as a "
                                    "nested list, and/or '（关键词：a、b、c）'")
                return None
            return Requirement(f"key_point_{key_point_number}", match.group("description"),
                               keywords=keywords, phrasings=phrasings)
        if phrasings:
            self._problem(item, "only a 要点 has example phrasings (a nested list)")
            return None
        if text in VIOLATION_CATEGORIES:
            self._problem(item, f"'{text}' is a violation category, not a requirement")
            return None
        if text not in ELEMENT_CATEGORIES:
            self._problem(item, f"unknown requirement category '{text}' (expected one of {', '.join(ELEMENT_CATEGORIES)} or a 要点)")
            return None
        return Requirement(text, text, category=text)

    def _model_reply(self, heading: Token, section) -> tuple[str, int] | None:
        if section is None:
            self._missing(heading, SECTION_MODEL_REPLY)
            return None
        section_token, tokens = section
        paragraphs, first_line = [], self._line(section_token)
        for index, token in enumerate(tokens):
            if token.type == "paragraph_open" and token.level == 0:
                first_line = first_line if paragraphs else self._line(token)
                paragraphs.append(join_lines(tokens[index + 1].content))
            elif token.level == 0 and token.nesting >= 0 and token.type != "paragraph_close":
                self._problem(token, f"'### {SECTION_MODEL_REPLY}' holds plain paragraphs only")
        reply = "\n".join(p for p in paragraphs if p)
        if not reply:
            self._problem(section_token, "turn has no model reply text")
            return None
        return reply, first_line


def heading_text(inline: Token) -> str:
    return inline.content.strip()


def join_lines(text: str) -> str:
    """Soft-wrapped Chinese text joins without spaces."""
    return "".join(line.strip() for line in text.splitlines())


def _split_at_h2(tokens: list[Token]) -> tuple[list[Token], list[tuple[Token, list[Token]]]]:
    """(tokens before the first ``##``, [(h2 heading_open, its inline token + following tokens)])."""
    preamble: list[Token] = []
    headed: list[tuple[Token, list[Token]]] = []
    closing_heading = False
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h2":
            headed.append((token, []))
            closing_heading = True
        elif closing_heading and token.type == "heading_close":
            closing_heading = False
        else:
            (headed[-1][1] if headed else preamble).append(token)
    return preamble, headed


def _skip_block(tokens: list[Token], index: int) -> int:
    """Index just after the block starting at ``index`` (a matching close, or one token)."""
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth <= 0:
            return position + 1
    return len(tokens)


def _bullet_items(tokens: list[Token]) -> list[tuple[Token, str, tuple[str, ...]]]:
    """(list_item_open token, its first paragraph's text, texts of its nested items) per item."""
    items = []
    level = tokens[0].level
    for index, token in enumerate(tokens):
        if token.type == "list_item_open" and token.level == level + 1:
            end = _skip_block(tokens, index)
            inline = next((t for t in tokens[index + 1:end] if t.type == "inline"), None)
            nested = tuple(
                join_lines(next(t for t in tokens[position + 1:end] if t.type == "inline").content)
                for position in range(index + 1, end)
                if tokens[position].type == "list_item_open" and tokens[position].level == level + 3
            )
            items.append((token, join_lines(inline.content) if inline else "", nested))
    return items
