"""Lesson Markdown: one configured renderer, link policing, callouts, anchors and TOC (pure).

Every link and image destination passes through ``_police_links`` before rendering: only
http/https/mailto links, in-page anchors and links to lesson files survive, and images must be
files of the module. Raw HTML is never rendered (``html=False`` shows it as text).
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin

from webapp.content.problems import Problem

# Bump when the HTML produced for the same source changes, so cached renders are not reused.
RENDERER_VERSION = "2"

CALLOUT_TYPES = {"规范用语": "standard", "禁用语": "forbidden", "案例": "case", "要点": "keypoint"}
LINK_SCHEMES = {"http", "https", "mailto"}
# No SVG: it can carry script.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}
TOC_LEVELS = (2, 3)

_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class RenderedLesson:
    html: str
    toc: tuple[TocEntry, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Resolver:
    """Maps relative destinations as written (decoded, without '#fragment') to URLs; None = broken."""

    lesson_url: Callable[[str], str | None]
    image_url: Callable[[str], str | None]


def slugify(title: str) -> str:
    """Heading anchor that keeps Chinese characters: '投诉处理 步骤（一）' -> '投诉处理-步骤一'."""
    text = unicodedata.normalize("NFKC", title).lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", "-", text).strip("-") or "section"


def url_scheme(url: str) -> str | None:
    """The scheme a browser would act on, after undoing the encodings a scheme can hide behind
    (entities, percent-escapes, case, and the whitespace/control characters browsers drop)."""
    text = url
    for _ in range(3):
        text = html.unescape(unquote(text))
    match = _SCHEME.match(_IGNORED_BY_BROWSERS.sub("", text).lower())
    return match.group(1) if match else None


def callout_parts(info: str) -> tuple[str, str]:
    """'案例 账单多出10元' -> ('案例', '账单多出10元')."""
    parts = info.split(maxsplit=1)
    return (parts[0] if parts else "", parts[1].strip() if len(parts) > 1 else "")


def _render_callout(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    if token.nesting == -1:
        return "</aside>\n"
    kind, title = callout_parts(token.info)
    if kind not in CALLOUT_TYPES:
        return '<aside class="callout">\n'
    label = env.get("callout_labels", {}).get(kind, kind)
    heading = f"<strong>{escapeHtml(label)}</strong>" + (f" {escapeHtml(title)}" if title else "")
    return f'<aside class="callout callout-{CALLOUT_TYPES[kind]}">\n<p class="callout-title">{heading}</p>\n'


def _problem(state: StateCore, line_in_body: int, message: str) -> None:
    env = state.env
    env["problems"].append(Problem(env["path"], env["first_line"] + line_in_body, message))


def _check_structure(state: StateCore) -> None:
    """Callout types, nesting and closing; no h1 headings in the body."""
    lines = state.src.split("\n")
    depth = 0
    for token in state.tokens:
        if token.type == "heading_open" and token.tag == "h1":
            _problem(state, token.map[0], "use '##' or '###' headings: the lesson title is the page's h1")
        if token.type == "container_callout_close":
            depth -= 1
        if token.type != "container_callout_open":
            continue
        depth += 1
        start, end = token.map
        kind, _ = callout_parts(token.info)
        closing = lines[end].strip() if end < len(lines) else ""
        closed = closing.startswith(token.markup) and set(closing) == {":"}
        if not kind and not closed:
            _problem(state, start, "this ':::' line closes no callout")
            continue
        if not kind:
            _problem(state, start, "a callout needs a type: ::: 规范用语, 禁用语, 案例 or 要点")
        elif kind not in CALLOUT_TYPES:
            _problem(state, start, f'unknown callout type "{kind}" (use 规范用语, 禁用语, 案例 or 要点)')
        if depth > 1:
            _problem(state, start, "a callout cannot start inside another callout: close the first with ':::'")
        if not closed:
            _problem(state, start, "callout is not closed: add a ':::' line after it")


def _police_links(state: StateCore) -> None:
    """Rewrite lesson links and images to URLs; drop every other destination except safe ones."""
    anchors = {token.attrGet("id") for token in state.tokens if token.type == "heading_open"}
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _policed(state, block, anchors)


def _policed(state: StateCore, block: Token, anchors: set) -> list[Token]:
    resolver: Resolver = state.env["resolver"]
    line, dropped_link, result = block.map[0] if block.map else 0, False, []
    for token in block.children:
        if token.type in ("softbreak", "hardbreak"):
            line += 1
        if token.type == "link_close" and dropped_link:
            dropped_link = False
            continue
        if token.type == "image":
            src = _image_src(state, line, token.attrGet("src") or "", resolver)
            if src is None:
                result.append(Token("text", "", 0, content=_alt_text(token)))
                continue
            token.attrSet("src", src)
        elif token.attrGet("href") is not None:
            href = _link_href(state, line, token.attrGet("href"), resolver, anchors)
            if href is None:
                dropped_link = True
                continue
            token.attrSet("href", href)
        result.append(token)
    return result


def _alt_text(image: Token) -> str:
    return "".join(child.content for child in image.children or [])


def _shown(url: str) -> str:
    """A destination as the author wrote it, on one line, for a problem message."""
    text = _CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match[0]):02x}", unquote(url))
    return text if len(text) <= 80 else text[:77] + "..."


def _link_href(state, line: int, href: str, resolver: Resolver, anchors: set) -> str | None:
    scheme = url_scheme(href)
    if scheme in LINK_SCHEMES:
        return href
    if scheme is not None:
        _problem(state, line, f'link "{_shown(href)}" is not allowed: use http(s), mailto or a lesson file')
        return None
    path, has_fragment, fragment = unquote(href).partition("#")
    if not path:
        if fragment in anchors:
            return href
        _problem(state, line, f'broken link "{_shown(href)}": no heading with that anchor in this file')
        return None
    if path.startswith(("//", "\\")) or PurePosixPath(path).suffix != ".md":
        _problem(state, line, f'link "{_shown(href)}" is not allowed: link to a lesson file (.md) or an http(s) address')
        return None
    url = resolver.lesson_url(path)
    if url is None:
        _problem(state, line, f'broken link "{_shown(href)}": no such lesson')
        return None
    return url + (f"#{href.partition('#')[2]}" if has_fragment else "")


def _image_src(state, line: int, src: str, resolver: Resolver) -> str | None:
    path = unquote(src).partition("#")[0].partition("?")[0]
    if url_scheme(src) is not None or path.startswith(("//", "\\")):
        _problem(state, line, f'image "{_shown(src)}" is not allowed: images must be files in the module folder')
        return None
    if PurePosixPath(path).suffix.lower() not in IMAGE_TYPES:
        _problem(state, line, f'image "{_shown(src)}" must be a {", ".join(sorted(IMAGE_TYPES))} file')
        return None
    url = resolver.image_url(path)
    if url is None:
        _problem(state, line, f'broken image "{_shown(src)}": no such file in the module folder')
    return url


def _build_renderer() -> MarkdownIt:
    # breaks: trainers write dialogue (客户：… / 客服：…) one line per turn; keep those lines apart.
    md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")
    # Every destination reaches _police_links, which decides (and reports) what survives.
    md.validateLink = lambda url: True
    container_plugin(md, "callout", validate=lambda params, markup: True, render=_render_callout)
    anchors_plugin(md, min_level=TOC_LEVELS[0], max_level=TOC_LEVELS[-1], slug_func=slugify)
    md.core.ruler.push("check_structure", _check_structure)
    md.core.ruler.push("police_links", _police_links)  # after "anchor": needs the heading ids
    return md


def _build_html_detector() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


_renderer = _build_renderer()
_html_detector = _build_html_detector()


def _toc(tokens: Sequence[Token]) -> tuple[TocEntry, ...]:
    return tuple(
        TocEntry(int(token.tag[1]), token.attrGet("id"), "".join(
            child.content for child in tokens[i + 1].children or [] if child.type in ("text", "code_inline")
        ))
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and int(token.tag[1]) in TOC_LEVELS
    )


def render_markdown(
    body: str,
    resolver: Resolver,
    *,
    path: str = "",
    first_line: int = 1,
    callout_labels: Mapping[str, str] | None = None,
) -> RenderedLesson:
    """Render a lesson (or module intro) body; ``first_line`` is the body's line in its file."""
    env = {
        "resolver": resolver,
        "problems": [],
        "path": path,
        "first_line": first_line,
        "callout_labels": callout_labels or {},
    }
    tokens = _renderer.parse(body, env)
    html_text = _renderer.renderer.render(tokens, _renderer.options, env)
    return RenderedLesson(html_text, _toc(tokens), tuple(env["problems"]))


def raw_html_problems(body: str, path: str, first_line: int = 1) -> list[Problem]:
    """Raw HTML is shown as text when rendered, so authors are told it is not allowed (once a line)."""
    lines: set[int] = set()
    for token in _html_detector.parse(body):
        if token.type == "html_block":
            lines.add(first_line + token.map[0])
        elif token.type == "inline":
            line = first_line + token.map[0]
            for child in token.children or []:
                line += child.type in ("softbreak", "hardbreak")
                if child.type == "html_inline":
                    lines.add(line)
    return [Problem(path, line, "raw HTML is not allowed (it is shown as text)") for line in sorted(lines)]


class RenderCache:
    """LRU of rendered lessons keyed by content hash, renderer version and a context key
    (the locale of the callout headings), so a lesson is rendered once, not per request."""

    def __init__(self, maxsize: int = 512):
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[str, str, str], RenderedLesson] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, content_hash: str, context: str, render: Callable[[], RenderedLesson]) -> RenderedLesson:
        key = (content_hash, RENDERER_VERSION, context)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        rendered = render()
        with self._lock:
            self._entries[key] = rendered
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return rendered

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
