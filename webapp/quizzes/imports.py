"""What every question importer (GIFT, Moodle XML, Aiken) produces, and how it becomes bank text.

Pure (no Flask, no database). An importer turns each question of a file into an ``Imported``
entry: converted faithfully, converted with a change (each change said), or not converted (why),
always with the line it starts on, so that nothing is dropped silently. Converted questions are
written as ``##`` sections of a bank file (formats §2) and checked by the bank parser.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote

from webapp.content.imagefiles import ImageRefused, content_name

from .bank import parse_bank
from .questions import Question, percent

CONVERTED, CHANGED, NOT_CONVERTED = "converted", "changed", "not_converted"
#: Encodings tried in turn when none is named (Moodle exports UTF-8; older Windows tools do not).
DETECTED_ENCODINGS = ("utf-8", "gb18030", "windows-1252")
PLACEHOLDER_EXPLANATION = "（待补充解析：原题没有反馈）"


class UnreadableFile(ValueError):
    """The file's bytes are not text in the named (or any detected) encoding."""


@dataclass
class ImportedQuestion:
    """One converted question, ready to be written as a bank section."""

    type: str
    stem: str  # Markdown
    explanation: str = ""
    tags: tuple[str, ...] = ()
    #: single / multiple: (text, right, weight or None); truefalse uses ``truth``
    options: list[tuple[str, bool, float | None]] = field(default_factory=list)
    #: fill / numerical: (answer as written in a bank, weight or None)
    answers: list[tuple[str, float | None]] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # matching
    distractors: list[str] = field(default_factory=list)  # matching: right items of no left item
    truth: bool | None = None
    units: tuple[str, ...] = ()
    case_sensitive: bool = False
    images: dict[str, bytes] = field(default_factory=dict)  # name as the texts show it (images/…) -> bytes


@dataclass
class Imported:
    """One question of the imported file and what became of it."""

    line: int
    title: str  # the source's name of the question (GIFT title, XML <name>), or the start of its text
    status: str  # CONVERTED | CHANGED | NOT_CONVERTED
    messages: list[str]  # the changes made, or why it was not converted
    question: ImportedQuestion | None = None


@dataclass
class Conversion:
    path: str
    items: list[Imported]

    @property
    def questions(self) -> list[ImportedQuestion]:
        return [item.question for item in self.items if item.question is not None]

    @property
    def images(self) -> dict[str, bytes]:
        """The images the converted questions show, by the name their texts use."""
        return {name: data for question in self.questions for name, data in question.images.items()}

    def read_back(self, bank_id: str) -> list[tuple[Imported, Question | None]]:
        """Every item with its converted question as the bank parser reads it (numbered
        ``<bank_id>.q001`` …); a question the parser refuses is not converted, with its problems."""
        checked, number = [], 0
        for item in self.items:
            if item.question is None:
                checked.append((item, None))
                continue
            number += 1
            question_id = f"{bank_id}.q{number:03d}"
            text = bank_header(bank_id, bank_id, None) + question_section(item.question, question_id, "preview.lesson", 2)
            bank, problems = parse_bank(f"{bank_id}.md", text, bank_id)
            if problems or bank is None:
                item = Imported(item.line, item.title, NOT_CONVERTED, [f"after conversion: {p.message}" for p in problems])
                checked.append((item, None))
            else:
                checked.append((item, bank.questions[0]))
        return checked

    def notes(self) -> list[str]:
        """``path:line: message`` for every change and every question left out."""
        return [f"{self.path}:{item.line}: {'not converted: ' if item.status == NOT_CONVERTED else ''}{message}"
                for item in self.items for message in item.messages]


class Notes:
    """Collects what a converter says about one question (its changes) and the images it shows;
    raising ``NotConverted`` stops converting it."""

    def __init__(self) -> None:
        self.changes: list[str] = []
        self.images: dict[str, bytes] = {}

    def change(self, message: str) -> None:
        if message not in self.changes:
            self.changes.append(message)


class NotConverted(Exception):
    """Raised by a converter for a question it cannot convert faithfully; the message says why."""


def imported(line: int, title: str, convert) -> Imported:
    """Run ``convert(notes)`` for one question and record the outcome (never raises NotConverted)."""
    notes = Notes()
    try:
        question = convert(notes)
    except NotConverted as refusal:
        return Imported(line, title, NOT_CONVERTED, [str(refusal)])
    except ValueError as error:  # a malformed number in the source (a tolerance, a multiplier …)
        return Imported(line, title, NOT_CONVERTED, [f"a value cannot be read: {error}"])
    question.images = notes.images
    if not question.explanation.strip():
        question.explanation = PLACEHOLDER_EXPLANATION
        notes.change("no feedback to use as the explanation: a placeholder was written, replace it")
    return Imported(line, title, CHANGED if notes.changes else CONVERTED, notes.changes, question)


def decode(raw: bytes, path: str, encoding: str | None = None) -> str:
    """The file's text: in ``encoding`` when named, else UTF-8 (BOM or not), GB18030 or windows-1252.

    GB18030 decodes most byte strings, so it is taken only when what it reads is Chinese text."""
    if encoding:
        try:
            return raw.decode(encoding).removeprefix("\ufeff")
        except LookupError:
            raise UnreadableFile(f"{path}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise UnreadableFile(f"{path}:{line}: the file is not {encoding} text") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
        if _mostly_chinese(text):
            return text
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("windows-1252")
    except UnicodeDecodeError:
        raise UnreadableFile(f"{path}: the file is neither UTF-8, GB18030 nor windows-1252 text: "
                             "name its encoding with --encoding") from None


def _mostly_chinese(text: str) -> bool:
    beyond_ascii = [char for char in text if ord(char) > 127]
    chinese = sum(1 for char in beyond_ascii if unicodedata.name(char, "").startswith(("CJK", "FULLWIDTH", "IDEOGRAPHIC")))
    return bool(beyond_ascii) and chinese >= 0.8 * len(beyond_ascii)


def title_of(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= 40 else words[:39] + "…"


# --- HTML question text ---------------------------------------------------------------------------

class _HtmlToMarkdown(HTMLParser):
    """The few inline/paragraph tags question text uses, links and embedded images; any other tag
    is dropped and noted. Text is escaped so that Markdown shows it as HTML did."""

    INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
    LINK_SCHEMES = ("http://", "https://", "mailto:")

    def __init__(self, files: Mapping[str, bytes] | None, notes: Notes) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropped: set[str] = set()
        self.files, self.notes = files, notes
        self.links: list[str | None] = []  # the href of each open <a>, None for one dropped

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.parts.append(embedded_image(attributes.get("src") or "", attributes.get("alt") or "", self.files, self.notes))
        elif tag == "a":
            self.links.append(_link_target(attributes.get("href") or ""))
            if self.links[-1] is None:
                self.dropped.add(tag)
            else:
                self.parts.append("[")
        elif tag in self.INLINE:
            self.parts.append(self.INLINE[tag])
        elif tag in ("p", "div", "br"):
            self.parts.append("\n\n" if tag != "br" else "  \n")
        else:
            self.dropped.add(tag)

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            if (href := self.links.pop()) is not None:
                self.parts.append(f"](<{href}>)" if re.search(r"[\s()<>]", href) else f"]({href})")
        elif tag in self.INLINE:
            self.parts.append(self.INLINE[tag])
        elif tag in ("p", "div"):
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(escape_markdown(data))


def _link_target(href: str) -> str | None:
    """Where a link of the text goes in Markdown: http(s) and mailto as written; None (the link
    dropped, its text kept) for anything else. A link to a file embedded in the question (a
    recording, a document) is not converted: only images are kept."""
    if href.startswith(PLUGINFILE):
        raise NotConverted(f"the text links to {unquote(href.removeprefix(PLUGINFILE))}, a file embedded in the "
                           "question: only embedded images are kept")
    return href if href.lower().startswith(_HtmlToMarkdown.LINK_SCHEMES) else None


def escape_markdown(text: str) -> str:
    """Plain text that Markdown shows as written: backslashes, emphasis, code, brackets and
    character references (``&copy;``) escaped."""
    return re.sub(r"([\\*`\[\]]|&(?=#?\w+;))", r"\\\1", text)


def html_to_markdown(text: str, notes: Notes, files: Mapping[str, bytes] | None = None) -> str:
    """HTML question text as Markdown; tags other than p, br, b, strong, i, em, code, a and img are
    dropped (their text kept) and the drop is noted as a change. ``files``: see ``embedded_image``."""
    converter = _HtmlToMarkdown(files, notes)
    converter.feed(text)
    converter.close()
    if converter.dropped:
        notes.change("HTML tags dropped, their text kept (only p, br, b, strong, i, em, code, a and img are kept): "
                     + ", ".join(sorted(converter.dropped)))
    return re.sub(r"\n{3,}", "\n\n", "".join(converter.parts)).strip()


# --- embedded images ------------------------------------------------------------------------------

PLUGINFILE = "@@PLUGINFILE@@/"
URL_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
#: ``![alt](src)`` or ``![alt](src "title")`` in Markdown text.
MARKDOWN_IMAGE = re.compile(r'!\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)')


def embedded_image(src: str, alt: str, files: Mapping[str, bytes] | None, notes: Notes) -> str:
    """The Markdown for an image the text shows: ``![alt](images/<hash>.png)``, its bytes kept in
    ``notes.images``. ``files`` are the files embedded beside the text (Moodle XML's ``<file>``,
    by path ``sub/x.png``); None for a format that carries no files (GIFT)."""
    if files is None:
        raise NotConverted(f"the text shows an image ({src}) and GIFT carries no image files: "
                           "import the Moodle XML export of these questions to keep their images")
    name = unquote(src.removeprefix(PLUGINFILE)) if src.startswith(PLUGINFILE) else None
    if name is None or name not in files:
        raise NotConverted(f"image {src} not converted: it is not a file embedded in the question")
    try:
        stored = content_name(files[name])
    except ImageRefused as refusal:
        raise NotConverted(f"image {name} not converted: {refusal}") from None
    notes.images[stored] = files[name]
    alt = re.sub(r"([\\\[\]])", r"\\\1", " ".join(alt.split()))
    return f"![{alt}]({stored})"


def markdown_images(text: str, files: Mapping[str, bytes] | None, notes: Notes) -> str:
    """Markdown text with each image it shows resolved by ``embedded_image``."""
    return MARKDOWN_IMAGE.sub(lambda found: embedded_image(
        found.group(2), re.sub(r"\\(.)", r"\1", found.group(1)), files, notes), text)


def shown_images(texts: Iterable[str]) -> list[str]:
    """The images these Markdown texts show from beside the bank (no URL scheme: ``images/…``),
    each once, in order."""
    found = (match.group(2) for text in texts for match in MARKDOWN_IMAGE.finditer(text))
    return list(dict.fromkeys(src for src in found if not URL_SCHEME.match(src)))


def images_of(question: Question) -> list[str]:
    """The images beside the bank any text of a bank question shows."""
    return shown_images([question.stem, question.explanation, *question.options, *question.matches, *question.distractors])


# --- writing bank sections ----------------------------------------------------------------------

def bank_sections(questions: list[ImportedQuestion], bank_id: str, first_number: int, lesson: str, difficulty: int) -> str:
    """The questions as ``##`` sections of a bank file, numbered from ``first_number``."""
    return "\n".join(question_section(question, f"{bank_id}.q{number:03d}", lesson, difficulty)
                     for number, question in enumerate(questions, start=first_number))


def question_section(question: ImportedQuestion, question_id: str, lesson: str, difficulty: int) -> str:
    lines = [f"## {question_id}", f"type: {question.type}", f"difficulty: {difficulty}",
             f"tags: [{', '.join(tag.replace(',', ' ') for tag in question.tags)}]", f"lesson: {lesson}"]
    if question.truth is not None:
        lines.append(f"answer: {'对' if question.truth else '错'}")
    if question.units:
        lines.append(f"units: [{', '.join(question.units)}]")
    if question.case_sensitive:
        lines.append("case: sensitive")
    lines += ["", escape_block_start(question.stem), ""]
    weighted = question.type == "multiple" and any(weight is not None for _t, _r, weight in question.options)
    weights = _summing_to_one(question.options) if weighted else [weight for _t, _r, weight in question.options]
    items = [f"- [{'x' if right else ' '}] {_weight(weight, always=weighted and right)}{text}"
             for (text, right, _w), weight in zip(question.options, weights)]
    items += [f"- {_weight(weight)}{text}" for text, weight in question.answers]
    items += [f"- {left} => {right}" for left, right in question.pairs] + [f"- => {right}" for right in question.distractors]
    if items:
        lines += items + [""]
    lines += ["> " + line if line else ">" for line in question.explanation.split("\n")]
    return "\n".join(lines) + "\n"


def _summing_to_one(options: list[tuple[str, bool, float | None]]) -> list[float | None]:
    """Multiple-answer weights as written (hundredths of a percent), the last right one taking the
    rounding: 3 × 33.33333 % is written 33.33 + 33.33 + 33.34, and all right options still earn 100 %."""
    weights = [None if weight is None else round(weight, 4) for _t, _r, weight in options]
    right = [index for index, (_t, is_right, _w) in enumerate(options) if is_right]
    if right:
        weights[right[-1]] = round(1 - sum(weights[index] or 0 for index in right[:-1]), 4)
    return weights


def _weight(weight: float | None, always: bool = False) -> str:
    """``{50%} `` before an item; full marks and nothing go unwritten unless ``always``."""
    if weight is None or (not always and weight in (0, 1)):
        return ""
    return f"{{{percent(weight)}%}} "


def escape_block_start(markdown: str) -> str:
    """Keep stem lines from opening a heading, quote or list that would end the stem early."""
    return "\n".join(re.sub(r"^(\s*)([#>]|[-*+] |\d+[.)] )", r"\1\\\2", line) for line in markdown.split("\n"))


def bank_header(bank_id: str, title: str, module: str | None) -> str:
    lines = ["---", f"bank: {bank_id}", f"title: {title}"] + [f"module: {module}"] * bool(module) + ["---", ""]
    return "\n".join(lines) + "\n"


def appended_bank(existing: str | None, bank_id: str, title: str, module: str | None,
                  questions: list[ImportedQuestion], lesson: str, difficulty: int) -> tuple[str, str]:
    """(the bank file with ``questions`` appended, numbered after its last one; the new sections).

    ``existing`` is the bank file's text, or None for a new bank with this title and module."""
    existing = existing if existing is not None else bank_header(bank_id, title, module)
    numbers = [int(n) for n in re.findall(rf"^## {re.escape(bank_id)}\.q(\d+)\s*$", existing, re.MULTILINE)]
    sections = bank_sections(questions, bank_id, max(numbers, default=0) + 1, lesson, difficulty)
    return (existing.rstrip("\n") + "\n\n" + sections if questions else existing), sections
