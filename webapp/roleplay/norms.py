"""Service-language norms: load and validate ``quizzes/roleplay/norms.yaml`` (pure).

The YAML file is trainer-editable (docs/authoring/norms.md). Loading turns it into a frozen
``Norms`` whose ``version`` is the sha256 of the file text, and builds once the single
Aho-Corasick automaton that ``webapp.roleplay.scoring`` scans every reply with. Every problem
is reported as ``Problem(path, line, message)`` at the YAML line that caused it.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import ahocorasick
import yaml

from webapp.content.problems import ContentProblems, Problem
from webapp.roleplay.learned import shipped_model
from webapp.roleplay.literals import Literals
from webapp.roleplay.meaning import half_width

ELEMENT_CATEGORIES = (
    "greeting",
    "self_identification",
    "empathy",
    "apology",
    "confirmation",
    "offer_further_help",
    "closing",
)
VIOLATION_CATEGORIES = (
    "forbidden_phrase",
    "informal_address",
    "uncertain_language",
    "multiple_questions",
    "jargon",
)
ALL_CATEGORIES = ELEMENT_CATEGORIES + VIOLATION_CATEGORIES

# Violations found by a rule over the whole reply rather than by phrases.
RULE_ONLY_CATEGORIES = ("multiple_questions",)
STAFF_NUMBER_PLACEHOLDER = "#"
# A pattern with many optional parts multiplies out; past this it is almost certainly a typo.
MAX_EXPANSIONS_PER_PHRASE = 1000

# Kinds of automaton keys. "category" keys are the phrases of a category; the others are the
# words context rules look for, found by the same single scan.
KIND_CATEGORY = "category"
KIND_ALLOW = "allow"
KIND_PLAIN_WORD = "plain_word"  # rules.not_negating: 打不通, 别的 … hold 不/别 and negate nothing
KIND_LOOKALIKE = "lookalike"
KIND_NEGATOR = "negator"
KIND_CLAUSE_WORD = "clause_word"
KIND_TIME_UNIT = "time_unit"
KIND_EXPLANATION = "explanation"  # a jargon term's own explanation, e.g. 接入点 for APN
KIND_EXPLANATION_MARKER = "explanation_marker"  # 也就是, 就是说 …
KIND_EXPLANATION_NEAR = "explanation_near"  # 就是, 即 … only right next to the term
KIND_RHETORICAL = "rhetorical"  # 不是 … 了吗: a rhetorical question opener (rules.rhetorical_questions)
KIND_INTENT = "intent"  # a marker word of an intent rule (rules.intent_rules): 不能, 忘了, 把 …
KIND_Q_PARTICLE = "q_particle"
KIND_Q_FORM = "q_form"
KIND_Q_WH = "q_wh"
KIND_Q_COURTESY = "q_courtesy"
KIND_Q_CONDITIONAL = "q_conditional"
KIND_Q_WH_END = "q_wh_end"  # 多少, 哪里 … ending a clause: a question even without "？"
QUESTION_KINDS = frozenset(
    {KIND_Q_PARTICLE, KIND_Q_FORM, KIND_Q_WH, KIND_Q_COURTESY, KIND_Q_CONDITIONAL, KIND_Q_WH_END}
)

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


# --------------------------------------------------------------------------- normalisation


class _FoldTable(dict):
    """str.translate table folding one character at a time, filled on first use.

    Per character so that every folded character can be mapped back to its original offset:
    NFKC (full-width digits and letters, full-width punctuation), lower case, whitespace and
    zero-width characters removed. ``irregular`` collects the characters whose folded form is
    not exactly one character; replies without any of them take the fast path in the scorer.
    """

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char.isspace() or char in _ZERO_WIDTH:
            folded = ""
        else:
            folded = unicodedata.normalize("NFKC", char).lower()
            folded = "".join(c for c in folded if not c.isspace())
        if len(folded) != 1:
            self.irregular.add(char)
        self[code] = folded
        return folded


FOLD_TABLE = _FoldTable()


#: What fold removes: a text with none of these, in lower case and NFKC-normal, folds to itself.
_REMOVED_BY_FOLD = re.compile("[\\s" + "".join(sorted(_ZERO_WIDTH)) + "]")


def folds_to_itself(text: str) -> bool:
    """fold(text) == text, told without a table lookup per character (most replies: Chinese
    characters and ASCII punctuation). NFKC-normal as a whole means no character of it changes
    under NFKC on its own either."""
    return (unicodedata.is_normalized("NFKC", text) and text.lower() == text
            and _REMOVED_BY_FOLD.search(text) is None)


def quick_fold(text: str) -> str | None:
    """fold(text) when folding changes nothing but full-width ASCII (，？！ → ,?!), told without a
    table lookup per character (most replies); None otherwise. Every character stays one."""
    half = half_width(text)
    return half if folds_to_itself(half) else None


def fold(text: str) -> str:
    """Normalise text the way replies and phrases are compared."""
    quick = quick_fold(text)
    return text.translate(FOLD_TABLE) if quick is None else quick


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Category:
    name: str
    kind: str  # "element" | "violation"
    label: str
    points: int  # points earned (element) or penalty (violation), counted once per reply
    suggestion: str  # better phrasing (violations); "" for elements
    negatable: bool  # whether a negator shortly before a hit cancels it
    learned: Learned | None = None  # how the learned model joins the rules (None: rules only)
    #: violations that make this element hollow in the same reply (sympathy beside a brush-off)
    hollow_with: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Learned:
    """How a category consults the model learned from labelled replies (webapp.roleplay.learned):
    a rule hit the model rates below ``veto_below`` is cancelled (the words matched, the meaning
    did not), and from ``find_from`` the model finds the category where no rule did — with
    ``asks``, only in a reply that asks the customer something (a check is a question). With
    ``veto_with_hits`` the veto reads the model learned from the category's phrase hits alone:
    every reply it saw holds a listed word, so it weighs what surrounds the word (who it is
    about, a reason, a next step) rather than the word itself. ``find_beside`` raises
    ``find_from`` in a reply that also holds another category: beside an apology, the trouble
    apologised for (让您白跑了两趟) reads to the model like sympathy."""

    veto_below: float = 0.0
    find_from: float | None = None
    asks: bool = False
    veto_with_hits: bool = False
    find_beside: tuple[tuple[str, float], ...] = ()  # (other category, probability needed beside it)


@dataclass(frozen=True)
class KeyMeaning:
    """What an automaton key stands for (one key may mean several things)."""

    kind: str
    phrase: str  # the phrase as written in the norms file (pattern syntax kept)
    category: str | None = None
    suggestion: str | None = None  # phrase-specific better phrasing, violations only
    staff_number_side: str | None = None  # "before" | "after" for "#号为您服务" / "工号#"
    jargon_term: str | None = None  # for explanation keys and jargon terms
    excluded_categories: frozenset[str] = frozenset()  # look-alikes
    endings: tuple[str, ...] = ()  # rhetorical openers: the clause endings that make the question
    intent: int | None = None  # intent markers: index of their rule in Rules.intent_rules
    #: a violation phrase's ``unless`` words: one in the same sentence cancels the hit (不可能
    #: after 您担心… reassures about what the customer feared, it contradicts nobody)
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class InnerMeaning:
    """A shorter key found inside a longer key; longest match hides it from the scan."""

    offset: int
    length: int
    meaning: KeyMeaning
    suppress_reason: str | None  # None: still counts; else a format string {inner} {outer}


@dataclass(frozen=True)
class KeyInfo:
    key: str
    meanings: tuple[KeyMeaning, ...]
    inner: tuple[InnerMeaning, ...]


@dataclass(frozen=True)
class IntentRule:
    """An intent-level forbidden-phrase rule (rules.intent_rules, docs/authoring/norms.md §3).

    A marker (found by the single scan) fires when, inside its clause, it is preceded by one of
    the ``subjects`` (at most ``max_gap`` characters before it, or with only ``fillers`` in
    between when ``fillers_only``), or -- with ``at_start`` "clause"/"sentence" -- when only
    ``fillers`` precede it in its clause/sentence. The ``unless_*`` words cancel it.
    """

    name: str
    suggestion: str
    subjects: tuple[str, ...] = ()
    max_gap: int = 0
    fillers_only: bool = False
    fillers: tuple[str, ...] = ()  # longest first
    at_start: str = ""  # "" | "clause" | "sentence"
    unless_clause: tuple[str, ...] = ()
    unless_reply: tuple[str, ...] = ()
    #: words that cancel only after the marker: 不能开纸质发票，不过电子发票… offers a way; 理解您，
    #: 但是没办法 turns back to the refusal
    unless_after: tuple[str, ...] = ()
    unless_next: tuple[str, ...] = ()
    unless_before: tuple[str, ...] = ()
    absorbs: frozenset[str] = frozenset()  # violation categories a hit of this rule cancels in its span


@dataclass(frozen=True)
class SequenceRule:
    """A category expressed by words in order with gaps between them (rules.sequences).

    ``pattern`` is compiled from the rule's ``parts`` (each a phrase with [a|b] alternatives,
    or ``<姓名>`` a person's name, ``<号码>`` a number of 3+ digits) joined by gaps of at most
    ``max_gap`` characters that do not cross the end of a clause (``within: clause``) or a
    sentence (``within: sentence``). ``unless`` words in the same sentence cancel a match;
    ``unless_overlapping`` words only where they overlap it (您别着急 holds its own 着急, but
    sympathy followed by 您别着急 is still sympathy).
    """

    name: str
    category: str
    pattern: Any = field(compare=False)  # re.Pattern over the folded reply
    unless: tuple[str, ...] = ()
    unless_overlapping: tuple[str, ...] = ()
    #: Literals of one plain part; a reply without one cannot match, so the scorer runs the
    #: pattern only where (the first part) or when (a later part) one occurs.
    anchors: tuple[str, ...] = ()
    anchored: bool = True  # the anchor is the first part: match only at an anchor's position

    @cached_property
    def meaning(self) -> KeyMeaning:
        """What a match stands for, like a phrase hit of the category (made once, not per match)."""
        return KeyMeaning(KIND_CATEGORY, f"rules.sequences: {self.name}", self.category)


@dataclass(frozen=True)
class Rules:
    negators: tuple[str, ...]
    negation_window: int
    negation_applies_to: frozenset[str]
    clause_punctuation: str
    clause_words: tuple[str, ...]
    sentence_end: str
    time_hedges: tuple[str, ...]
    time_numerals: str
    time_max_gap: int
    staff_digits: str
    staff_min_digits: int
    service_numbers: frozenset[str]
    min_bare_question_chars: int
    quote_pairs: tuple[tuple[str, str], ...]
    never_swallowed: frozenset[str]
    explanation_before_gap: int = 0  # a marker this close BEFORE a term explains it too
    #: rules.time_estimate.vague: a count that is no number (过几天, 这两天); hedged_by: a clause
    #: ending in one keeps its estimate a hedge (估计三五天吧)
    time_vague: tuple[str, ...] = ()
    time_hedged_by: tuple[str, ...] = ()
    explanation_near_gap: int = 0  # near markers (就是) count only this close after the term
    intent_rules: tuple[IntentRule, ...] = ()
    sequences: tuple[SequenceRule, ...] = ()
    #: rules.questions.check_tags: a sentence ending in one restates and checks (…，对吗？) and
    #: counts as one question; not_asking: words in which a question word asks nothing (好几, 几乎)
    question_check_tags: tuple[str, ...] = ()
    not_asking: tuple[str, ...] = ()
    #: rules.questions.check_requests: asking the customer to check without a question
    #: (您核对一下，没错的话签字); with the questions, what a category that ``asks`` needs
    check_requests: tuple[str, ...] = ()
    #: rules.questions.tell_requests: asking the customer to tell what the question before asked
    #: (发生了什么，能跟我说说吗？): the same question again
    tell_requests: tuple[str, ...] = ()
    #: folded anchor literal → indexes of the sequence rules it anchors (one scan finds them all)
    sequence_anchors: Literals | None = field(default=None, compare=False, repr=False)
    #: Latin words everyone knows (wifi, app); any other Latin word is a technical term
    #: (rules.jargon_acronyms). None: only the listed terms are jargon.
    everyday_latin: frozenset[str] | None = None
    latin_value_markers: tuple[str, ...] = ()  # 改成ctnet: what follows is a value to type
    #: rules.intensifiers: words that add only degree (真的, 非常); a clause of another element's
    #: phrase and these says that element only -- 真的很抱歉 is an apology, not empathy
    intensifiers: tuple[str, ...] = ()
    #: rules.bare_replies: a whole reply of at most ``bare_max_characters`` characters (身份证。重启。
    #: 没货。) with none of ``bare_courteous`` and no question is curt: a forbidden phrase by its form
    bare_max_characters: int = 0
    bare_courteous: tuple[str, ...] = ()
    #: rules.situation_contrasts: words that turn a sentence against what came before (但, 可是);
    #: without one, what a sentence says before the customer's feelings is their situation, no blame
    situation_contrasts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Norms:
    version: str  # sha256 of the norms file text
    path: str
    categories: Mapping[str, Category]
    rules: Rules
    phrase_count: int  # automaton keys, after expanding [a|b] alternatives
    phrases: Literals = field(compare=False, repr=False)  # every key, with its KeyInfo
    #: Call-centre synonym groups (班长 ≈ 主管 ≈ 值班经理) that key points are judged with,
    #: folded; see webapp.roleplay.meaning.
    synonym_groups: tuple[tuple[str, ...], ...] = ()

    @property
    def elements(self) -> tuple[Category, ...]:
        return tuple(self.categories[name] for name in ELEMENT_CATEGORIES)

    @cached_property
    def consulting(self) -> tuple[Category, ...]:
        """The categories that consult the learned model (``learned:``), violations first (a check of
        understanding weighs the forbidden phrases that stand the model's veto), else in norms order."""
        return tuple(sorted((category for category in self.categories.values() if category.learned is not None),
                            key=lambda category: category.kind == "element"))

    @property
    def violations(self) -> tuple[Category, ...]:
        return tuple(self.categories[name] for name in VIOLATION_CATEGORIES)


# --------------------------------------------------------------------------- YAML with lines


class _Located:
    """Walks the composed YAML node tree so every value keeps its file line."""

    def __init__(self, node: yaml.Node | None, constructor: yaml.SafeLoader):
        self.node = node
        self._constructor = constructor

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1 if self.node is not None else 1

    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    def is_sequence(self) -> bool:
        return isinstance(self.node, yaml.SequenceNode)

    def value(self) -> Any:
        return self._constructor.construct_object(self.node, deep=True)

    def items(self) -> list[tuple[str, _Located]]:
        return [
            (str(self._constructor.construct_object(k)), _Located(v, self._constructor))
            for k, v in self.node.value
        ]

    def get(self, key: str) -> _Located | None:
        for name, child in self.items():
            if name == key:
                return child
        return None

    def elements(self) -> list[_Located]:
        return [_Located(child, self._constructor) for child in self.node.value]


class _Checker:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def add(self, where: _Located | int, message: str) -> None:
        line = where if isinstance(where, int) else where.line
        self.problems.append(Problem(self.path, line, message))

    def mapping(self, node: _Located | None, what: str, parent_line: int,
                required: Iterable[str], optional: Iterable[str] = ()) -> _Located | None:
        if node is None:
            self.add(parent_line, f"{what}: missing")
            return None
        if not node.is_mapping():
            self.add(node, f"{what}: expected a mapping")
            return None
        required = tuple(required)
        allowed = set(required) | set(optional)
        names = [name for name, _ in node.items()]
        for name in names:
            if name not in allowed:
                self.add(node.get(name), f"{what}: unknown key {name!r}")
        for name in required:
            if name not in names:
                self.add(node, f"{what}: missing key {name!r}")
        return node

    def text(self, node: _Located | None, what: str, parent_line: int,
             allow_empty: bool = False) -> str | None:
        if node is None:
            self.add(parent_line, f"{what}: missing")
            return None
        value = node.value()
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.add(node, f"{what}: expected text, got {type(value).__name__}")
            return None
        value = str(value)
        if not value.strip() and not allow_empty:
            self.add(node, f"{what}: must not be empty")
            return None
        return value

    def integer(self, node: _Located | None, what: str, parent_line: int,
                minimum: int = 0) -> int | None:
        if node is None:
            self.add(parent_line, f"{what}: missing")
            return None
        value = node.value()
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.add(node, f"{what}: expected a whole number >= {minimum}")
            return None
        return value

    def text_list(self, node: _Located | None, what: str, parent_line: int,
                  allow_empty_list: bool = False) -> list[tuple[str, int]]:
        if node is None:
            self.add(parent_line, f"{what}: missing")
            return []
        if not node.is_sequence():
            self.add(node, f"{what}: expected a list")
            return []
        out = []
        for item in node.elements():
            value = self.text(item, f"{what} item", node.line)
            if value is not None:
                out.append((value, item.line))
        if not out and not allow_empty_list:
            self.add(node, f"{what}: must not be empty")
        return out


# --------------------------------------------------------------------------- phrase patterns


def expand_pattern(pattern: str) -> list[str]:
    """Expand ``给您带来[了|]不便`` into every literal it stands for.

    Raises ValueError with a trainer-readable message for malformed patterns.
    """
    parts: list[list[str]] = []
    literal = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "[":
            close = pattern.find("]", i)
            if close < 0:
                raise ValueError("'[' without a closing ']'")
            body = pattern[i + 1:close]
            if "[" in body:
                raise ValueError("alternatives cannot be nested")
            parts.append(["".join(literal)])
            literal = []
            parts.append(body.split("|"))
            i = close + 1
            continue
        if char in "]|":
            raise ValueError(f"{char!r} outside [..|..] alternatives")
        literal.append(char)
        i += 1
    parts.append(["".join(literal)])
    count = 1
    for options in parts:
        count *= len(options)
    if count > MAX_EXPANSIONS_PER_PHRASE:
        raise ValueError(f"expands to {count} phrases (limit {MAX_EXPANSIONS_PER_PHRASE})")
    seen: dict[str, None] = {}
    for combo in itertools.product(*parts):
        seen.setdefault(fold("".join(combo)), None)
    return list(seen)


# --------------------------------------------------------------------------- loading


def load_norms(path: str | Path) -> Norms:
    """Load and validate a norms file; raise ContentProblems listing every problem."""
    path = Path(path)
    norms, problems = parse_norms(path.read_text(encoding="utf-8"), str(path))
    if problems:
        raise ContentProblems(problems)
    return norms


def parse_norms(text: str, path: str) -> tuple[Norms | None, list[Problem]]:
    """Parse norms text; returns (norms, []) or (None, problems)."""
    norms, problems = _parse_norms(text, path)
    return norms, list(problems)


# Compiling the shipped norms takes over a second; the editor checks a draft and scores its sample
# reply with the same text after each pause in typing, so the last two texts stay compiled (a
# Norms is immutable; each holds some 20 MB of automaton and patterns).
@lru_cache(maxsize=2)
def _parse_norms(text: str, path: str) -> tuple[Norms | None, tuple[Problem, ...]]:
    check = _Checker(path)
    try:
        root_node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return None, (Problem(path, line, f"YAML error: {getattr(error, 'problem', error)}"),)
    root = _Located(root_node, yaml.SafeLoader(""))
    if root_node is None or check.mapping(root, "norms file", 1, ("elements", "violations", "rules"),
                                          ("synonyms",)) is None:
        if root_node is None:
            check.add(1, "norms file is empty")
        return None, tuple(check.problems)

    builder = _IndexBuilder(check)
    categories = _parse_categories(root, check, builder)
    rules = _parse_rules(root.get("rules"), check, builder)
    synonym_groups = _parse_synonyms(root.get("synonyms"), check)
    if check.problems or rules is None:
        return None, tuple(sorted(set(check.problems)))
    phrases, key_count = builder.build(rules)
    if check.problems:
        return None, tuple(sorted(set(check.problems)))
    norms = Norms(
        version=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        path=path,
        categories=MappingProxyType(categories),
        rules=rules,
        phrase_count=key_count,
        phrases=phrases,
        synonym_groups=synonym_groups,
    )
    return norms, ()


def _parse_synonyms(node: _Located | None, check: _Checker) -> tuple[tuple[str, ...], ...]:
    """``synonyms:`` — a list of groups, each a list of two or more words meaning the same here."""
    if node is None:
        return ()
    if not node.is_sequence():
        check.add(node, "synonyms: expected a list of word groups")
        return ()
    groups = []
    for item in node.elements():
        words = check.text_list(item, "synonyms group", item.line)
        if len(words) == 1:
            check.add(item, "synonyms group: needs at least two words")
        for word, line in words:
            if any(ch in word for ch in "[]|#") or not fold(word):
                check.add(line, f"synonyms group: {word!r} must be a plain word")
        groups.append(tuple(dict.fromkeys(fold(word) for word, _ in words)))
    return tuple(groups)


def _parse_categories(root: _Located, check: _Checker, builder: _IndexBuilder) -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for section, kind, names in (
        ("elements", "element", ELEMENT_CATEGORIES),
        ("violations", "violation", VIOLATION_CATEGORIES),
    ):
        node = check.mapping(root.get(section), section, root.line, names)
        if node is None:
            continue
        for name, child in node.items():
            if name not in names:
                continue  # already reported as an unknown key
            category = _parse_category(name, kind, child, check, builder)
            if category is not None:
                categories[name] = category
    return categories


def _parse_category(name: str, kind: str, node: _Located, check: _Checker,
                    builder: _IndexBuilder) -> Category | None:
    where = f"{'elements' if kind == 'element' else 'violations'}.{name}"
    if kind == "element":
        required, optional, score_key = ("label", "points", "phrases"), ("negatable", "learned", "hollow_with"), "points"
    elif name in RULE_ONLY_CATEGORIES:
        required, optional, score_key = ("label", "penalty", "suggestion"), (), "penalty"
    elif name == "jargon":
        required, optional, score_key = ("label", "penalty", "suggestion", "terms"), ("learned",), "penalty"
    else:
        required, optional, score_key = ("label", "penalty", "suggestion", "phrases"), ("negatable", "learned"), "penalty"
    if check.mapping(node, where, node.line, required, optional) is None:
        return None
    label = check.text(node.get("label"), f"{where}.label", node.line)
    points = check.integer(node.get(score_key), f"{where}.{score_key}", node.line)
    suggestion = ""
    if kind == "violation":
        suggestion = check.text(node.get("suggestion"), f"{where}.suggestion", node.line) or ""
    negatable_node = node.get("negatable")
    negatable = True
    if negatable_node is not None:
        negatable = negatable_node.value()
        if not isinstance(negatable, bool):
            check.add(negatable_node, f"{where}.negatable: expected true or false")
            negatable = True

    if name == "jargon":
        _parse_jargon_terms(node.get("terms"), where, check, builder)
    elif name not in RULE_ONLY_CATEGORIES:
        _parse_phrases(name, kind, node.get("phrases"), where, check, builder)
    learned = _parse_learned(name, node.get("learned"), where, check)
    hollow_with = _parse_hollow_with(node.get("hollow_with"), where, check)
    if label is None or points is None:
        return None
    return Category(name, kind, label, points, suggestion, negatable, learned, hollow_with)


def _parse_hollow_with(node: _Located | None, where: str, check: _Checker) -> frozenset[str]:
    if node is None:
        return frozenset()
    names = set()
    for value, line in check.text_list(node, f"{where}.hollow_with", node.line):
        if value in VIOLATION_CATEGORIES:
            names.add(value)
        else:
            check.add(line, f"{where}.hollow_with: {value!r} is not a violation category")
    return frozenset(names)


def _parse_learned(name: str, node: _Located | None, where: str, check: _Checker) -> Learned | None:
    if node is None or check.mapping(node, f"{where}.learned", node.line, (),
                                     ("veto_below", "find_from", "asks", "veto_with_hits", "find_beside")) is None:
        return None
    values: dict[str, Any] = {}
    for key in ("asks", "veto_with_hits"):
        flag = node.get(key)
        if flag is None:
            continue
        if not isinstance(flag.value(), bool):
            check.add(flag, f"{where}.learned.{key}: expected true or false")
            return None
        values[key] = flag.value()
    for key in ("veto_below", "find_from"):
        child = node.get(key)
        if child is None:
            continue
        value = child.value()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            check.add(child, f"{where}.learned.{key}: expected a probability between 0 and 1")
            return None
        values[key] = float(value)
    if values.get("find_from", 1.0) < values.get("veto_below", 0.0):
        check.add(node, f"{where}.learned: find_from must not be below veto_below")
        return None
    beside = node.get("find_beside")
    if beside is not None:
        if "find_from" not in values:
            check.add(beside, f"{where}.learned.find_beside: needs find_from")
            return None
        if check.mapping(beside, f"{where}.learned.find_beside", beside.line, (), ALL_CATEGORIES) is None:
            return None
        pairs = []
        for other, child in beside.items():
            value = child.value()
            if other not in ALL_CATEGORIES:
                return None  # reported as an unknown key
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not values["find_from"] <= value <= 1:
                check.add(child, f"{where}.learned.find_beside.{other}: expected a probability "
                                 f"between find_from ({values['find_from']}) and 1")
                return None
            pairs.append((other, float(value)))
        values["find_beside"] = tuple(pairs)
    if name not in shipped_model().categories:
        check.add(node, f"{where}.learned: the learned model has no weights for {name}")
        return None
    if values.get("veto_with_hits") and name not in shipped_model().hits:
        check.add(node, f"{where}.learned.veto_with_hits: the learned model has no model of {name}'s phrase hits")
        return None
    return Learned(**values)


def _parse_phrases(name: str, kind: str, node: _Located | None, where: str,
                   check: _Checker, builder: _IndexBuilder) -> None:
    if node is None or not node.is_sequence():
        check.add(node or 1, f"{where}.phrases: expected a list")
        return
    if not node.elements():
        check.add(node, f"{where}.phrases: must not be empty")
    for item in node.elements():
        suggestion = None
        unless: tuple[str, ...] = ()
        phrase_node = item
        if item.is_mapping() and kind == "violation":
            if check.mapping(item, f"{where}.phrases item", item.line, ("phrase",), ("suggestion", "unless")) is None:
                continue
            phrase_node = item.get("phrase")
            if item.get("suggestion") is not None:
                suggestion = check.text(item.get("suggestion"), f"{where} suggestion", item.line)
            if item.get("unless") is not None:
                unless = tuple(fold(word) for word, _ in check.text_list(item.get("unless"), f"{where} unless", item.line))
        phrase = check.text(phrase_node, f"{where}.phrases item", item.line)
        if phrase is None:
            continue
        builder.add_category_phrase(name, phrase, phrase_node.line, suggestion, unless)


def _parse_jargon_terms(node: _Located | None, where: str, check: _Checker,
                        builder: _IndexBuilder) -> None:
    if node is None or not node.is_sequence() or not node.elements():
        check.add(node or 1, f"{where}.terms: expected a non-empty list")
        return
    for item in node.elements():
        if check.mapping(item, f"{where}.terms item", item.line, ("term", "explanations")) is None:
            continue
        term = check.text(item.get("term"), f"{where}.terms term", item.line)
        explanations = check.text_list(item.get("explanations"), f"{where}.terms explanations",
                                       item.line, allow_empty_list=True)
        if term is None:
            continue
        builder.add_jargon_term(term, item.line, explanations)


def _parse_rules(node: _Located | None, check: _Checker, builder: _IndexBuilder) -> Rules | None:
    rule_keys = ("negation", "clause_boundaries", "sentence_end", "polite_allow", "not_negating", "lookalikes",
                 "time_estimate", "staff_number", "questions", "jargon_explanation_markers",
                 "quotes", "never_swallowed")
    if check.mapping(node, "rules", 1, rule_keys,
                     ("jargon_explanation_near", "rhetorical_questions", "intent_rules", "names",
                      "sequences", "jargon_acronyms", "intensifiers", "bare_replies",
                      "situation_contrasts")) is None:
        return None
    line = node.line

    negation = check.mapping(node.get("negation"), "rules.negation", line,
                             ("negators", "window_chars", "applies_to"))
    negators, window, applies_to = [], 0, []
    if negation is not None:
        negators = check.text_list(negation.get("negators"), "rules.negation.negators", negation.line)
        window = check.integer(negation.get("window_chars"), "rules.negation.window_chars",
                               negation.line, minimum=1) or 0
        applies_to = _category_list(negation.get("applies_to"), "rules.negation.applies_to",
                                    negation.line, check)
    for word, word_line in negators:
        builder.add_rule_word(KIND_NEGATOR, word, word_line)

    clauses = check.mapping(node.get("clause_boundaries"), "rules.clause_boundaries", line,
                            ("punctuation", "words"))
    clause_punctuation, clause_words = "", []
    if clauses is not None:
        clause_punctuation = check.text(clauses.get("punctuation"), "rules.clause_boundaries.punctuation",
                                        clauses.line) or ""
        clause_words = check.text_list(clauses.get("words"), "rules.clause_boundaries.words", clauses.line)
    for word, word_line in clause_words:
        builder.add_rule_word(KIND_CLAUSE_WORD, word, word_line)
    sentence_end = check.text(node.get("sentence_end"), "rules.sentence_end", line) or ""

    for phrase, phrase_line in check.text_list(node.get("polite_allow"), "rules.polite_allow", line):
        builder.add_pattern(KIND_ALLOW, phrase, phrase_line)
    for phrase, phrase_line in check.text_list(node.get("not_negating"), "rules.not_negating", line):
        builder.add_pattern(KIND_PLAIN_WORD, phrase, phrase_line)

    lookalikes = node.get("lookalikes")
    if lookalikes is None or not lookalikes.is_sequence():
        check.add(lookalikes or line, "rules.lookalikes: expected a list")
    else:
        for item in lookalikes.elements():
            if check.mapping(item, "rules.lookalikes item", item.line, ("phrase", "not")) is None:
                continue
            phrase = check.text(item.get("phrase"), "rules.lookalikes phrase", item.line)
            excluded = _category_list(item.get("not"), "rules.lookalikes not", item.line, check)
            if phrase is not None and excluded:
                builder.add_pattern(KIND_LOOKALIKE, phrase, item.line, excluded=frozenset(excluded))

    time_node = check.mapping(node.get("time_estimate"), "rules.time_estimate", line,
                              ("hedges", "units", "numerals", "max_gap"), ("vague", "hedged_by"))
    hedges, numerals, max_gap, vague, hedged_by = [], "", 0, (), ()
    if time_node is not None:
        hedges = check.text_list(time_node.get("hedges"), "rules.time_estimate.hedges", time_node.line)
        for unit, unit_line in check.text_list(time_node.get("units"), "rules.time_estimate.units",
                                               time_node.line):
            builder.add_rule_word(KIND_TIME_UNIT, unit, unit_line)
        numerals = check.text(time_node.get("numerals"), "rules.time_estimate.numerals", time_node.line) or ""
        max_gap = check.integer(time_node.get("max_gap"), "rules.time_estimate.max_gap", time_node.line) or 0
        vague, hedged_by = (
            tuple(fold(w) for w, _ in check.text_list(time_node.get(key), f"rules.time_estimate.{key}", time_node.line))
            if time_node.get(key) is not None else ()
            for key in ("vague", "hedged_by"))
    builder.hedges = hedges

    staff = check.mapping(node.get("staff_number"), "rules.staff_number", line,
                          ("digits", "min_digits", "service_numbers"))
    staff_digits, min_digits, service_numbers = "", 3, []
    if staff is not None:
        staff_digits = check.text(staff.get("digits"), "rules.staff_number.digits", staff.line) or ""
        min_digits = check.integer(staff.get("min_digits"), "rules.staff_number.min_digits",
                                   staff.line, minimum=1) or 3
        service_numbers = check.text_list(staff.get("service_numbers"),
                                          "rules.staff_number.service_numbers", staff.line)

    questions = check.mapping(node.get("questions"), "rules.questions", line,
                              ("particles", "forms", "wh_words", "courtesy_tags",
                               "conditional_openers", "min_bare_question_chars"),
                              ("wh_endings", "check_tags", "not_asking", "check_requests", "tell_requests"))
    min_bare, check_tags, not_asking, check_requests, tell_requests = 3, (), (), (), ()
    if questions is not None:
        for key, kind in (("particles", KIND_Q_PARTICLE), ("forms", KIND_Q_FORM),
                          ("wh_words", KIND_Q_WH), ("courtesy_tags", KIND_Q_COURTESY),
                          ("conditional_openers", KIND_Q_CONDITIONAL), ("wh_endings", KIND_Q_WH_END)):
            if key == "wh_endings" and questions.get(key) is None:
                continue  # optional
            for word, word_line in check.text_list(questions.get(key), f"rules.questions.{key}",
                                                   questions.line):
                builder.add_rule_word(kind, word, word_line)
        min_bare = check.integer(questions.get("min_bare_question_chars"),
                                 "rules.questions.min_bare_question_chars", questions.line) or 0
        check_tags, not_asking, check_requests, tell_requests = (
            tuple(fold(w) for w, _ in check.text_list(questions.get(key), f"rules.questions.{key}", questions.line))
            if questions.get(key) is not None else ()
            for key in ("check_tags", "not_asking", "check_requests", "tell_requests"))

    for word, word_line in check.text_list(node.get("jargon_explanation_markers"),
                                           "rules.jargon_explanation_markers", line):
        builder.add_rule_word(KIND_EXPLANATION_MARKER, word, word_line)
    rhetorical = node.get("rhetorical_questions")
    if rhetorical is not None:
        if not rhetorical.is_sequence():
            check.add(rhetorical, "rules.rhetorical_questions: expected a list")
        else:
            for item in rhetorical.elements():
                if check.mapping(item, "rules.rhetorical_questions item", item.line,
                                 ("opener", "endings")) is None:
                    continue
                opener = check.text(item.get("opener"), "rules.rhetorical_questions opener", item.line)
                endings = check.text_list(item.get("endings"), "rules.rhetorical_questions endings",
                                          item.line)
                if opener is not None and endings:
                    builder.add_pattern(KIND_RHETORICAL, opener, item.line,
                                        endings=tuple(fold(e) for e, _ in endings))
    before_gap, near_gap = 0, 0
    near = node.get("jargon_explanation_near")
    if near is not None and check.mapping(near, "rules.jargon_explanation_near", near.line,
                                          ("markers", "after_gap", "before_gap")) is not None:
        for word, word_line in check.text_list(near.get("markers"),
                                               "rules.jargon_explanation_near.markers", near.line):
            builder.add_rule_word(KIND_EXPLANATION_NEAR, word, word_line)
        near_gap = check.integer(near.get("after_gap"), "rules.jargon_explanation_near.after_gap",
                                 near.line) or 0
        before_gap = check.integer(near.get("before_gap"), "rules.jargon_explanation_near.before_gap",
                                   near.line) or 0

    quote_pairs = []
    for pair, pair_line in check.text_list(node.get("quotes"), "rules.quotes", line):
        pair = fold(pair) if len(fold(pair)) == 2 else pair
        if len(pair) != 2:
            check.add(pair_line, f"rules.quotes: {pair!r} must be an opening and a closing mark")
            continue
        quote_pairs.append((pair[0], pair[1]))
    never_swallowed = _category_list(node.get("never_swallowed"), "rules.never_swallowed", line, check,
                                     allow_empty=True)

    intent_rules = _parse_intent_rules(node.get("intent_rules"), check, builder)
    everyday_latin, latin_value_markers = None, ()
    acronyms = node.get("jargon_acronyms")
    if acronyms is not None and check.mapping(acronyms, "rules.jargon_acronyms", acronyms.line,
                                              ("everyday", "value_markers")) is not None:
        everyday_latin = frozenset(fold(w) for w, _ in check.text_list(
            acronyms.get("everyday"), "rules.jargon_acronyms.everyday", acronyms.line))
        latin_value_markers = tuple(fold(w) for w, _ in check.text_list(
            acronyms.get("value_markers"), "rules.jargon_acronyms.value_markers", acronyms.line))
    intensifiers = sorted((fold(w) for w, _ in check.text_list(node.get("intensifiers"), "rules.intensifiers", line))
                          if node.get("intensifiers") is not None else (), key=len, reverse=True)
    bare_max, bare_courteous = 0, ()
    bare = node.get("bare_replies")
    if bare is not None and check.mapping(bare, "rules.bare_replies", bare.line,
                                          ("max_characters", "courteous")) is not None:
        bare_max = check.integer(bare.get("max_characters"), "rules.bare_replies.max_characters",
                                 bare.line, minimum=1) or 0
        bare_courteous = tuple(fold(w) for w, _ in check.text_list(
            bare.get("courteous"), "rules.bare_replies.courteous", bare.line))
    situation_contrasts = (tuple(fold(w) for w, _ in check.text_list(
        node.get("situation_contrasts"), "rules.situation_contrasts", line))
        if node.get("situation_contrasts") is not None else ())
    sequences = _parse_sequences(node.get("sequences"), node.get("names"), check,
                                 clause_punctuation, sentence_end, [fold(n) for n, _ in service_numbers])

    if check.problems:
        return None
    return Rules(
        negators=tuple(fold(w) for w, _ in negators),
        negation_window=window,
        negation_applies_to=frozenset(applies_to),
        clause_punctuation=fold(clause_punctuation) + clause_punctuation,
        clause_words=tuple(fold(w) for w, _ in clause_words),
        sentence_end=fold(sentence_end) + sentence_end,
        time_hedges=tuple(fold(h) for h, _ in hedges),
        time_numerals=fold(numerals),
        time_max_gap=max_gap,
        time_vague=vague,
        time_hedged_by=hedged_by,
        staff_digits=fold(staff_digits),
        staff_min_digits=min_digits,
        service_numbers=frozenset(fold(n) for n, _ in service_numbers),
        min_bare_question_chars=min_bare,
        question_check_tags=check_tags,
        not_asking=not_asking,
        check_requests=check_requests,
        tell_requests=tell_requests,
        quote_pairs=tuple(quote_pairs),
        never_swallowed=frozenset(never_swallowed),
        explanation_before_gap=before_gap,
        explanation_near_gap=near_gap,
        intent_rules=intent_rules,
        sequences=sequences,
        sequence_anchors=_sequence_anchors(sequences),
        everyday_latin=everyday_latin,
        latin_value_markers=latin_value_markers,
        intensifiers=tuple(intensifiers),
        bare_max_characters=bare_max,
        bare_courteous=bare_courteous,
        situation_contrasts=situation_contrasts,
    )


SEQUENCE_WITHIN = ("clause", "sentence")
NAME_SLOT, SURNAME_SLOT, GIVEN_NAME_SLOT, NUMBER_SLOT = "<姓名>", "<姓>", "<名>", "<号码>"


def _name_pattern(names: _Located | None, check: _Checker) -> tuple[str, str, str]:
    """Patterns of a person's name — a listed surname and one or two more characters, or 小/老/阿
    and one, unless it is an everyday word (马上, 高兴) listed under ``not_names`` — of a
    surname alone (我姓黄), and of a two-character given name that ends its clause or goes on
    with 为您服务 (客服晓雯，): only a rule's other parts (a job title before it) make it a name,
    and ``not_given_names`` lists the words that follow a title without naming anyone (客服热线，)."""
    if names is None or check.mapping(names, "rules.names", names.line,
                                      ("surnames", "not_names", "not_given_names")) is None:
        return r"(?!)", r"(?!)", r"(?!)"
    surnames = [fold(w) for w, _ in check.text_list(names.get("surnames"), "rules.names.surnames", names.line)]
    not_names = [fold(w) for w, _ in check.text_list(names.get("not_names"), "rules.names.not_names", names.line)]
    single = "".join(re.escape(s) for s in surnames if len(s) == 1)
    double = "|".join(re.escape(s) for s in surnames if len(s) > 1)
    guard = f"(?!(?:{'|'.join(map(re.escape, not_names))}))" if not_names else ""
    surname = f"(?:{double}|[{single}])" if double else f"[{single}]"
    cjk = "\u4e00-\u9fff"
    # A name ends where the sentence goes on with something else (为您服务, 很高兴, punctuation).
    after = f"(?=[^{cjk}]|为|很|在|来|给|帮|跟|负责|就|这|今天|专门|您|我|请|先|有|感谢|欢迎|办|$)"
    not_given = [fold(w) for w, _ in check.text_list(names.get("not_given_names"), "rules.names.not_given_names",
                                                     names.line, allow_empty_list=True)] \
        if names.get("not_given_names") is not None else []
    given_guard = f"(?!(?:{'|'.join(map(re.escape, not_names + not_given))}))" if not_names or not_given else ""
    ends_given = f"(?=[^{cjk}]|为您|为你|很高兴|$)"
    given = f"{given_guard}[{cjk}]{{2}}{ends_given}"
    # Cheap lookaheads first: a rule that starts with a name is searched at every position, and the
    # guard's hundreds of everyday words are then tried only where a name can start (the same matches).
    starts = re.escape("".join(sorted({s[0] for s in surnames} | set("小老阿"))))
    name = f"(?=[{starts}]){guard}(?:{surname}[{cjk}]{{1,2}}?|[小老阿][{cjk}]){after}"
    return name, f"{surname}{after}", f"(?=[{cjk}]{{2}}{ends_given}){given}"


def _parse_sequences(node: _Located | None, names: _Located | None, check: _Checker,
                     clause_punctuation: str, sentence_end: str,
                     service_numbers: Iterable[str]) -> tuple[SequenceRule, ...]:
    if node is None:
        return ()
    if not node.is_sequence():
        check.add(node, "rules.sequences: expected a list")
        return ()
    name_pattern, surname_pattern, given_pattern = _name_pattern(names, check)
    hotlines = "|".join(sorted(service_numbers, key=len, reverse=True))
    number_pattern = f"(?<!\\d)(?!(?:{hotlines})(?!\\d))(?:\\d{{3,}}|[零〇一二三四五六七八九幺两]{{3,}})" if hotlines \
        else "(?:\\d{3,}|[零〇一二三四五六七八九幺两]{3,})"
    stops = {"clause": fold(clause_punctuation) + clause_punctuation,
             "sentence": fold(sentence_end) + sentence_end}
    rules = []
    for item in node.elements():
        if check.mapping(item, "rules.sequences item", item.line,
                         ("name", "category", "parts"), ("max_gap", "within", "unless", "unless_overlapping")) is None:
            continue
        name = check.text(item.get("name"), "rules.sequences name", item.line)
        category = check.text(item.get("category"), "rules.sequences category", item.line)
        if category is not None and category not in ALL_CATEGORIES:
            check.add(item.get("category"), f"rules.sequences: unknown category {category!r}")
            continue
        gap = check.integer(item.get("max_gap"), "rules.sequences max_gap", item.line) \
            if item.get("max_gap") is not None else 0
        within = check.text(item.get("within"), "rules.sequences within", item.line) \
            if item.get("within") is not None else "clause"
        if within not in SEQUENCE_WITHIN:
            check.add(item.get("within"), f"rules.sequences within: expected one of {', '.join(SEQUENCE_WITHIN)}")
            continue
        parts, part_literals = [], []
        for part, part_line in check.text_list(item.get("parts"), "rules.sequences parts", item.line):
            try:
                alternatives = expand_pattern(part)
            except ValueError as error:
                check.add(part_line, f"rules.sequences parts: {error}")
                continue
            slots = {NAME_SLOT: name_pattern, SURNAME_SLOT: surname_pattern, GIVEN_NAME_SLOT: given_pattern,
                     NUMBER_SLOT: number_pattern}
            if not alternatives or not all(fold(a) for a in alternatives):
                check.add(part_line, f"rules.sequences parts: {part!r} is not a phrase")
                continue
            literal = sorted({fold(a) for a in alternatives if a not in slots}, key=len, reverse=True)
            choices = [slots[a] for a in alternatives if a in slots] + [re.escape(a) for a in literal]
            parts.append("(?:" + "|".join(choices) + ")")
            part_literals.append(tuple(literal) if len(choices) == len(literal) else ())
        unless, overlapping = (
            tuple(fold(w) for w, _ in check.text_list(item.get(key), f"rules.sequences {key}", item.line,
                                                      allow_empty_list=True)) if item.get(key) is not None else ()
            for key in ("unless", "unless_overlapping"))
        if name is None or category is None or gap is None or len(parts) < 1:
            continue
        filler = f"[^{re.escape(stops[within])}]{{0,{gap}}}?"
        plain = [i for i, lits in enumerate(part_literals) if lits]
        if not plain:
            check.add(item, "rules.sequences: needs at least one part with plain words")
            continue
        # Anchor on the part least likely to occur by chance (fewest one-character words: 您, 是
        # are everywhere, 对吗 is not), so the pattern runs only on replies that may match.
        anchor = min(plain, key=lambda i: (sum(len(word) == 1 for word in part_literals[i]), i))
        rules.append(SequenceRule(name, category, re.compile(filler.join(parts)), unless, overlapping,
                                  part_literals[anchor], anchored=anchor == 0))
    return tuple(rules)


def _sequence_anchors(rules: tuple[SequenceRule, ...]) -> Literals:
    index: dict[str, list[int]] = {}
    for number, rule in enumerate(rules):
        for literal in rule.anchors:
            index.setdefault(literal, []).append(number)
    return Literals({literal: tuple(numbers) for literal, numbers in index.items()})


INTENT_LIST_KEYS = ("subjects", "fillers", "unless_clause", "unless_reply", "unless_after", "unless_next",
                    "unless_before")


def _parse_intent_rules(node: _Located | None, check: _Checker,
                        builder: _IndexBuilder) -> tuple[IntentRule, ...]:
    """rules.intent_rules: markers go into the automaton; the other word lists stay literal
    (expanded and folded) and are checked only around a marker that was found."""
    if node is None:
        return ()
    if not node.is_sequence():
        check.add(node, "rules.intent_rules: expected a list")
        return ()
    rules: list[IntentRule] = []
    for item in node.elements():
        where = "rules.intent_rules item"
        if check.mapping(item, where, item.line, ("name", "markers", "suggestion"),
                         INTENT_LIST_KEYS + ("max_gap", "fillers_only", "at_start", "absorbs")) is None:
            continue
        name = check.text(item.get("name"), f"{where} name", item.line)
        suggestion = check.text(item.get("suggestion"), f"{where} suggestion", item.line)
        lists: dict[str, tuple[str, ...]] = {}
        for key in INTENT_LIST_KEYS:
            words: list[str] = []
            if item.get(key) is not None:
                for word, word_line in check.text_list(item.get(key), f"{where} {key}", item.line):
                    words.extend(builder._expand(word, word_line))
            lists[key] = tuple(sorted(dict.fromkeys(words), key=len, reverse=True))
        max_gap = 0
        if item.get("max_gap") is not None:
            max_gap = check.integer(item.get("max_gap"), f"{where} max_gap", item.line) or 0
        fillers_only = False
        if item.get("fillers_only") is not None:
            fillers_only = item.get("fillers_only").value()
            if not isinstance(fillers_only, bool):
                check.add(item.get("fillers_only"), f"{where} fillers_only: expected true or false")
                fillers_only = False
        at_start = ""
        if item.get("at_start") is not None:
            at_start = check.text(item.get("at_start"), f"{where} at_start", item.line) or ""
            if at_start not in ("clause", "sentence"):
                check.add(item.get("at_start"), f"{where} at_start: expected clause or sentence")
        absorbs = []
        if item.get("absorbs") is not None:
            absorbs = _category_list(item.get("absorbs"), f"{where} absorbs", item.line, check)
        if not lists["subjects"] and not at_start:
            check.add(item, f"{where}: needs subjects or at_start, or it can never fire")
        if name is None or suggestion is None:
            continue
        index = len(rules)
        for marker, marker_line in check.text_list(item.get("markers"), f"{where} markers", item.line):
            builder.add_pattern(KIND_INTENT, marker, marker_line, intent=index)
        rules.append(IntentRule(
            name=name, suggestion=suggestion, subjects=lists["subjects"], max_gap=max_gap,
            fillers_only=fillers_only, fillers=lists["fillers"], at_start=at_start,
            unless_clause=lists["unless_clause"], unless_reply=lists["unless_reply"],
            unless_after=lists["unless_after"],
            unless_next=lists["unless_next"], unless_before=lists["unless_before"],
            absorbs=frozenset(absorbs)))
    return tuple(rules)


def _category_list(node: _Located | None, what: str, parent_line: int, check: _Checker,
                   allow_empty: bool = False) -> list[str]:
    names = check.text_list(node, what, parent_line, allow_empty_list=allow_empty)
    out = []
    for name, name_line in names:
        if name not in ALL_CATEGORIES:
            check.add(name_line, f"{what}: unknown category {name!r}")
        else:
            out.append(name)
    return out


# --------------------------------------------------------------------------- automaton


class _IndexBuilder:
    """Collects every key with its meanings, then builds the automaton and inner tables."""

    def __init__(self, check: _Checker):
        self.check = check
        self.meanings: dict[str, list[KeyMeaning]] = {}
        self.first_line: dict[str, int] = {}
        self.hedges: list[tuple[str, int]] = []
        self.jargon_terms: dict[str, int] = {}
        self._pending_explanations: list[tuple[str, str, int]] = []

    def _add(self, key: str, meaning: KeyMeaning, line: int) -> None:
        existing = self.meanings.setdefault(key, [])
        if meaning not in existing:
            existing.append(meaning)
        self.first_line.setdefault(key, line)

    def _expand(self, phrase: str, line: int) -> list[str]:
        try:
            keys = expand_pattern(phrase)
        except ValueError as error:
            self.check.add(line, f"phrase {phrase!r}: {error}")
            return []
        if any(not key for key in keys):
            self.check.add(line, f"phrase {phrase!r}: one of its alternatives is empty text")
            return [key for key in keys if key]
        return keys

    def add_category_phrase(self, category: str, phrase: str, line: int,
                            suggestion: str | None, unless: tuple[str, ...] = ()) -> None:
        keys = self._expand(phrase, line)
        for key in keys:
            side = None
            if STAFF_NUMBER_PLACEHOLDER in key:
                if category != "self_identification":
                    self.check.add(line, f"phrase {phrase!r}: '#' (staff number) is only allowed "
                                         "in self_identification")
                    continue
                if key.count(STAFF_NUMBER_PLACEHOLDER) != 1 or not (
                        key.startswith(STAFF_NUMBER_PLACEHOLDER) or key.endswith(STAFF_NUMBER_PLACEHOLDER)):
                    self.check.add(line, f"phrase {phrase!r}: put one '#' at the start or the end")
                    continue
                side = "before" if key.startswith(STAFF_NUMBER_PLACEHOLDER) else "after"
                key = key.strip(STAFF_NUMBER_PLACEHOLDER)
                if not key:
                    self.check.add(line, f"phrase {phrase!r}: needs words besides '#'")
                    continue
            self._add(key, KeyMeaning(KIND_CATEGORY, phrase, category, suggestion, side, unless=unless), line)

    def add_jargon_term(self, term: str, line: int, explanations: list[tuple[str, int]]) -> None:
        for key in self._expand(term, line):
            self._add(key, KeyMeaning(KIND_CATEGORY, term, "jargon", jargon_term=term), line)
        self.jargon_terms[term] = line
        for explanation, explanation_line in explanations:
            for key in self._expand(explanation, explanation_line):
                self._add(key, KeyMeaning(KIND_EXPLANATION, explanation, jargon_term=term),
                          explanation_line)

    def add_pattern(self, kind: str, phrase: str, line: int,
                    excluded: frozenset[str] = frozenset(), endings: tuple[str, ...] = (),
                    intent: int | None = None) -> None:
        for key in self._expand(phrase, line):
            self._add(key, KeyMeaning(kind, phrase, excluded_categories=excluded, endings=endings,
                                      intent=intent), line)

    def add_rule_word(self, kind: str, word: str, line: int) -> None:
        key = fold(word)
        if not key:
            self.check.add(line, f"rule word {word!r} is empty after normalisation")
            return
        self._add(key, KeyMeaning(kind, word), line)

    def build(self, rules: Rules) -> tuple[Literals, int]:
        self._check_cross_references(rules)
        scan = ahocorasick.Automaton()
        for key in self.meanings:
            scan.add_word(key, key)
        scan.make_automaton()
        phrases = Literals({key: KeyInfo(key, tuple(meanings), self._inner_meanings(key, meanings, scan, rules))
                            for key, meanings in self.meanings.items()})
        return phrases, len(self.meanings)

    def _check_cross_references(self, rules: Rules) -> None:
        uncertain_keys = [k for k, ms in self.meanings.items()
                          if any(m.category == "uncertain_language" for m in ms)]
        for hedge, line in self.hedges:
            if not any(key.startswith(fold(hedge)) for key in uncertain_keys):
                self.check.add(line, f"rules.time_estimate.hedges: {hedge!r} does not start any "
                                     "uncertain_language phrase")
        for key, meanings in self.meanings.items():
            for meaning in meanings:
                if meaning.kind != KIND_LOOKALIKE:
                    continue
                contained = {m.category for other, ms in self.meanings.items()
                             if other in key for m in ms if m.kind == KIND_CATEGORY}
                if not meaning.excluded_categories & contained:
                    self.check.add(self.first_line[key],
                                   f"look-alike {meaning.phrase!r} contains no phrase of "
                                   f"{', '.join(sorted(meaning.excluded_categories))}")

    def _inner_meanings(self, key: str, meanings: list[KeyMeaning], scan: ahocorasick.Automaton,
                        rules: Rules) -> tuple[InnerMeaning, ...]:
        """Decide, once per key, what the shorter keys inside it still mean.

        The scan reports only the longest key at each place, so everything inside it is settled
        here: same-category phrases merge into the longer one; negators inside a phrase belong
        to it (不好意思 negates nothing); a violation word inside a standard or polite phrase
        does not count (不知道 inside 不知道我有没有解释清楚); look-alikes cancel the categories
        they name; question words inside a violation are rhetorical.
        """
        own_categories = {m.category for m in meanings if m.kind == KIND_CATEGORY}
        is_element = any(m.kind == KIND_CATEGORY and m.category in ELEMENT_CATEGORIES for m in meanings)
        is_violation = any(m.kind == KIND_CATEGORY and m.category in VIOLATION_CATEGORIES for m in meanings)
        is_allow = any(m.kind == KIND_ALLOW for m in meanings)
        is_plain_word = any(m.kind == KIND_PLAIN_WORD for m in meanings)
        occurrences = []
        for end, inner_key in scan.iter(key):
            start = end - len(inner_key) + 1
            if inner_key == key:
                continue
            occurrences.append((start, inner_key))
        lookalike_spans = [
            (start, start + len(inner_key), m)
            for start, inner_key in occurrences + [(0, key)]
            for m in self.meanings[inner_key] if m.kind == KIND_LOOKALIKE
        ]
        inner: list[InnerMeaning] = []
        for start, inner_key in sorted(occurrences):
            length = len(inner_key)
            for meaning in self.meanings[inner_key]:
                if meaning.kind in (KIND_ALLOW, KIND_PLAIN_WORD, KIND_LOOKALIKE):
                    continue
                if meaning.kind == KIND_NEGATOR and not all(m.kind in (KIND_RHETORICAL, KIND_INTENT)
                                                            for m in meanings):
                    continue  # belongs to the phrase; inside a rhetorical opener (不是) or an
                    # intent marker (不能) it still negates
                if meaning.kind in QUESTION_KINDS and is_violation:
                    continue
                if meaning.kind != KIND_CATEGORY:
                    inner.append(InnerMeaning(start, length, meaning, None))
                    continue
                if meaning.category in own_categories:
                    continue
                reason = None
                for lo, hi, lookalike in lookalike_spans:
                    if lo <= start and start + length <= hi and meaning.category in lookalike.excluded_categories:
                        reason = f"{{inner}} inside {lookalike.phrase} (look-alike, not {meaning.category})"
                        break
                if (reason is None and is_violation and meaning.category in ELEMENT_CATEGORIES):
                    reason = "{inner} is part of the violation phrase {outer}"
                if (reason is None and meaning.category in VIOLATION_CATEGORIES
                        and meaning.category not in rules.never_swallowed):
                    if is_element:
                        reason = "{inner} is part of the standard phrase {outer}"
                    elif is_allow:
                        reason = "{inner} is part of the polite phrase {outer}"
                    elif is_plain_word:
                        reason = "{inner} is part of the word {outer}"
                inner.append(InnerMeaning(start, length, meaning, reason))
        return tuple(inner)
