"""The attempt page's questions as cached HTML fragments, with the trainee's answers filled in.

Rendering twenty questions through Jinja on every request was most of the attempt page's time.
What a question looks like depends only on its version (content hash), the option order drawn
for the slot and the locale, so that HTML is rendered once per worker and kept. Everything that
differs per slot or per request — the slot's position, the number of questions, the saved
answer — is a hole in the cached HTML (``mark(...)`` in ``quizzes/_question.html``, see
webapp/shell.py) that ``question_html`` fills with ``str.format_map``.

Fragments are rendered from ``public_view(question, order, None)``: they carry exactly what the
uncached page showed (never a key or an explanation), and a saved answer only adds ``checked``,
``selected`` or the escaped text of a fill answer.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

from flask import render_template, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape

from webapp.shell import MARK, hole, kept_page, with_holes

from .questions import Question

_FRAGMENT_CACHE_SIZE = 10_000  # ~1.5 KB each: at most ~15 MB per worker
_fragments: dict[tuple, tuple[str, dict[str, str]]] = {}
_MARKS_CACHE_SIZE = 50_000  # a saved answer's markers, ~200 B each
_marks: dict[tuple, dict[str, str]] = {}


def _clean(value):
    """A question's text with the hole delimiter replaced (Markdown does the same with NUL)."""
    if isinstance(value, str):
        return value.replace(MARK, "\ufffd")
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


def _fragment(question: Question, order: tuple[int, ...], locale: str) -> tuple[str, dict[str, str]]:
    """The question's HTML as a format template and its holes empty, the values a slot starts from
    (a question has dozens of holes: the C formatter fills them faster than a Python loop)."""
    key = (question.content_hash, question.id, order, locale)
    fragment = _fragments.get(key)
    if fragment is None:
        view = _clean(question.question_type.public_view(question, order, None))
        html = render_template("quizzes/_question.html", view=view, mark=hole)
        if len(_fragments) >= _FRAGMENT_CACHE_SIZE:
            _fragments.clear()
        fragment = _fragments[key] = with_holes(html, f"the fragment of {question.id}")
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


def attempt_html(page, remaining: int | None) -> Markup:
    """The attempt page (``services.AttemptPage``), kept per quiz version and title, attempt number
    and whether it is timed (webapp/shell.py): the attempt's URLs, the time left, the questions and
    the layout's per-request parts are filled in."""
    holes = {"submit_url": url_for("quizzes.submit", attempt_id=page.attempt_id),
             "save_url": url_for("quizzes.save_answer", attempt_id=page.attempt_id),
             "questions": questions_html(page.slots)}
    if remaining is not None:
        holes |= {"remaining": remaining, "clock": "%d:%02d" % divmod(remaining, 60)}
    key = (page.quiz_id, page.blueprint.content_hash, page.title["zh"], page.title["en"], page.number,
           remaining is not None)
    return kept_page(key, "quizzes/attempt.html", holes, page=page, blueprint=page.blueprint,
                     **({} if remaining is not None else {"remaining": None}))
