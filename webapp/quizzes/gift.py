"""Moodle GIFT → our Markdown bank format (formats §2). Pure: text in, text and notes out.

What is read (Moodle's GIFT documentation): ``//`` comment lines (``[tag:…]`` in them become
tags), ``$CATEGORY:`` (its last segment becomes a tag), titles ``::t::`` (dropped: our ids are
``<bank>.qNNN``), format markers ``[markdown]`` ``[plain]`` ``[html]`` ``[moodle]``, escapes
``\\~ \\= \\# \\{ \\} \\: \\n``, answer weights ``%50%``, per-answer feedback ``#…`` and general
feedback ``####…``.

How each GIFT type maps:

| GIFT | ours |
|---|---|
| multiple choice, one ``=`` | ``single`` (partial ``~%w%`` weights dropped, noted) |
| multiple choice with ``~%w%`` weights, several positive | ``multiple``: positive weights are the right options (uneven weights noted) |
| ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}`` | ``truefalse`` |
| short answer ``{=a =b}`` | ``fill`` with the blank where the answer block stood (``____`` appended when it ends the text) |
| missing word ``text {=a ~b} text`` | ``single`` with ``____`` in the stem |
| matching ``{=a -> b …}`` | ``matching`` (extra right-side distractors ``= -> x`` cannot be expressed: not converted) |
| numerical ``{#n}`` / ``{#n:0}`` / ``{#n..n}`` with a whole number | ``fill`` accepting that number |
| numerical with a tolerance, a range or decimals | not converted: fill answers are compared without punctuation, so ``3.5`` would also accept ``35`` |
| essay ``{}``, description (no answer block) | not converted |

The explanation (required by our format) is the general feedback followed by the answer
feedbacks; a question without any feedback gets a placeholder explanation and a note.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from webapp.content.problems import Problem

_ESCAPABLE = "~=#{}:"
# escaped characters (and \n) hide behind private-use characters while the structure is read
_PLACEHOLDER = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPABLE + "n")}
_RESTORE = str.maketrans({placeholder: "\n" if char == "n" else char for char, placeholder in _PLACEHOLDER.items()})
_FORMAT = re.compile(r"^\s*\[(markdown|plain|html|moodle)\]", re.IGNORECASE)
_TITLE = re.compile(r"^\s*::(.*?)::", re.DOTALL)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = re.compile(r"^(T|F|TRUE|FALSE)\s*(#.*)?$", re.IGNORECASE | re.DOTALL)
_NUMBER = r"-?\d+(?:\.\d+)?"
_NUMERICAL = re.compile(rf"^({_NUMBER})(?::({_NUMBER})|\.\.({_NUMBER}))?$")
_TAG = re.compile(r"\[tag:([^\]]+)\]")
PLACEHOLDER_EXPLANATION = "（待补充解析：GIFT 原题没有反馈）"


@dataclass
class GiftQuestion:
    """One converted question, ready to be written as a bank section."""

    type: str
    stem: str
    explanation: str
    tags: tuple[str, ...]
    line: int  # where it starts in the GIFT file
    options: list[tuple[str, bool]] = field(default_factory=list)  # (text, right) for choices
    answer_lines: list[str] = field(default_factory=list)  # fill answers, ordering items, pairs
    truth: bool | None = None


@dataclass
class GiftConversion:
    questions: list[GiftQuestion]
    notes: list[Problem]  # what could not be converted, or only approximately, at its GIFT line


@dataclass
class _Answer:
    marker: str  # "=" or "~"
    weight: float  # percent
    text: str
    feedback: str


class _HtmlToMarkdown(HTMLParser):
    """The few inline/paragraph tags question text uses; any other tag is dropped and noted."""

    INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropped: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in self.INLINE:
            self.parts.append(self.INLINE[tag])
        elif tag in ("p", "div", "br"):
            self.parts.append("\n\n" if tag != "br" else "  \n")
        else:
            self.dropped.add(tag)

    def handle_endtag(self, tag):
        if tag in self.INLINE:
            self.parts.append(self.INLINE[tag])
        elif tag in ("p", "div"):
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def _to_markdown(text: str, text_format: str, note) -> str:
    """Question text as Markdown: [markdown]/[plain] as written, [html]/[moodle] (the default) converted."""
    if text_format in ("markdown", "plain"):
        return text.strip()
    converter = _HtmlToMarkdown()
    converter.feed(text)
    converter.close()
    if converter.dropped:
        note("HTML tags dropped (only p, br, b, strong, i, em, code are kept): " + ", ".join(sorted(converter.dropped)))
    return re.sub(r"\n{3,}", "\n\n", "".join(converter.parts)).strip()


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
            tags += [tag.strip() for tag in _TAG.findall(stripped)]
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


def convert_gift(text: str, path: str = "<gift>") -> GiftConversion:
    """Convert a whole GIFT file; each question that cannot be converted becomes a note."""
    text = _protect_escapes(text.replace("\r\n", "\n").removeprefix("\ufeff"))
    questions, notes = [], []
    category_tags: tuple[str, ...] = ()
    for line, chunk, tags in _chunks(text):
        if chunk.lstrip().startswith("$CATEGORY:"):
            category, _, chunk = chunk.partition("\n")
            segments = [s.strip() for s in _unescape(category.split(":", 1)[1]).split("/") if s.strip()]
            category_tags = (segments[-1].replace(",", " "),) if segments and segments[-1] != "top" else ()
            line += 1
            if not chunk.strip():
                continue
        chunk_notes: list[str] = []
        question = _convert_question(chunk, chunk_notes.append)
        notes += [Problem(path, line, message) for message in chunk_notes]
        if question is not None:
            question.tags = tuple(dict.fromkeys(category_tags + tags))
            question.line = line
            questions.append(question)
    return GiftConversion(questions, notes)


def _split_block(chunk: str) -> tuple[str, str | None, str]:
    """(text before, answer block or None, text after) at the first unescaped { … }."""
    opening = chunk.find("{")
    closing = chunk.find("}", opening) if opening >= 0 else -1
    if closing < 0:
        return chunk, None, ""
    return chunk[:opening], chunk[opening + 1 : closing], chunk[closing + 1 :]


def _convert_question(chunk: str, note) -> GiftQuestion | None:
    title = _TITLE.match(chunk)
    body = chunk[title.end() :] if title else chunk
    text_format = "moodle"
    if marker := _FORMAT.match(body):
        text_format, body = marker.group(1).lower(), body[marker.end() :]
    before, block, after = _split_block(body)
    if block is None:
        note("description (no answer block) is not a question: not converted")
        return None
    block = block.strip()
    if not block:
        note("essay questions (empty answer block {}) need a human grader: not converted")
        return None

    def stem(blank: bool) -> str:
        """The question text; with ``____`` where the answer block stood when ``blank``."""
        head, tail = before.rstrip(), after.lstrip()
        if blank:
            head = _join_words(head, "____")
        return _to_markdown(_unescape(_join_words(head, tail)).strip(), text_format, note)

    if block.startswith("#"):
        return _numerical(block[1:], stem, note)
    if truth := _TRUE_FALSE.match(block):
        feedback = [_unescape(part).strip() for part in (truth.group(2) or "").split("#") if part.strip()]
        question = GiftQuestion("truefalse", stem(False), "", (), 0, truth=truth.group(1).upper().startswith("T"))
        return _with_explanation(question, "", feedback, note)
    block, _, general = block.partition("####")
    answers = _answers(block)
    if not answers:
        note("the answer block holds no answers: not converted")
        return None
    feedback = [f"{_unescape(a.text)}：{_unescape(a.feedback).strip()}" for a in answers if a.feedback.strip()]
    general = _unescape(general).strip()
    if all(answer.marker == "=" and "->" in answer.text for answer in answers):
        return _matching(answers, stem(False), general, feedback, note)
    if any(answer.marker == "~" for answer in answers):
        return _choice(answers, stem(bool(after.strip())), general, feedback, note)
    return _short_answer(answers, stem(True), general, feedback, note)


def _join_words(head: str, tail: str) -> str:
    """Join two pieces of text with a space only between Latin words (never inside Chinese)."""
    def latin(char: str) -> bool:
        return char.isascii() and (char.isalnum() or char == "_")

    return head + (" " if latin(head[-1:]) and latin(tail[:1]) else "") + tail


def _answers(block: str) -> list[_Answer]:
    answers = []
    for match in re.finditer(r"([=~])([^=~]*)", block):
        marker, rest = match.group(1), match.group(2)
        weight = 100.0 if marker == "=" else 0.0
        if found := _WEIGHT.match(rest.strip()):
            weight, rest = float(found.group(1)), rest.strip()[found.end() :]
        text, _, feedback = rest.partition("#")
        answers.append(_Answer(marker, weight, " ".join(text.split()), feedback))
    return answers


def _with_explanation(question: GiftQuestion, general: str, feedback: list[str], note) -> GiftQuestion:
    parts = [general] * bool(general) + feedback
    if not parts:
        note("no feedback to use as the explanation: a placeholder was written, replace it")
    question.explanation = "\n\n".join(parts) or PLACEHOLDER_EXPLANATION
    return question


def _choice(answers, stem, general, feedback, note) -> GiftQuestion | None:
    right = [a for a in answers if a.weight > 0]
    if not right:
        note("multiple choice without a right answer (= or a positive %weight%): not converted")
        return None
    full = [a for a in answers if a.weight >= 100]
    if len(full) == 1 and len(right) == 1:
        kind = "single"
    elif len(full) == 1:
        kind = "single"
        note("partial-credit weights on wrong options dropped: single questions are all-or-nothing")
        right = full
    elif full:
        note("several fully right options in a single-answer question cannot be expressed: not converted")
        return None
    else:
        kind = "multiple"
        if len({a.weight for a in right}) > 1:
            note("uneven weights mapped to right/wrong options: multiple questions give (right − wrong picks) / right options")
    options = [(_unescape(a.text), a in right) for a in answers]
    question = GiftQuestion(kind, stem, "", (), 0, options=options)
    return _with_explanation(question, general, feedback, note)


def _short_answer(answers, stem, general, feedback, note) -> GiftQuestion:
    accepted = [_unescape(a.text) for a in answers if a.weight >= 100]
    if len(accepted) < len(answers):
        note("partially right short answers (=%w%) dropped: fill questions are all-or-nothing")
    return _with_explanation(GiftQuestion("fill", stem, "", (), 0, answer_lines=accepted), general, feedback, note)


def _matching(answers, stem, general, feedback, note) -> GiftQuestion | None:
    pairs = []
    for answer in answers:
        left, _, right = (_unescape(part).strip() for part in answer.text.partition("->"))
        if not left:
            note(f'extra right-side choice "{right}" (= -> …) cannot be expressed: not converted')
            return None
        if "=>" in left or "=>" in right:
            note("a matching item containing '=>' cannot be written in our format: not converted")
            return None
        pairs.append(f"{left} => {right}")
    return _with_explanation(GiftQuestion("matching", stem, "", (), 0, answer_lines=pairs), general, feedback, note)


def _numerical(block: str, stem, note) -> GiftQuestion | None:
    """``{#n}``, ``{#n:0}``, ``{#n..n}`` or ``{#=n =n …}`` with whole numbers become fill answers."""
    block, _, general = block.partition("####")
    if block.strip().startswith("="):
        alternatives = _answers(block)
    else:
        value, _, feedback_text = block.partition("#")
        alternatives = [_Answer("=", 100.0, value.strip(), feedback_text)]
    accepted, feedback = [], []
    for answer in alternatives:
        parsed = _NUMERICAL.match(answer.text)
        if not parsed:
            note(f"numerical answer {_unescape(answer.text)!r} not understood: not converted")
            return None
        if answer.weight < 100:
            note("partially right numerical answers dropped: fill questions are all-or-nothing")
            continue
        number, tolerance, upper = parsed.groups()
        exact = (tolerance is None or float(tolerance) == 0) and (upper is None or float(upper) == float(number))
        if not exact or "." in number:
            note("numerical answers with a tolerance, a range or decimals cannot be expressed "
                 "(fill compares text without punctuation): not converted")
            return None
        accepted.append(number)
        if answer.feedback.strip():
            feedback.append(f"{number}：{_unescape(answer.feedback).strip()}")
    question = GiftQuestion("fill", stem(True), "", (), 0, answer_lines=accepted)
    return _with_explanation(question, _unescape(general).strip(), feedback, note)


def bank_sections(questions: list[GiftQuestion], bank_id: str, first_number: int, lesson: str, difficulty: int) -> str:
    """The questions as ``##`` sections of a bank file, numbered from ``first_number``."""
    sections = []
    for number, question in enumerate(questions, start=first_number):
        lines = [
            f"## {bank_id}.q{number:03d}",
            f"type: {question.type}",
            f"difficulty: {difficulty}",
            f"tags: [{', '.join(question.tags)}]",
            f"lesson: {lesson}",
        ]
        if question.truth is not None:
            lines.append(f"answer: {'对' if question.truth else '错'}")
        lines += ["", _escape_block_start(question.stem), ""]
        if question.options:
            lines += [f"- [{'x' if right else ' '}] {text}" for text, right in question.options] + [""]
        elif question.answer_lines:
            lines += [f"- {text}" for text in question.answer_lines] + [""]
        lines += ["> " + line if line else ">" for line in question.explanation.split("\n")]
        sections.append("\n".join(lines) + "\n")
    return "\n".join(sections)


def _escape_block_start(markdown: str) -> str:
    """Keep stem lines from opening a heading, quote or list that would end the stem early."""
    return "\n".join(re.sub(r"^(\s*)([#>]|[-*+] |\d+[.)] )", r"\1\\\2", line) for line in markdown.split("\n"))


def bank_header(bank_id: str, title: str, module: str | None) -> str:
    lines = ["---", f"bank: {bank_id}", f"title: {title}"] + [f"module: {module}"] * bool(module) + ["---", ""]
    return "\n".join(lines) + "\n"
