"""Hotline Academy: the application factory."""
import importlib
from functools import lru_cache
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, has_request_context, render_template, session
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import demo, i18n
from webapp.config import settings_from_environment
from webapp.extensions import babel, csrf, db, limiter, login_manager, migrate

#: Domain packages, in registration order. Each exposes ``init_app(app)``.
DOMAINS = ("accounts", "portal", "content", "courses", "quizzes", "roleplay", "certification", "hr", "authoring")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(settings_from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)
    if app.config["BEHIND_PROXY"]:  # client addresses matter for login throttling
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(_translation_directories()),
    )

    for name in DOMAINS:
        importlib.import_module(f"webapp.{name}").init_app(app)

    app.jinja_env.globals["current_locale"] = current_language_code
    _register_error_pages(app)
    app.after_request(_security_headers)
    demo.init_app(app)
    app.cli.add_command(i18n.i18n_cli)
    return app


def select_locale() -> str:
    """The language the user chose (session), else the configured default (zh_CN).

    Outside a request (CLI commands) there is no session: the default applies."""
    chosen = session.get("locale") if has_request_context() else None
    return _parsed_locale(chosen if chosen in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"])


@lru_cache(maxsize=16)
def _parsed_locale(code: str) -> Locale:
    """Flask-Babel parses a string locale on every request (Babel's normalize_locale scans every
    locale name, ~0.3 ms); a Locale object passes through Locale.parse unchanged."""
    return Locale.parse(code)


def current_language_code() -> str:
    """The LANGUAGES code of the active locale (Babel spells zh_CN as zh_Hans_CN)."""
    language = get_locale().language
    return next(code for code in current_app.config["LANGUAGES"] if code.split("_")[0] == language)


def _translation_directories() -> list[str]:
    """The shell's catalog plus each domain's own (domains keep their strings in their room)."""
    return [str(domain.po_path.parents[2]) for domain in i18n.domains() if domain.po_path.exists()]


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _register_error_pages(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500)
        return render_template("error.html", code=code, error=error), code

    for code in (400, 403, 404, 405, 429):
        app.register_error_handler(code, render_error)
