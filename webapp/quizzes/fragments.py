"""The attempt page's questions as cached HTML fragments, with the trainee's answers filled in.

Rendering twenty questions through Jinja on every request was most of the attempt page's time.
What a question looks like depends only on its version (content hash), the option order drawn
for the slot and the locale, so that HTML is rendered once per worker and kept. Everything that
differs per slot or per request — the slot's position, the number of questions, the saved
answer — is a marker in the cached HTML (``mark(...)`` in ``quizzes/_question.html``) that
``question_html`` fills with ``str.format_map``.

Fragments are rendered from ``public_view(question, order, None)``: they carry exactly what the
uncached page showed (never a key or an explanation), and a saved answer only adds ``checked``,
``selected`` or the escaped text of a fill answer.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup, escape

from .questions import Question

#: Delimits a marker in a rendered fragment. Question text cannot contain it: Markdown turns NUL
#: into U+FFFD, and the plain-text parts of a view are cleaned the same way before rendering.
MARK = "\x00"
_FRAGMENT_CACHE_SIZE = 10_000  # ~1.5 KB each: at most ~15 MB per worker
_fragments: dict[tuple, str] = {}
_MARK_NAME = re.compile(r"[A-Za-z][\w-]*")  # a format field name: never a number, no . [ : ! { }
_MARKS_CACHE_SIZE = 50_000  # a saved answer's markers, ~200 B each
_marks: dict[tuple, dict[str, str]] = {}


def mark(*parts) -> Markup:
    """A named hole in a cached fragment, e.g. ``mark('c', 2)`` → filled with `` checked`` or ''."""
    return Markup(MARK + "".join(str(part) for part in parts) + MARK)


def _clean(value):
    if isinstance(value, str):
        return value.replace(MARK, "\ufffd")
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


def _fragment(question: Question, order: tuple[int, ...], locale: str) -> tuple[str, dict[str, str]]:
    """The question's HTML as a ``str.format_map`` template — each marker is a ``{name}`` field (a
    question has dozens; the C formatter fills them faster than a Python loop) — and every field
    empty, the values a slot starts from (a plain dict: the formatter looks each field up in C,
    where a ``__missing__`` default would be a Python call per empty field)."""
    key = (question.content_hash, question.id, order, locale)
    fragment = _fragments.get(key)
    if fragment is None:
        view = _clean(question.question_type.public_view(question, order, None))
        pieces = render_template("quizzes/_question.html", view=view, mark=mark).split(MARK)
        if len(pieces) % 2 != 1:
            raise ValueError(f"unbalanced markers in the fragment of {question.id}")
        names = pieces[1::2]
        if not all(_MARK_NAME.fullmatch(name) for name in names):
            raise ValueError(f"a marker of the fragment of {question.id} is not a field name: {names}")
        static = [piece.replace("{", "{{").replace("}", "}}") for piece in pieces[0::2]]
        if len(_fragments) >= _FRAGMENT_CACHE_SIZE:
            _fragments.clear()
        template = static[0] + "".join("{" + name + "}" + piece for name, piece in zip(names, static[1:]))
        fragment = _fragments[key] = (template, dict.fromkeys(names, ""))
    return fragment


def answer_marks(view: dict) -> dict[str, str]:
    """Marker values that show a saved answer, from ``public_view(question, order, answer)``."""
    kind = view["type"]
    if kind in ("fill", "numerical"):
        return {"text": str(escape(view["text"]))}
    if kind == "ordering":
        return {f"o{place}-{shown}": " selected" for place, shown in enumerate(view["sequence"]) if shown is not None}
    if kind == "matching":
        return {f"m{row}-{shown}": " selected" for row, shown in enumerate(view["selected"]) if shown is not None}
    return {f"c{choice['value']}": " checked" for choice in view["choices"] if choice["selected"]}


def saved_marks(question: Question, order: tuple[int, ...], answer_json: str | None) -> dict[str, str]:
    """Marker values of a saved answer given as stored (JSON text). A trainee's answer is one of
    few per question (a choice, an order) or short text: each is decoded and viewed once per
    worker, not on every page load. The cached dict is shared: callers copy, never change it."""
    if answer_json is None:
        return {}
    key = (question.content_hash, question.id, order, answer_json)
    marks = _marks.get(key)
    if marks is None:
        answer = json.loads(answer_json)
        marks = {} if answer is None else answer_marks(question.question_type.public_view(question, order, answer))
        if len(_marks) >= _MARKS_CACHE_SIZE:
            _marks.clear()
        _marks[key] = marks
    return marks


def questions_html(slots) -> Markup:
    """The fieldsets of an attempt page's slots (``services.PageSlot``), in order, as one piece of
    HTML (the page escapes one value rather than one per question)."""
    locale = str(get_locale())
    return Markup("".join(_filled(slot.question, slot.option_order,
                                  saved_marks(slot.question, slot.option_order, slot.answer_json),
                                  slot.position, len(slots), locale)
                          for slot in slots))


def question_html(question: Question, order: Sequence[int], answer, position: int, total: int,
                  locale: str) -> Markup:
    """The attempt page's fieldset for one slot, showing ``answer`` (canonical, or None)."""
    order = tuple(order)
    marks = {} if answer is None else answer_marks(question.question_type.public_view(question, order, answer))
    return Markup(_filled(question, order, marks, position, total, locale))


def _filled(question: Question, order: tuple[int, ...], marks: dict[str, str], position: int, total: int,
            locale: str) -> str:
    """The slot's fieldset: safe HTML (the fragment is, and every marker value is escaped)."""
    template, empty = _fragment(question, order, locale)
    return template.format_map({**empty, **marks, "n": str(position), "n1": str(position + 1), "total": str(total)})
