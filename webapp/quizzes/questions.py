"""Question types: what a question is, what the browser may see of it, and how it is graded.

Pure (no Flask, no database). Each type is a class in the ``QUESTION_TYPES`` registry (the CTFd
flag-registry shape) with four duties:

- ``parse(source, report)``: read the type's answer block of a bank question (formats §2);
- ``public_view(question, order, answer)``: the data the attempt page may show — stem, options in
  the drawn order, the trainee's saved answer — and never the key or the explanation;
- ``normalise(question, order, values)``: turn submitted form values (strings, in form order,
  given in *displayed* positions) into the canonical stored answer (indexes into the question as
  written), or raise ``InvalidAnswer``;
- ``grade(question, answer) -> float`` in [0, 1] from a canonical answer (``None`` = unanswered).

Partial credit as Moodle grades it: an option or accepted answer may carry a weight ``{50%}``
(``Question.weights``, fractions of the marks). A single question gives the weight of the option
picked; a weighted multiple question the sum of the weights picked, kept within [0, 1]; fill and
numerical give the weight of the first accepted answer that matches, in written order.

Displayed positions never reveal the written order, which for ordering questions *is* the key.
An ``order`` is the permutation drawn for an attempt slot: ``order[shown_position]`` is the
written index of the option shown there (see ``draw_order``).
"""
from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

#: A fill question's blank in the stem: four or more underscores.
BLANK = re.compile(r"_{4,}")
#: Longest fill answer we store (characters); longer input is cut.
MAX_FILL_LENGTH = 200
TRUE_FALSE_OPTIONS = ("对", "错")
#: ``{50%}`` before an option or accepted answer: its share of the marks (formats §2).
WEIGHT = re.compile(r"^\{\s*(-?\d+(?:\.\d+)?)\s*%\s*\}\s*")
#: A numerical answer: ``42``, ``1.5:0.1`` (value:tolerance), ``1..2`` (range) or ``*`` (any number).
NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
NUMERICAL_ANSWER = re.compile(rf"^(?:(?P<value>{NUMBER})(?::(?P<tolerance>{NUMBER})|\.\.(?P<upper>{NUMBER}))?|(?P<any>\*))$")
#: Weights of the options that are right add up to 100 %, give or take rounding (3 × 33.333 %).
WEIGHT_SUM_SLACK = 0.001

Report = Callable[[int, str], None]  # report(line, message)


class InvalidAnswer(ValueError):
    """Submitted values that do not fit the question (bad index, wrong shape)."""


@dataclass(frozen=True)
class Question:
    """One question of a bank, as written (one version: ``content_hash``)."""

    id: str
    type: str
    stem: str  # Markdown
    explanation: str  # Markdown, shown only on review
    difficulty: int
    tags: tuple[str, ...]
    lesson: str
    #: choices (single, multiple, truefalse), items in the correct order (ordering),
    #: left items (matching); inline Markdown
    options: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()  # indexes of the right choices (single, multiple, truefalse)
    accepted: tuple[str, ...] = ()  # fill: accepted answers as written; numerical: values ("*" = any)
    matches: tuple[str, ...] = ()  # matching: the right item of each left item
    distractors: tuple[str, ...] = ()  # matching: right items that belong to no left item
    #: share of the marks of each option (single, multiple) or accepted answer (fill, numerical);
    #: empty = unweighted (the classic rules)
    weights: tuple[float, ...] = ()
    tolerances: tuple[float, ...] = ()  # numerical: ± of each accepted value
    units: tuple[str, ...] = ()  # numerical: units the trainee may write after the number
    case_sensitive: bool = False  # fill: letter case matters
    source: str = ""  # the question's section of its bank file (canonical: no trailing spaces)
    content_hash: str = ""  # sha256 of source
    line: int = 0  # line of the question's heading in its bank file

    @property
    def question_type(self) -> QuestionType:
        return QUESTION_TYPES[self.type]


@dataclass(frozen=True)
class ListItem:
    text: str  # inline Markdown of the item
    line: int
    checked: bool | None  # task list state; None for a plain item


@dataclass(frozen=True)
class AnswerBlock:
    """What the bank parser hands a type: the parts of a question that carry its key."""

    line: int  # the question heading's line
    stem: str
    meta: dict[str, str]  # the type's own keys among the key: value lines (``QuestionType.meta_keys``)
    list_kind: str | None  # "bullet", "ordered" or None when the question has no answer list
    items: tuple[ListItem, ...] = ()
    list_line: int = 0


@dataclass(frozen=True)
class AnswerKey:
    options: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()
    accepted: tuple[str, ...] = ()
    matches: tuple[str, ...] = ()
    distractors: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    tolerances: tuple[float, ...] = ()
    units: tuple[str, ...] = ()
    case_sensitive: bool = False


def normalise_text(text: str, case_sensitive: bool = False) -> str:
    """Fill comparison form: NFKC, case-folded, without whitespace and punctuation.

    NFKC maps full-width letters and digits to half-width ones; punctuation (Unicode categories
    P*, full-width or half-width) and separators/whitespace are dropped; symbols such as ¥ or +
    are kept.
    """
    folded = unicodedata.normalize("NFKC", text)
    folded = folded if case_sensitive else folded.casefold()
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "PZ")


def split_weight(text: str) -> tuple[float | None, str]:
    """``{50%} text`` → (0.5, "text"); text without a weight → (None, text)."""
    if found := WEIGHT.match(text):
        return float(found.group(1)) / 100, text[found.end():]
    return None, text


def percent(weight: float) -> str:
    """0.5 → "50", 0.3333 → "33.33": a weight as written in banks and shown in review."""
    return f"{weight * 100:.2f}".rstrip("0").rstrip(".")


def accepts_text(accepted: str, given: str, case_sensitive: bool = False) -> bool:
    """Fill comparison; ``*`` in an accepted answer stands for any text (Moodle's wildcard)."""
    if "*" not in accepted:
        return normalise_text(given, case_sensitive) == normalise_text(accepted, case_sensitive)
    pattern = ".*".join(re.escape(normalise_text(piece, case_sensitive)) for piece in accepted.split("*"))
    return re.fullmatch(pattern, normalise_text(given, case_sensitive), re.DOTALL) is not None


def parse_number(text: str, units: Sequence[str] = ()) -> float | None:
    """A trainee's number: full-width digits and a decimal comma accepted, one of ``units`` optional."""
    value = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    for unit in sorted(units, key=len, reverse=True):
        folded_unit = unicodedata.normalize("NFKC", unit).replace(" ", "")
        if folded_unit and value.endswith(folded_unit):
            value = value[: -len(folded_unit)]
            break
    value = value.replace(",", ".") if value.count(",") == 1 and "." not in value else value
    if not re.fullmatch(NUMBER, value):
        return None
    return float(value)


def weighted_grade(weights: Sequence[float], matched: int | None) -> float:
    """The weight of the accepted answer matched (all of the marks when unweighted)."""
    if matched is None:
        return 0.0
    return max(0.0, weights[matched]) if weights else 1.0


def _index(value: str, size: int) -> int | None:
    """A displayed position from a form value; "" means no choice."""
    if value == "":
        return None
    try:
        position = int(value)
    except ValueError:
        raise InvalidAnswer(f"not a position: {value!r}") from None
    if not 0 <= position < size:
        raise InvalidAnswer(f"position out of range: {position}")
    return position


class QuestionType:
    name: ClassVar[str]
    #: "never" (no option order), "optional" (follows the quiz's shuffle_options), "always"
    shuffle: ClassVar[str] = "never"
    #: key: value lines only this type takes (besides type, difficulty, tags, lesson)
    meta_keys: ClassVar[tuple[str, ...]] = ()

    def parse(self, block: AnswerBlock, report: Report) -> AnswerKey:
        raise NotImplementedError

    def shuffled_count(self, question: Question) -> int:
        """How many things the drawn order permutes."""
        return len(question.options)

    def draw_order(self, question: Question, rng: random.Random, shuffle_options: bool) -> tuple[int, ...]:
        size = self.shuffled_count(question)
        if self.shuffle == "always" or (self.shuffle == "optional" and shuffle_options):
            return tuple(rng.sample(range(size), size))
        return tuple(range(size))

    def public_view(self, question: Question, order: Sequence[int], answer: Any = None) -> dict:
        raise NotImplementedError

    def normalise(self, question: Question, order: Sequence[int], values: Sequence[str]) -> Any:
        raise NotImplementedError

    def grade(self, question: Question, answer: Any) -> float:
        raise NotImplementedError

    def correct_answer(self, question: Question) -> Any:
        """The canonical answer that earns full marks (for review pages)."""
        raise NotImplementedError

    def describe(self, question: Question, answer: Any) -> list[str]:
        """A canonical answer as lines of inline Markdown, for review pages and exports."""
        raise NotImplementedError

    def key_lines(self, question: Question) -> list[str]:
        """The key as review pages show it: the full-marks answer, and partial credit when weighted."""
        return self.describe(question, self.correct_answer(question))

    def _no_list(self, block: AnswerBlock, report: Report) -> None:
        if block.list_kind is not None:
            report(block.list_line, f"a {self.name} question takes no answer list")

    def _no_weights(self, block: AnswerBlock, report: Report) -> None:
        for item in block.items:
            if WEIGHT.match(item.text):
                report(item.line, f"a {self.name} question gives no partial credit per item: remove the {{…%}}")


class _ChoiceType(QuestionType):
    """Shared by single, multiple and truefalse: pick among options."""

    def public_view(self, question, order, answer=None):
        chosen = set(answer if isinstance(answer, list) else [] if answer is None else [answer])
        return {
            "type": self.name,
            "stem": question.stem,
            "choices": [
                {"value": shown, "text": question.options[written], "selected": written in chosen}
                for shown, written in enumerate(self._order(question, order))
            ],
        }

    def _order(self, question: Question, order: Sequence[int]) -> Sequence[int]:
        return order or range(len(question.options))

    def describe(self, question, answer):
        picked = answer if isinstance(answer, list) else [] if answer is None else [answer]
        return [question.options[index] for index in picked]

    def key_lines(self, question):
        if not question.weights:
            return super().key_lines(question)
        return [f"{question.options[index]} ({percent(weight)}%)"
                for index, weight in enumerate(question.weights) if weight > 0]

    def _parse_task_list(self, block: AnswerBlock, report: Report) -> tuple[AnswerKey, list[float | None]] | None:
        """Options, the checked ones, and each option's written weight (None when it has none)."""
        if block.list_kind != "bullet" or not block.items:
            report(block.list_line or block.line, f"a {self.name} question needs a task list (- [ ] / - [x])")
            return None
        for item in block.items:
            if item.checked is None:
                report(item.line, "every option must be a task list item: - [ ] or - [x]")
                return None
        weights, options = zip(*(split_weight(item.text) for item in block.items))
        for item, weight in zip(block.items, weights):
            if weight is not None and not -1 <= weight <= 1:
                report(item.line, f"a weight is between -100% and 100%, not {percent(weight)}%")
        key = AnswerKey(options=options, correct=tuple(i for i, item in enumerate(block.items) if item.checked))
        return key, list(weights)


class SingleChoice(_ChoiceType):
    name = "single"
    shuffle = "optional"

    def parse(self, block, report):
        """``{w%}`` on a ``- [ ]`` option gives it part of the marks (0 < w < 100)."""
        parsed = self._parse_task_list(block, report)
        if parsed is None:
            return AnswerKey()
        key, weights = parsed
        if len(key.correct) != 1:
            report(block.list_line, f"a single question needs exactly one - [x], found {len(key.correct)}")
        if len(key.options) < 2:
            report(block.list_line, "a single question needs at least two options")
        for item, weight in zip(block.items, weights):
            if weight is None or not -1 <= weight <= 1:  # out of range: reported already
                continue
            if item.checked and weight != 1:
                report(item.line, "the - [x] option of a single question earns 100%: leave out its weight")
            elif not item.checked and not 0 <= weight < 1:
                report(item.line, f"a - [ ] option of a single question earns 0% up to below 100%, not {percent(weight)}%")
        if any(weight for weight in weights) and len(key.correct) == 1:
            key = replace(key, weights=tuple(1.0 if index in key.correct else weight or 0.0
                                             for index, weight in enumerate(weights)))
        return key

    def normalise(self, question, order, values):
        if len(values) > 1:
            raise InvalidAnswer("one choice expected")
        shown = _index(values[0], len(question.options)) if values else None
        return None if shown is None else self._order(question, order)[shown]

    def grade(self, question, answer):
        if answer is None:
            return 0.0
        if question.weights:
            return max(0.0, question.weights[answer])
        return 1.0 if answer in question.correct else 0.0

    def correct_answer(self, question):
        return question.correct[0]


class TrueFalse(SingleChoice):
    name = "truefalse"
    shuffle = "never"

    meta_keys = ("answer",)

    def parse(self, block, report):
        self._no_list(block, report)
        answer = block.meta.get("answer")
        if answer not in TRUE_FALSE_OPTIONS:
            report(block.line, "a truefalse question needs 'answer: 对' or 'answer: 错'")
            return AnswerKey(options=TRUE_FALSE_OPTIONS)
        return AnswerKey(options=TRUE_FALSE_OPTIONS, correct=(TRUE_FALSE_OPTIONS.index(answer),))

    def shuffled_count(self, question):
        return 0


class MultipleChoice(_ChoiceType):
    name = "multiple"
    shuffle = "optional"

    def parse(self, block, report):
        """Weighted (once any option has ``{w%}``): every ``- [x]`` has a positive weight, together
        100%; a ``- [ ]`` may have a negative one (a penalty for picking it)."""
        parsed = self._parse_task_list(block, report)
        if parsed is None:
            return AnswerKey()
        key, weights = parsed
        if not key.correct:
            report(block.list_line, "a multiple question needs at least one - [x]")
        if len(key.correct) == len(key.options):
            report(block.list_line, "a multiple question needs at least one - [ ]")
        if all(weight is None for weight in weights):
            return key
        for item, weight in zip(block.items, weights):
            if item.checked and (weight is None or weight <= 0):
                report(item.line, "once any option has a weight, every - [x] needs a positive one, e.g. {50%}")
            elif not item.checked and weight is not None and weight > 0:
                report(item.line, f"a - [ ] option earns nothing or loses marks (0% or below), not {percent(weight)}%")
        right = sum(weight or 0 for item, weight in zip(block.items, weights) if item.checked)
        if abs(right - 1) > WEIGHT_SUM_SLACK:
            report(block.list_line, f"the weights of the - [x] options must add up to 100%, not {percent(right)}%")
        return replace(key, weights=tuple(weight or 0.0 for weight in weights))

    def normalise(self, question, order, values):
        written = self._order(question, order)
        shown = {_index(value, len(question.options)) for value in values} - {None}
        return sorted(written[position] for position in shown)

    def grade(self, question, answer):
        """Unweighted: max(0, (right picks − wrong picks) / number of correct options); weighted:
        the sum of the weights picked, within [0, 1] (Moodle's multiple-answer grading)."""
        if not answer or not question.correct:
            return 0.0
        picks = set(answer)
        if question.weights:
            return min(1.0, max(0.0, sum(question.weights[index] for index in picks)))
        right = len(picks & set(question.correct))
        wrong = len(picks) - right
        return max(0.0, (right - wrong) / len(question.correct))

    def correct_answer(self, question):
        return list(question.correct)


class _AcceptedAnswers(QuestionType):
    """Shared by fill and numerical: a bullet list of accepted answers, each optionally ``{w%}``."""

    def _accepted(self, block: AnswerBlock, report: Report, what: str) -> tuple[list[tuple[ListItem, str]], tuple[float, ...]]:
        """(item, text without weight) per accepted answer, and the weights (empty when none is written)."""
        if block.list_kind != "bullet" or not block.items:
            report(block.list_line or block.line, f"a {self.name} question needs a bullet list of {what}")
            return [], ()
        answers, weights = [], []
        for item in block.items:
            if item.checked is not None:
                report(item.line, "accepted answers are plain bullets, not task list items")
                continue
            weight, text = split_weight(item.text)
            if weight is not None and not 0 < weight <= 1:
                report(item.line, f"an accepted answer earns more than 0% and up to 100%, not {percent(weight)}%")
            answers.append((item, text.strip()))
            weights.append(1.0 if weight is None else weight)
        if answers and 1.0 not in weights:
            report(block.list_line, "at least one accepted answer must earn 100% (an answer without {…%} does)")
        return answers, tuple(weights) if any(weight != 1 for weight in weights) else ()

    def shuffled_count(self, question):
        return 0

    def public_view(self, question, order, answer=None):
        return {"type": self.name, "stem": question.stem, "text": answer or "", "units": list(question.units)}

    def normalise(self, question, order, values):
        if len(values) > 1:
            raise InvalidAnswer("one text expected")
        text = (values[0] if values else "").strip()[:MAX_FILL_LENGTH]
        return text or None

    def grade(self, question, answer):
        return weighted_grade(question.weights, self.matching_answer(question, answer))

    def matching_answer(self, question: Question, answer: str | None) -> int | None:
        """The first accepted answer (written order, as Moodle) that the given text matches."""
        raise NotImplementedError

    def correct_answer(self, question):
        return question.accepted[question.weights.index(1.0) if question.weights else 0]

    def describe(self, question, answer):
        return [answer] if answer else []

    def key_lines(self, question):
        shown = [self._shown(question, index) for index in range(len(question.accepted))]
        if not question.weights:
            return shown
        return [f"{text} ({percent(weight)}%)" for text, weight in zip(shown, question.weights)]

    def _shown(self, question: Question, index: int) -> str:
        return question.accepted[index]


class Fill(_AcceptedAnswers):
    name = "fill"
    meta_keys = ("case",)

    def parse(self, block, report):
        """``case: sensitive`` makes letter case matter; ``*`` in an answer stands for any text."""
        blanks = len(BLANK.findall(block.stem))
        if blanks != 1:
            report(block.line, f"a fill question's stem needs exactly one blank ____ (found {blanks})")
        case = block.meta.get("case", "insensitive")
        if case not in ("sensitive", "insensitive"):
            report(block.line, f"case is 'sensitive' or 'insensitive', not {case!r}")
        answers, weights = self._accepted(block, report, "accepted answers")
        for item, text in answers:
            if not normalise_text(text.replace("*", "")) and text.strip("*"):
                report(item.line, "an accepted answer must contain letters or digits")
            elif not text.strip("*"):
                report(item.line, "an accepted answer of only * would accept anything")
        return AnswerKey(accepted=tuple(text for _item, text in answers), weights=weights,
                         case_sensitive=case == "sensitive")

    def matching_answer(self, question, answer):
        if not answer:
            return None
        return next((index for index, accepted in enumerate(question.accepted)
                     if accepts_text(accepted, answer, question.case_sensitive)), None)


class Numerical(_AcceptedAnswers):
    """A number typed by the trainee, right within a tolerance or a range (Moodle's numerical)."""

    name = "numerical"
    meta_keys = ("units",)

    def parse(self, block, report):
        """``- 1.5:0.1`` (± 0.1), ``- 1..2`` (a range), ``- 42``, ``- *`` (any number); ``units: [元]``."""
        answers, weights = self._accepted(block, report, "accepted numbers (42, 1.5:0.1 or 1..2)")
        values, tolerances = [], []
        for item, text in answers:
            found = NUMERICAL_ANSWER.fullmatch(text.replace(" ", ""))
            if not found:
                report(item.line, f"a numerical answer is 42, 1.5:0.1 (value:tolerance), 1..2 (a range) or *, not {text!r}")
                continue
            if found["any"]:
                values.append("*")
                tolerances.append(0.0)
            elif found["upper"] is not None:
                low, high = float(found["value"]), float(found["upper"])
                if high < low:
                    report(item.line, f"a range is written low..high, not {text!r}")
                values.append(number_text((low + high) / 2))
                tolerances.append((high - low) / 2)
            else:
                tolerance = abs(float(found["tolerance"] or 0))
                values.append(number_text(float(found["value"])))
                tolerances.append(tolerance)
        units = block.meta.get("units")
        unit_list: tuple[str, ...] = ()
        if units is not None:
            if units.startswith("[") and units.endswith("]"):
                unit_list = tuple(dict.fromkeys(u.strip() for u in re.split(r"[,，、]", units[1:-1]) if u.strip()))
            if not unit_list or any(re.search(r"\d", unit) for unit in unit_list):
                report(block.line, f"units are written [元, 块] (no digits), not {units!r}")
        return AnswerKey(accepted=tuple(values), tolerances=tuple(tolerances), weights=weights, units=unit_list)

    def matching_answer(self, question, answer):
        if not answer:
            return None
        number = parse_number(answer, question.units)
        if number is None:
            return None
        for index, (value, tolerance) in enumerate(zip(question.accepted, question.tolerances)):
            if value == "*":
                return index
            target = float(value)
            # Moodle's nominal tolerance, with room for binary rounding (1.5 - 1.4 > 0.1 in floats)
            if abs(number - target) <= tolerance + 1e-9 * max(1.0, abs(target)):
                return index
        return None

    def _shown(self, question, index):
        value, tolerance = question.accepted[index], question.tolerances[index]
        shown = value if value == "*" or not tolerance else f"{value} ± {number_text(tolerance)}"
        return shown + (f" {question.units[0]}" if question.units and value != "*" else "")


def number_text(number: float) -> str:
    """1.0 → "1", 0.1 → "0.1": a number written back the shortest exact way."""
    return repr(number).removesuffix(".0") if abs(number) < 1e15 else repr(number)


class Ordering(QuestionType):
    """Items written in the correct order, shown shuffled; the answer is a sequence of items."""

    name = "ordering"
    shuffle = "always"

    def parse(self, block, report):
        self._no_weights(block, report)
        if block.list_kind != "ordered" or len(block.items) < 2:
            report(block.list_line or block.line, "an ordering question needs an ordered list (1. 2. …) of two or more items")
            return AnswerKey()
        if len({item.text for item in block.items}) != len(block.items):
            report(block.list_line, "ordering items must differ from each other")
        return AnswerKey(options=tuple(item.text for item in block.items))

    def draw_order(self, question, rng, shuffle_options):
        """Always shuffled, and never shown already in the correct order."""
        size = len(question.options)
        order = tuple(rng.sample(range(size), size))
        if size > 1 and order == tuple(range(size)):
            order = order[1:] + order[:1]
        return order

    def public_view(self, question, order, answer=None):
        shown_of = {written: shown for shown, written in enumerate(order)}
        sequence = [None if written is None else shown_of[written] for written in (answer or [None] * len(order))]
        return {
            "type": self.name,
            "stem": question.stem,
            "items": [question.options[written] for written in order],
            "sequence": sequence,  # shown position of the item placed 1st, 2nd, … (None = empty)
        }

    def normalise(self, question, order, values):
        """values[k] = shown position of the item the trainee puts in place k."""
        size = len(question.options)
        if len(values) != size:
            raise InvalidAnswer(f"{size} places expected")
        sequence = [_index(value, size) for value in values]
        placed = [position for position in sequence if position is not None]
        if len(placed) != len(set(placed)):
            raise InvalidAnswer("an item is placed twice")
        return [None if position is None else order[position] for position in sequence]

    def grade(self, question, answer):
        """Share of items in their correct place."""
        if not answer:
            return 0.0
        return sum(1 for place, written in enumerate(answer) if written == place) / len(question.options)

    def correct_answer(self, question):
        return list(range(len(question.options)))

    def describe(self, question, answer):
        if not any(written is not None for written in answer or []):
            return []
        return [f"{place}. {question.options[written] if written is not None else '—'}"
                for place, written in enumerate(answer, start=1)]


class Matching(QuestionType):
    """Left items shown in order, each with a choice among the (distinct) right items, shuffled."""

    name = "matching"
    shuffle = "always"

    def parse(self, block, report):
        self._no_weights(block, report)
        if block.list_kind != "bullet" or len(block.items) < 2:
            report(block.list_line or block.line, "a matching question needs a bullet list of two or more pairs - 左项 => 右项")
            return AnswerKey()
        lefts, rights, distractors = [], [], []
        for item in block.items:
            left, arrow, right = item.text.partition("=>")
            if not arrow or not right.strip() or item.checked is not None:
                report(item.line, "a matching pair is written - 左项 => 右项 (or - => 右项 for an extra right item)")
                continue
            if left.strip():
                lefts.append(left.strip())
                rights.append(right.strip())
            else:
                distractors.append(right.strip())
        if len(lefts) < 2:
            report(block.list_line, "a matching question needs two or more pairs - 左项 => 右项")
        if len(set(lefts)) != len(lefts):
            report(block.list_line, "matching left items must differ from each other")
        return AnswerKey(options=tuple(lefts), matches=tuple(rights), distractors=tuple(distractors))

    @staticmethod
    def choices(question: Question) -> tuple[str, ...]:
        """The distinct right items, in written order (two lefts may share a right item), then the
        extra ones that match nothing."""
        return tuple(dict.fromkeys(question.matches + question.distractors))

    def shuffled_count(self, question):
        return len(self.choices(question))

    def public_view(self, question, order, answer=None):
        choices = self.choices(question)
        shown_of = {written: shown for shown, written in enumerate(order)}
        selected = [None if written is None else shown_of[written] for written in (answer or [None] * len(question.options))]
        return {
            "type": self.name,
            "stem": question.stem,
            "prompts": list(question.options),
            "choices": [choices[written] for written in order],
            "selected": selected,  # shown position of the choice picked for each prompt
        }

    def normalise(self, question, order, values):
        """values[k] = shown position of the choice picked for left item k."""
        if len(values) != len(question.options):
            raise InvalidAnswer(f"{len(question.options)} choices expected")
        size = len(order)
        return [None if (shown := _index(value, size)) is None else order[shown] for value in values]

    def grade(self, question, answer):
        """Share of correct pairs."""
        if not answer:
            return 0.0
        choices = self.choices(question)
        right = sum(1 for left, picked in enumerate(answer) if picked is not None and choices[picked] == question.matches[left])
        return right / len(question.options)

    def correct_answer(self, question):
        choices = self.choices(question)
        return [choices.index(right) for right in question.matches]

    def describe(self, question, answer):
        if not any(picked is not None for picked in answer or []):
            return []
        choices = self.choices(question)
        return [f"{left} → {choices[picked] if picked is not None else '—'}"
                for left, picked in zip(question.options, answer)]


QUESTION_TYPES: dict[str, QuestionType] = {
    kind.name: kind() for kind in (SingleChoice, MultipleChoice, TrueFalse, Fill, Numerical, Ordering, Matching)
}


_TUPLE_FIELDS = ("tags", "options", "correct", "accepted", "matches", "distractors", "weights", "tolerances", "units")


def question_to_data(question: Question) -> dict:
    """A JSON-able dict of the question, stored with its version (which keeps the source apart)."""
    return {name: list(value) if name in _TUPLE_FIELDS else value
            for name, value in vars(question).items() if name != "source"}


def question_from_data(data: dict) -> Question:
    return Question(**{name: tuple(value) if name in _TUPLE_FIELDS else value for name, value in data.items()})
