"""The shell around the domains: home page per role, language switch, health check."""
from typing import NamedTuple

from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.access import ALL_ROLES
from webapp.portal.views import bp
from webapp.registry import add_home_panel, add_nav, registry


class NavLink(NamedTuple):
    endpoint: str
    url: str
    label: str  # translated into the locale the link list was built for


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_navigation)
    add_nav(app, "portal.home", _l("Home"), ALL_ROLES, order=0)
    add_home_panel(app, "portal/panel_welcome.html", ALL_ROLES, order=0)


# The layout (base.html) on every page needs the same links: the navigation of the user's role
# with translated labels, and the shell's own URLs. None of them takes an argument, so for a
# given role, locale and script root (the prefix a proxy mounts the app under) they never change:
# they are built once per worker and reused, instead of ~15 url_for and gettext calls per page.
_CACHE_LIMIT = 256  # roles × locales × script roots; cleared when exceeded


def _navigation() -> dict:
    if not has_request_context():  # a template rendered outside a request (CLI): no shell
        return {"nav_items": (), "shell_urls": {}}
    script_root = request.script_root
    if not current_user.is_authenticated:
        return {"nav_items": (), "shell_urls": _shell_urls(script_root)}
    return {"nav_items": _nav_links(current_user.role, get_locale(), script_root),
            "shell_urls": _shell_urls(script_root)}


def _cache(name: str) -> dict:
    cache = current_app.extensions.setdefault(f"portal.{name}", {})
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    return cache


def _nav_links(role: str, locale, script_root: str) -> tuple[NavLink, ...]:
    """The navigation entries ``role`` may use, with their URLs and labels (only those shown are
    translated)."""
    cache = _cache("nav")
    key = (role, locale, script_root)  # babel Locales hash and compare by value
    links = cache.get(key)
    if links is None:
        links = cache[key] = tuple(NavLink(item.endpoint, url_for(item.endpoint), str(item.label))
                                   for item in registry(current_app).nav if role in item.roles)
    return links


def _shell_urls(script_root: str) -> dict[str, str]:
    """URLs the layout links to on every page, whoever is signed in."""
    cache = _cache("urls")
    urls = cache.get(script_root)
    if urls is None:
        urls = cache[script_root] = {
            "app_css": url_for("static", filename="app.css"),
            "app_js": url_for("static", filename="app.js"),
            "favicon": url_for("static", filename="favicon.svg"),
            "home": url_for("portal.home"),
            "change_password": url_for("accounts.change_password"),
            "logout": url_for("accounts.logout"),
            **{f"language_{code}": url_for("portal.set_language", locale=code)
               for code in current_app.config["LANGUAGES"]},
        }
    return urls
