"""Hotline Academy: the application factory."""
import importlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, g, has_app_context, has_request_context, render_template, session
from flask_babel import get_locale, get_translations
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_eval_context
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import demo, i18n, inputs, outages, schema, sessions, shell, transactions
from webapp.config import settings_from_environment
from webapp.extensions import babel, csrf, db, init_limiter, login_manager, migrate, ping_after_idle

#: Domain packages, in registration order. Each exposes ``init_app(app)``.
DOMAINS = ("jobs", "accounts", "portal", "content", "courses", "quizzes", "roleplay", "certification", "hr", "authoring",
           "notifications", "xapi", "api")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers without CSP 2
)
_SECURITY_HEADER_NAMES = tuple((name.lower(), (name, value)) for name, value in SECURITY_HEADERS)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.session_interface = sessions.VerifiedOnceSessionInterface()
    app.config.update(settings_from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)
    if app.config["BEHIND_PROXY"]:  # client addresses matter for login throttling
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    inputs.init_app(app)  # first: its URL converter must be in place before any route is added

    db.init_app(app)
    transactions.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_after_idle(engine, app.config.get("DB_PING_IDLE_SECONDS"))
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    init_limiter(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(_translation_directories()),
    )

    for name in DOMAINS:
        importlib.import_module(f"webapp.{name}").init_app(app)

    app.jinja_env.globals["current_locale"] = current_language_code
    app.jinja_env.globals["topbar"] = shell.topbar
    _install_template_gettext(app)
    _install_template_csrf_token(app)
    _register_error_pages(app)
    outages.init_app(app)
    app.after_request(_security_headers)
    demo.init_app(app)
    app.cli.add_command(i18n.i18n_cli)
    schema.guard_cli(app.cli)
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
    return _language_code(get_locale().language, tuple(current_app.config["LANGUAGES"]))


@lru_cache(maxsize=16)
def _language_code(language: str, codes: tuple[str, ...]) -> str:
    return next(code for code in codes if code.split("_")[0] == language)


def _template_translations():
    """Flask-Babel's ``get_translations()``, remembered for the rest of the request.

    Flask-Babel looks the catalog up again for every ``_()`` in a template (the context, the
    domain, the locale and its string form, ~15 µs each); a page calls it a dozen times or more.
    The catalog is kept next to Flask-Babel's own per-request state (``g._flask_babel``) together
    with the locale and domain it was found for, and used only while those are the same objects:
    ``flask_babel.refresh()`` and ``force_locale()`` replace the locale and so get a fresh lookup.
    """
    if not has_app_context():
        return get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        memo = getattr(state, "hotline_translations", None)
        if (memo is not None and memo[0] is getattr(state, "babel_locale", None)
                and memo[1] is getattr(state, "babel_domain", None)):
            return memo[2]
    translations = get_translations()
    state = g.get("_flask_babel")
    if state is not None and getattr(state, "babel_locale", None) is not None:
        state.hotline_translations = (state.babel_locale, getattr(state, "babel_domain", None), translations)
    return translations


def _install_template_gettext(app: Flask) -> None:
    """Template gettext as Flask-Babel installs it (Jinja's new-style gettext: autoescaped, always
    %-formatted), with the catalog looked up once per request; ``_()`` calls it directly instead
    of through Jinja's alias and wrapper."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _template_translations().ugettext(s),
        ngettext=lambda s, p, n: _template_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _template_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _template_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @pass_eval_context
    def gettext(eval_ctx, string: str, **variables):
        return _template_gettext(_template_translations())(eval_ctx, string, **variables)

    app.jinja_env.globals["_"] = gettext
    # A page's own templates get the catalog's ``_`` once per render (macros imported without
    # the context use the global above).
    app.context_processor(lambda: {"_": _template_gettext(_template_translations())})


_template_gettexts: dict[object, Callable] = {}  # catalog -> its template ``_``
_TRANSLATED_LIMIT = 10_000  # strings kept per catalog; cleared when exceeded (``_()`` of a variable)


def _template_gettext(translations) -> Callable:
    """``_()`` of templates for one catalog (Flask-Babel keeps one per locale and domain for the
    life of the process), built once: a string without variables, the most of a page's, is
    translated, marked safe and %-formatted once and then taken from a dict, rather than on every
    page."""
    gettext = _template_gettexts.get(translations)
    if gettext is not None:
        return gettext
    translated: dict[str, Markup] = {}

    @pass_eval_context
    def gettext(eval_ctx, string: str, **variables):
        if not eval_ctx.autoescape:
            return translations.ugettext(string) % variables
        if variables:
            return Markup(translations.ugettext(string)) % variables
        found = translated.get(string)
        if found is None:
            if len(translated) >= _TRANSLATED_LIMIT:
                translated.clear()
            found = translated[string] = Markup(translations.ugettext(string)) % {}
        return found

    _template_gettexts[translations] = gettext
    return gettext


_signed_csrf_tokens: dict[tuple, str] = {}  # (signing keys, session's raw token) -> signed token
_SIGNED_CSRF_LIMIT = 10_000


def csrf_token() -> str:
    """``csrf_token()`` in templates: Flask-WTF's token, signed once per session and worker.

    Flask-WTF signs the session's raw token afresh on every request (a timestamped, compressed
    itsdangerous payload). With ``WTF_CSRF_TIME_LIMIT = None`` the timestamp is never checked, so
    the token signed for this session earlier is exactly as valid: it is reused (and put where
    Flask-WTF caches the request's token, so forms on the page get the same one). With a time
    limit every request signs anew, as Flask-WTF does.
    """
    config = current_app.config
    if config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
        return generate_csrf()
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g:  # the request's token, as generate_csrf would return it
        return g.get(field)
    raw = session.get(field)
    keys = (config.get("WTF_CSRF_SECRET_KEY"), current_app.secret_key)
    token = _signed_csrf_tokens.get((keys, raw)) if isinstance(raw, str) else None
    if token is None:
        token = generate_csrf()
        raw = session.get(field)
        if isinstance(raw, str):
            if len(_signed_csrf_tokens) >= _SIGNED_CSRF_LIMIT:
                _signed_csrf_tokens.clear()
            _signed_csrf_tokens[(keys, raw)] = token
    else:
        setattr(g, field, token)
    return token


def _install_template_csrf_token(app: Flask) -> None:
    """``csrf_token`` in templates is ours. Flask-WTF installs its ``generate_csrf`` as a global and
    also puts it (and ``csrf_meta_tag``, a global as well) in every template's context with a
    context processor, where it would shadow our global: that processor is dropped."""
    processors = app.template_context_processors[None]
    processors[:] = [processor for processor in processors if processor.__module__ != "flask_wtf.csrf"]
    app.jinja_env.globals["csrf_token"] = csrf_token


def _translation_directories() -> list[str]:
    """The shell's catalog plus each domain's own (domains keep their strings in their room)."""
    return [str(domain.po_path.parents[2]) for domain in i18n.domains() if domain.po_path.exists()]


def _security_headers(response):
    """The security headers a response does not set itself, added in one pass (a lookup per header
    would scan the response's headers once each)."""
    present = {name.lower() for name in response.headers.keys()}
    response.headers.extend([header for name, header in _SECURITY_HEADER_NAMES if name not in present])
    return response


def _register_error_pages(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500)
        return render_template("error.html", code=code, error=error), code

    for code in (400, 403, 404, 405, 429):
        app.register_error_handler(code, render_error)
