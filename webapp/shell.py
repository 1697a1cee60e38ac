"""HTML rendered once and kept with named holes that each request fills: the layout's top bar on
every page, and whole pages whose content changes with few values (the attempt page).

A template leaves a hole with a variable set to ``hole(name)``; the rendered HTML becomes a
``str.format_map`` template whose fields are the holes (literal braces doubled), kept per worker
under a key that names everything else the HTML depends on. Filling it escapes every value that
is not already Markup, as the template would have. Never key on less than the template reads: a
value neither in the key nor a hole would be served to everyone who shares the key.
"""
from __future__ import annotations

import re

from flask import current_app, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

#: Delimits a hole in rendered HTML. Text a template shows cannot contain it: requests refuse
#: control characters (webapp/inputs.py) and Markdown turns NUL into U+FFFD.
MARK = "\x00"
_NAME = re.compile(r"[A-Za-z][\w-]*")  # a format field name: never a number, no . [ : ! { }
_KEPT_LIMIT = 10_000  # renderings kept per cache and worker; cleared when exceeded


def hole(*parts) -> Markup:
    """A named hole, e.g. ``hole('c', 2)`` → the field ``c2``."""
    return Markup(MARK + "".join(str(part) for part in parts) + MARK)


def with_holes(html: str, what: str) -> tuple[str, dict[str, str]]:
    """Rendered HTML as a format template, and every field empty (a plain dict callers start
    from: the C formatter looks each field up in it, where a ``__missing__`` default would be a
    Python call per field)."""
    pieces = html.split(MARK)
    if len(pieces) % 2 != 1:
        raise ValueError(f"unbalanced holes in {what}")
    names = pieces[1::2]
    if not all(_NAME.fullmatch(name) for name in names):
        raise ValueError(f"a hole of {what} is not a field name: {names}")
    static = [piece.replace("{", "{{").replace("}", "}}") for piece in pieces[0::2]]
    return static[0] + "".join("{" + name + "}" + piece for name, piece in zip(names, static[1:])), dict.fromkeys(names, "")


def _kept(cache: str, key: tuple, template: str, holes: dict[str, object], context: dict) -> Markup:
    """``template`` rendered once per app and ``key`` with ``holes`` left open, then filled."""
    kept = current_app.extensions.setdefault(f"shell.{cache}", {})
    found = kept.get(key)
    if found is None:
        html = render_template(template, **context, **{name: hole(name) for name in holes})
        if len(kept) >= _KEPT_LIMIT:
            kept.clear()
        found = kept[key] = with_holes(html, template)[0]
    return Markup(found.format_map({name: escape(value) for name, value in holes.items()}))


def topbar(csrf: str) -> Markup:
    """The layout's header (``_topbar.html``): the same HTML for every user of a role and locale on
    one endpoint — the navigation, language switch, tools and the unread badge, whose count is in
    the key — with the user's name and number, the path to come back to and the CSRF token filled
    in per request."""
    user = current_user._get_current_object()
    signed_in = user.is_authenticated
    unread = current_app.jinja_env.globals["unread_notifications"]()  # the notifications domain's
    key = (get_locale(), user.role if signed_in else None, request.endpoint, request.script_root, unread)
    return _kept("topbar", key, "_topbar.html", {
        "csrf": csrf, "next": request.full_path if request.query_string else request.path,
        "user_name": user.name if signed_in else "", "employee_no": user.employee_no if signed_in else "",
    }, {"unread": unread})


def kept_page(key: tuple, template: str, holes: dict[str, object], **context) -> Markup:
    """A page (a template extending base.html) rendered once per ``key``, locale and script root —
    the key must name everything else the page shows besides its holes — with ``holes`` and the
    layout's per-request parts (CSRF token, top bar, flashed messages) filled in per request."""
    csrf = current_app.jinja_env.globals["csrf_token"]()  # as base.html gets it
    flashes = render_template("_flashes.html") if session.get("_flashes") else ""
    layout = {"page_csrf": csrf, "page_topbar": topbar(csrf), "page_flashes": Markup(flashes)}
    return _kept("pages", (template, get_locale(), request.script_root, *key), template, {**layout, **holes}, context)
