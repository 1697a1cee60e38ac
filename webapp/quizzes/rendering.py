"""Question Markdown to HTML (pure): CommonMark, raw HTML shown as text, unsafe links dropped.

markdown-it-py's link validation refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:``
destinations (except ``data:image/gif|png|jpeg|webp``), whatever their case or entity encoding.
"""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False})


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    return Markup(_markdown.render(text))


@lru_cache(maxsize=8192)
def render_inline(text: str) -> Markup:
    """One line (an option, an answer) without the surrounding paragraph."""
    return Markup(_markdown.renderInline(text))
