"""Question banks (formats §2): a bank file parsed into frozen ``Question`` dataclasses.

Pure (no Flask, no database). The file is tokenised once by markdown-it-py (CommonMark, raw HTML
off, task lists on); ``token.map`` gives every block's lines, so each problem is reported at its
file line and every Markdown part (stem, options, explanation) is kept as its own source text.

A question is an ``##`` section::

    ## <bank-id>.qNNN          heading: the question's stable id
    key: value lines            one paragraph: type, difficulty, tags, lesson (answer: truefalse,
                                key_lines: model | counter)
    stem paragraphs …           Markdown
    answer list                 the type's answer block (see ``questions.QUESTION_TYPES``)
    > explanation               required blockquote, shown only on review
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from webapp.content.frontmatter import ID, ID_PATTERN, TEXT, FieldChecker, split_front_matter
from webapp.content.problems import Problem
from webapp.content.sources import content_hash, parse_file
from webapp.courses.modellines import QUOTED, MarkedLine

from .questions import QUESTION_TYPES, AnswerBlock, ListItem, Question

BANK_KEYS = {"bank", "title", "module"}
QUESTION_KEYS = ("type", "difficulty", "tags", "lesson", "answer", "units", "case", "key_lines")
#: ``key_lines: model`` — the key's “quoted” sentences are model agent lines (they must break no
#: norm); ``key_lines: counter`` — they are counter-examples (each must break one). See formats §2.
KEY_LINE_MARKS = {"model": False, "counter": True}
KEY_LINE_TYPES = ("single", "multiple", "fill")
REQUIRED_QUESTION_KEYS = ("type", "difficulty", "tags", "lesson")
#: Keys only some types take (``QuestionType.meta_keys``).
TYPE_KEYS = ("answer", "units", "case")
KEY_VALUE = re.compile(r"^([A-Za-z_]+)\s*[:：]\s*(.*)$")
BLOCKQUOTE_MARKER = re.compile(r"^ {0,3}> ?")
LIST_KINDS = {"bullet_list_open": "bullet", "ordered_list_open": "ordered"}


@dataclass(frozen=True)
class Bank:
    id: str
    title: str
    module: str | None
    path: str
    questions: tuple[Question, ...]
    source: str  # the whole file (canonical text)
    content_hash: str  # of source
    key_lines: tuple[MarkedLine, ...] = ()  # answer-key sentences marked as agent lines (key_lines:)
    images: tuple[tuple[str, bytes], ...] = ()  # (images/<hash>.png, bytes) its questions show, read beside the file

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


@dataclass(frozen=True)
class _Block:
    """A top-level Markdown block: its tokens and its 1-based first and last lines."""

    tokens: list[Token]
    first: int
    last: int

    @property
    def kind(self) -> str:
        return self.tokens[0].type


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).use(front_matter_plugin).use(tasklists_plugin)


def question_id_pattern(bank_id: str) -> re.Pattern:
    return re.compile(re.escape(bank_id) + r"\.q\d{3,}")


def parse_bank_file(path: Path, root: Path) -> tuple[Bank | None, list[Problem]]:
    return parse_file(path, root, parse_bank)


def parse_bank(path: str, text: str, expected_id: str | None = None) -> tuple[Bank | None, list[Problem]]:
    """Parse one bank file's text; ``expected_id`` is the id its file name implies."""
    front, _body_line, problems = split_front_matter(path, text)
    if problems:
        return None, problems
    fields = FieldChecker(front, path, front.line)
    bank_id = fields.require("bank", ID)
    title = fields.require("title", TEXT)
    module = fields.optional("module", ID)
    fields.reject_unknown(BANK_KEYS)
    problems += fields.problems
    if bank_id is None:
        return None, problems
    if expected_id is not None and bank_id != expected_id:
        problems.append(Problem(path, front.line_of("bank"), f'bank id "{bank_id}" must match the file name "{expected_id}.md"'))

    lines = text.split("\n")
    sections, stray = _sections(_markdown().parse(text))
    problems += [Problem(path, block.first, "text before the first question (## <id>) is not allowed") for block in stray]
    questions: list[Question] = []
    key_lines: list[MarkedLine] = []
    first_seen: dict[str, int] = {}
    for heading, blocks, end in sections:
        question, question_key_lines, question_problems = _parse_question(path, lines, heading, blocks, end, bank_id)
        problems += question_problems
        if question is None:
            continue
        key_lines += question_key_lines
        if question.id in first_seen:
            problems.append(Problem(path, question.line, f"duplicate question id {question.id} (first on line {first_seen[question.id]})"))
            continue
        first_seen[question.id] = question.line
        questions.append(question)
    if not sections:
        problems.append(Problem(path, len(lines), "the bank has no questions"))
    bank = Bank(bank_id, title or "", module, path, tuple(questions), text, content_hash(text), tuple(key_lines))
    return bank, problems


def _top_level_blocks(tokens: list[Token]) -> list[_Block]:
    blocks, depth, start = [], 0, 0
    for index, token in enumerate(tokens):
        if depth == 0:
            start = index
        depth += token.nesting
        if depth == 0 and token.type != "front_matter":
            opening = tokens[start]
            first, last = opening.map if opening.map else (0, 0)
            blocks.append(_Block(tokens[start : index + 1], first + 1, last))
    return blocks


def _sections(tokens: list[Token]) -> tuple[list[tuple[_Block, list[_Block], int]], list[_Block]]:
    """Split the body into (heading, blocks, last line) per ``##`` section, plus stray blocks."""
    sections: list[tuple[_Block, list[_Block]]] = []
    stray: list[_Block] = []
    for block in _top_level_blocks(tokens):
        if block.kind == "heading_open" and block.tokens[0].tag == "h2":
            sections.append((block, []))
        elif sections:
            sections[-1][1].append(block)
        else:
            stray.append(block)
    ends = [heading.first - 1 for heading, _ in sections[1:]] + [None]
    return [(heading, blocks, end) for (heading, blocks), end in zip(sections, ends)], stray


def _source(lines: list[str], first: int, last: int) -> str:
    return "\n".join(lines[first - 1 : last]).strip()


def _canonical_source(lines: list[str], first: int, last: int | None) -> str:
    """The question's lines with trailing spaces and surrounding blank lines removed."""
    chunk = [line.rstrip() for line in lines[first - 1 : last]]
    return "\n".join(chunk).strip("\n") + "\n"


def _parse_question(path, lines, heading: _Block, blocks: list[_Block], end: int | None, bank_id: str):
    problems: list[Problem] = []

    def report(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    line = heading.first
    question_id = heading.tokens[1].content.strip()
    if not question_id_pattern(bank_id).fullmatch(question_id):
        report(line, f'question id "{question_id}" must be "<bank id>.qNNN", e.g. {bank_id}.q001')
        return None, (), problems
    if not blocks or blocks[0].kind != "paragraph_open":
        report(line, "a question starts with its key: value lines (type, difficulty, tags, lesson)")
        return None, (), problems
    meta, given = _parse_meta(lines, blocks[0], report)
    body = blocks[1:]
    explanation = ""
    if body and body[-1].kind == "blockquote_open":
        quote = body.pop()
        explanation = "\n".join(BLOCKQUOTE_MARKER.sub("", lines[n - 1]) for n in range(quote.first, quote.last + 1)).strip()
    if not explanation:
        report(line, "the explanation (a > blockquote after the answers) is missing")
    answer_list = body.pop() if body and body[-1].kind in LIST_KINDS else None
    if not body:
        report(line, "the question has no stem")
        return None, (), problems
    stem = _source(lines, body[0].first, body[-1].last)

    missing = [key for key in REQUIRED_QUESTION_KEYS if key not in given]
    if missing:
        report(blocks[0].first, "missing " + ", ".join(missing))
    question_type = QUESTION_TYPES.get(meta.get("type", ""))
    if question_type is None:
        if "type" in meta:
            report(blocks[0].first, f'unknown type "{meta["type"]}" (known: {", ".join(QUESTION_TYPES)})')
        return None, (), problems
    for key in set(TYPE_KEYS) & given - set(question_type.meta_keys):
        owners = [name for name, kind in QUESTION_TYPES.items() if key in kind.meta_keys]
        report(blocks[0].first, f"'{key}:' is only for {' and '.join(owners)} questions, not {question_type.name}")
    block = AnswerBlock(
        line=line,
        stem=stem,
        meta={key: meta[key] for key in question_type.meta_keys if key in meta},
        list_kind=LIST_KINDS[answer_list.kind] if answer_list else None,
        items=_list_items(answer_list, report) if answer_list else (),
        list_line=answer_list.first if answer_list else 0,
    )
    key = question_type.parse(block, report)
    if problems:
        return None, (), problems
    question = Question(
        id=question_id,
        type=question_type.name,
        stem=stem,
        explanation=explanation,
        difficulty=meta["difficulty"],
        tags=meta["tags"],
        lesson=meta["lesson"],
        options=key.options,
        correct=key.correct,
        accepted=key.accepted,
        matches=key.matches,
        distractors=key.distractors,
        weights=key.weights,
        tolerances=key.tolerances,
        units=key.units,
        case_sensitive=key.case_sensitive,
        source=(source := _canonical_source(lines, line, end)),
        content_hash=content_hash(source),
        line=line,
    )
    return question, _key_lines(meta.get("key_lines"), question_type.name, block.items, blocks[0].first, report), problems


def _key_lines(mark: str | None, question_type: str, items: tuple[ListItem, ...], meta_line: int,
               report) -> tuple[MarkedLine, ...]:
    """The “quoted” sentences of the answer key (checked options, accepted fill answers) that
    ``key_lines:`` marks; an unquoted item describes a way to act and is not a line."""
    if mark is None:
        return ()
    if mark not in KEY_LINE_MARKS or question_type not in KEY_LINE_TYPES:
        report(meta_line, f"key_lines must be model or counter, on a {', '.join(KEY_LINE_TYPES)} question")
        return ()
    keyed = [item for item in items if item.checked or (question_type == "fill" and item.checked is None)]
    found = tuple(MarkedLine(item.line, quote["text"], KEY_LINE_MARKS[mark])
                  for item in keyed for quote in QUOTED.finditer(item.text))
    if not found:
        report(meta_line, "key_lines is set but the answer key quotes no sentence (“…”)")
    return found


def _parse_meta(lines: list[str], paragraph: _Block, report) -> tuple[dict, set[str]]:
    """The key: value paragraph, each value checked at its own line: (valid values, keys given)."""
    meta: dict = {}
    given: set[str] = set()
    for number in range(paragraph.first, paragraph.last + 1):
        match = KEY_VALUE.match(lines[number - 1].strip())
        if not match:
            report(number, f"expected a 'key: value' line ({', '.join(QUESTION_KEYS)}), found {lines[number - 1].strip()!r}")
            continue
        key, value = match.group(1), match.group(2).strip()
        if key not in QUESTION_KEYS:
            report(number, f'unknown key "{key}" (known: {", ".join(QUESTION_KEYS)})')
        elif key in given:
            report(number, f'"{key}" is given twice')
        elif key == "difficulty":
            if value in ("1", "2", "3"):
                meta[key] = int(value)
            else:
                report(number, f"difficulty must be 1, 2 or 3, not {value!r}")
        elif key == "tags":
            if value.startswith("[") and value.endswith("]"):
                tags = [tag.strip() for tag in re.split(r"[,，、]", value[1:-1])]
                meta[key] = tuple(dict.fromkeys(tag for tag in tags if tag))
            else:
                report(number, f"tags are written [a, b], not {value!r}")
        elif key == "lesson":
            if ID_PATTERN.fullmatch(value) and "." in value:
                meta[key] = value
            else:
                report(number, f'lesson must be a lesson id like "complaint-handling.billing-disputes", not {value!r}')
        else:
            meta[key] = value
        given.add(key)
    return meta, given


def _list_items(block: _Block, report) -> tuple[ListItem, ...]:
    """Items of the answer list: each must be one line of inline Markdown."""
    items: list[ListItem] = []
    depth = 0
    for index, token in enumerate(block.tokens):
        if token.type == "list_item_open" and depth == 1:
            inner = block.tokens[index + 1 : index + 5]
            line = token.map[0] + 1
            if [t.type for t in inner] != ["paragraph_open", "inline", "paragraph_close", "list_item_close"]:
                report(line, "an answer item must be a single line of text")
            else:
                inline = inner[1]
                is_task = "task-list-item" in str(token.attrs.get("class", ""))
                checked = 'checked="checked"' in inline.children[0].content if is_task else None
                items.append(ListItem(inline.content.strip(), line, checked))
        depth += token.nesting
    return tuple(items)
