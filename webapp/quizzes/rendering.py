"""Question Markdown to HTML (pure): CommonMark, raw HTML shown as text, unsafe links dropped.

markdown-it-py's link validation refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:``
destinations (except ``data:image/gif|png|jpeg|webp``), whatever their case or entity encoding.
A question image ``![…](images/<hash>.png)`` (stored in the database, see ``images.py``) is shown
from ``QUESTION_IMAGES_URL``.
"""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from webapp.content.imagefiles import CONTENT_NAME

#: Where the quizzes blueprint serves question images (``views.question_image``).
QUESTION_IMAGES_URL = "/quizzes/images/"


def _question_images(state) -> None:
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "image" and CONTENT_NAME.fullmatch(src := child.attrGet("src") or ""):
                child.attrSet("src", QUESTION_IMAGES_URL + src.removeprefix("images/"))


_markdown = MarkdownIt("commonmark", {"html": False})
_markdown.core.ruler.push("question_images", _question_images)


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    return Markup(_markdown.render(text))


@lru_cache(maxsize=8192)
def render_inline(text: str) -> Markup:
    """One line (an option, an answer) without the surrounding paragraph."""
    return Markup(_markdown.renderInline(text))


def plain_excerpt(text: str, limit: int = 60) -> str:
    """A question's Markdown as one line of plain text, cut at ``limit`` characters with an
    ellipsis (tables of questions show the start of each stem, not its id alone)."""
    plain = " ".join(_text_of(token) for token in _markdown.parse(text) if token.type == "inline")
    plain = " ".join(plain.split())
    return plain if len(plain) <= limit else plain[:limit - 1].rstrip() + "…"


def _text_of(token) -> str:
    return "".join(child.content for child in token.children or () if child.type in ("text", "code_inline"))
