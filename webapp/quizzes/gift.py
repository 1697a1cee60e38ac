"""Moodle GIFT → our question banks (formats §2). Pure: text in, ``imports.Conversion`` out.

What is read (Moodle's GIFT documentation): ``//`` comment lines (``[tag:…]`` in them become
tags), ``$CATEGORY:`` (its last segment becomes a tag), titles ``::t::`` (dropped: our ids are
``<bank>.qNNN``), format markers ``[markdown]`` ``[plain]`` ``[html]`` ``[moodle]`` before the
question text, an answer or a feedback (stripped; html and moodle text converted from HTML),
escapes ``\\~ \\= \\# \\{ \\} \\: \\n``, answer weights ``%50%``, per-answer feedback ``#…`` and
general feedback ``####…``.

| GIFT | ours |
|---|---|
| multiple choice with one ``=`` (``~%w%`` partial options) | ``single`` (weighted; a negative weight becomes 0: a change) |
| multiple choice without ``=``, weights ``~%w%`` | ``multiple`` with the same weights (right ones must add up to 100 %, as Moodle requires) |
| ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}`` | ``truefalse`` |
| short answer ``{=a =%50%b}`` | ``fill`` (weighted) with the blank where the answer block stood |
| missing word ``text {=a ~b} text`` | ``single`` with ``____`` in the stem |
| matching ``{=a -> b … = -> x}`` | ``matching``; ``= -> x`` is an extra right item |
| numerical ``{#n}`` ``{#n:t}`` ``{#a..b}`` ``{#=n:t =%50%m}`` | ``numerical`` |
| essay ``{}``, description (no answer block), a text showing an image (GIFT embeds no files) | not converted |

The explanation (required by our format) is the general feedback followed by the feedback of each
answer, except a ``*`` catch-all answer's (it answers wrong responses, it explains nothing).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .imports import (Conversion, ImportedQuestion, NotConverted, Notes, escape_markdown, html_to_markdown, imported,
                      markdown_images, title_of)
from .questions import NUMERICAL_ANSWER, WEIGHT_SUM_SLACK

_ESCAPABLE = "~=#{}:"
# escaped characters (and \n) hide behind private-use characters while the structure is read
_PLACEHOLDER = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPABLE + "n")}
_RESTORE = str.maketrans({placeholder: "\n" if char == "n" else char for char, placeholder in _PLACEHOLDER.items()})
_FORMAT = re.compile(r"^\s*\[(markdown|plain|html|moodle)\]", re.IGNORECASE)
_TITLE = re.compile(r"^\s*::(.*?)::", re.DOTALL)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = re.compile(r"^(T|F|TRUE|FALSE)\s*(#.*)?$", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"\[tag:((?:[^\]\\]|\\.)+)\]")


@dataclass
class _Answer:
    marker: str  # "=" or "~"
    weight: float | None  # percent, as written
    text: str
    feedback: str


def _unescape(text: str) -> str:
    return text.translate(_RESTORE)


def _protect_escapes(text: str) -> str:
    """Escaped special characters become placeholders until the structure has been read."""
    def replace(match: re.Match) -> str:
        char = match.group(1)
        return _PLACEHOLDER.get(char) or ("\\" if char == "\\" else match.group(0))

    return re.sub(r"\\(.)", replace, text)


def _chunks(text: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """Blank-line separated chunks with their first line and the [tag:…] of comments above them."""
    chunks, current, start, tags = [], [], 0, []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            tags += [re.sub(r"\\(.)", r"\1", tag).strip() for tag in _TAG.findall(stripped)]
            continue
        if not stripped:
            if current:
                chunks.append((start, "\n".join(current), tuple(tags)))
                current, tags = [], []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        chunks.append((start, "\n".join(current), tuple(tags)))
    return chunks


def convert_gift(text: str, path: str = "<gift>") -> Conversion:
    """Convert a whole GIFT file: every question is listed, converted or not (with why)."""
    text = _protect_escapes(text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff"))
    items = []
    category_tags: tuple[str, ...] = ()
    for line, chunk, tags in _chunks(text):
        if chunk.lstrip().startswith("$CATEGORY:"):
            category, _, chunk = chunk.partition("\n")
            segments = [s.strip() for s in _unescape(category.split(":", 1)[1]).split("/") if s.strip()]
            category_tags = (segments[-1],) if segments and segments[-1] not in ("top", "$course$") else ()
            line += 1
            if not chunk.strip():
                continue
        title = _TITLE.match(chunk)
        name = _unescape(title.group(1)).strip() if title else title_of(_unescape(chunk))
        body = chunk[title.end():] if title else chunk

        def convert(notes: Notes, body=body, tags=category_tags + tags) -> ImportedQuestion:
            question = _convert_question(body, notes)
            question.tags = tuple(dict.fromkeys(tags))
            return question

        items.append(imported(line, name, convert))
    return Conversion(path, items)


def _text(raw: str, inherited: str, notes: Notes) -> str:
    """A piece of GIFT text (question, answer, feedback) as Markdown; its own [format] or the question's."""
    text_format = inherited
    if marker := _FORMAT.match(raw):
        text_format, raw = marker.group(1).lower(), raw[marker.end():]
    raw = _unescape(raw).strip()
    if text_format == "plain":
        return escape_markdown(raw)
    if text_format == "markdown":
        return markdown_images(raw, None, notes)  # GIFT embeds no files: an image is not converted
    return html_to_markdown(raw, notes)


def _split_block(chunk: str) -> tuple[str, str | None, str]:
    """(text before, answer block or None, text after) at the first unescaped { … }."""
    opening = chunk.find("{")
    closing = chunk.find("}", opening) if opening >= 0 else -1
    if closing < 0:
        return chunk, None, ""
    return chunk[:opening], chunk[opening + 1:closing], chunk[closing + 1:]


def _convert_question(body: str, notes: Notes) -> ImportedQuestion:
    text_format = "moodle"
    if marker := _FORMAT.match(body):
        text_format, body = marker.group(1).lower(), body[marker.end():]
    before, block, after = _split_block(body)
    if block is None:
        raise NotConverted("a description (no answer block) is not a question")
    block = block.strip()
    if not block:
        raise NotConverted("an essay question (empty answer block {}) needs a human grader")

    def stem(blank: bool) -> str:
        """The question text; with ``____`` where the answer block stood when ``blank``."""
        head, tail = before.rstrip(), after.lstrip()
        if blank:
            head = _join_words(head, "____")
        return _text(_join_words(head, tail), text_format, notes)

    def text(raw: str) -> str:
        return _text(raw, text_format, notes)

    if block.startswith("#"):
        return _numerical(block[1:], stem(False), text, notes)
    if truth := _TRUE_FALSE.match(block):
        # T#feedback for a wrong response#feedback for a right one####general feedback
        responses, _, general = (truth.group(2) or "").partition("####")
        feedback = [text(part) for part in responses.split("#") if part.strip()]
        question = ImportedQuestion("truefalse", stem(False), truth=truth.group(1).upper().startswith("T"))
        question.explanation = _explanation(text(general), [("", part) for part in feedback])
        return question
    block, _, general = block.partition("####")
    answers = _answers(block)
    if not answers:
        raise NotConverted("the answer block holds no answers")
    feedback = [(text(a.text), text(a.feedback)) for a in answers if a.text.strip() != "*"]
    explanation = _explanation(text(general), feedback)
    if all(answer.marker == "=" and "->" in answer.text for answer in answers):
        question = _matching(answers, stem(False), text)
    elif any(answer.marker == "~" for answer in answers):
        question = _choice(answers, stem(bool(after.strip())), text, notes)
    else:
        question = _short_answer(answers, stem(True), text, notes)
    question.explanation = explanation
    return question


def _join_words(head: str, tail: str) -> str:
    """Join two pieces of text with a space only between Latin words (never inside Chinese)."""
    def latin(char: str) -> bool:
        return char.isascii() and (char.isalnum() or char == "_")

    return head + (" " if latin(head[-1:]) and latin(tail[:1]) else "") + tail


def _answers(block: str) -> list[_Answer]:
    answers = []
    for match in re.finditer(r"([=~])([^=~]*)", block):
        marker, rest = match.group(1), match.group(2).strip()
        weight = None
        if found := _WEIGHT.match(rest):
            weight, rest = float(found.group(1)), rest[found.end():]
        answer_text, _, feedback = rest.partition("#")
        answers.append(_Answer(marker, weight, " ".join(answer_text.split()), feedback))
    return answers


def _explanation(general: str, feedback: list[tuple[str, str]]) -> str:
    parts = [general] * bool(general) + [f"{answer}：{said}" if answer else said for answer, said in feedback if said]
    return "\n\n".join(parts)


def _choice(answers: list[_Answer], stem: str, text, notes: Notes) -> ImportedQuestion:
    if any(answer.marker == "=" for answer in answers):
        right = [a for a in answers if a.marker == "=" and a.weight in (None, 100)]
        if len(right) != 1:
            raise NotConverted("a single-answer question needs exactly one fully right answer (=)")
        options = []
        for answer in answers:
            weight = 1.0 if answer is right[0] else (answer.weight or 0) / 100
            if weight < 0:
                notes.change("a negative mark for a wrong option became 0 (a single question's mark is never below 0)")
                weight = 0.0
            options.append((text(answer.text), answer is right[0], None if answer is right[0] else weight))
        return ImportedQuestion("single", stem, options=options)
    weights = [(answer.weight or 0) / 100 for answer in answers]
    if not any(weight > 0 for weight in weights):
        raise NotConverted("multiple choice without a right answer (= or a positive %weight%)")
    if abs(sum(weight for weight in weights if weight > 0) - 1) > WEIGHT_SUM_SLACK:
        raise NotConverted("the positive weights do not add up to 100 % (Moodle refuses such a question too)")
    if all(weight > 0 for weight in weights):
        raise NotConverted("a multiple-answer question with no wrong option cannot be written")
    options = [(text(answer.text), weight > 0, weight) for answer, weight in zip(answers, weights)]
    return ImportedQuestion("multiple", stem, options=options)


def _short_answer(answers: list[_Answer], stem: str, text, notes: Notes) -> ImportedQuestion:
    accepted = []
    for answer in answers:
        weight = 1.0 if answer.weight is None else answer.weight / 100
        if weight <= 0:
            continue  # a wrong answer listed for its feedback: grading gives it nothing either way
        accepted.append((text(answer.text), weight))
    if not any(weight == 1 for _text, weight in accepted):
        raise NotConverted("no short answer earns full marks")
    return ImportedQuestion("fill", stem, answers=accepted)


def _matching(answers: list[_Answer], stem: str, text) -> ImportedQuestion:
    pairs, distractors = [], []
    for answer in answers:
        left, _, right = (part.strip() for part in answer.text.partition("->"))
        left, right = text(left) if left else "", text(right)
        if "=>" in left or "=>" in right:
            raise NotConverted("a matching item containing '=>' cannot be written in our format")
        if left:
            pairs.append((left, right))
        else:
            distractors.append(right)
    if len(pairs) < 2:
        raise NotConverted("a matching question needs two or more pairs")
    return ImportedQuestion("matching", stem, pairs=pairs, distractors=distractors)


def _numerical(block: str, stem: str, text, notes: Notes) -> ImportedQuestion:
    """``{#n}``, ``{#n:t}``, ``{#a..b}`` or ``{#=n:t =%50%m …}``; ``~#feedback`` is a wrong answer
    given only for its feedback."""
    block, _, general = block.partition("####")
    block = block.strip()
    answers, feedback = [], []
    for answer in _answers(block if block[:1] in ("=", "~") else "=" + block):
        written = _unescape(answer.text).replace(" ", "") or "*"
        if not NUMERICAL_ANSWER.fullmatch(written):
            raise NotConverted(f"numerical answer {written!r} is not a number, value:tolerance or low..high")
        weight = (1.0 if answer.marker == "=" else 0.0) if answer.weight is None else answer.weight / 100
        if written != "*":
            feedback.append((written, text(answer.feedback)))
        if weight > 0:
            answers.append((written, weight))
    if not any(weight == 1 for _answer, weight in answers):
        raise NotConverted("no numerical answer earns full marks")
    return ImportedQuestion("numerical", stem, _explanation(text(general), feedback), answers=answers)
