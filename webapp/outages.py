"""Database outages: a 503 that says so, with Retry-After, instead of a bare 500.

When PostgreSQL restarts, every pooled connection is dead; when it is down, no new one can be
made. A GET or HEAD that meets a dead connection is run once more on a fresh one (the broken
connections are discarded first), so a restart costs readers nothing. A request that changes data
is never re-run: it answers 503 and the client (or the person) sends it again. Pages answer with a
standalone page in both languages (the usual layout needs the signed-in user, i.e. the database);
JSON requests get a JSON error.
"""
from flask import Flask, current_app, jsonify, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import exc

from webapp.extensions import db

#: The database is unreachable, restarting, or too busy to give us a connection (pool timeout).
OUTAGES = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)
RETRY_AFTER_SECONDS = 10
SAFE_METHODS = ("GET", "HEAD")
_RETRIED = "hotline.database_retried"  # in the WSGI environ: g is reset by some before_request hooks


def init_app(app: Flask) -> None:
    for outage in OUTAGES:
        app.register_error_handler(outage, database_unavailable)
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run last-registered first).
    app.teardown_appcontext(_end_session)


def _end_session(_error: BaseException | None) -> None:
    """End the request's session. When the connection died after the response was made (PostgreSQL
    restarted meanwhile), ending its transaction fails: there is nothing left to roll back, and
    the response already sent must not turn into a 500."""
    try:
        db.session.remove()
    except OUTAGES as error:
        current_app.logger.warning("database connection lost at the end of a request: %s",
                                   getattr(error, "orig", None) or error)
        _discard_connections()


def database_unavailable(error: Exception):
    _discard_connections()
    cause = getattr(error, "orig", None) or error  # the driver's message, without the statement's parameters
    if request.method in SAFE_METHODS and not request.environ.get(_RETRIED):
        request.environ[_RETRIED] = True
        current_app.logger.warning("database connection failed (%s); retrying %s %s once", cause,
                                   request.method, request.path)
        try:
            return current_app.preprocess_request() or current_app.dispatch_request()
        except Exception as again:  # noqa: BLE001 - handled as it would have been the first time
            return current_app.handle_user_exception(again)
    current_app.logger.error("database unavailable for %s %s: %s", request.method, request.path, cause)
    return unavailable_response()


def _discard_connections() -> None:
    """End the failed transaction and drop every pooled connection: the next use connects afresh."""
    try:
        db.session.rollback()
    except OUTAGES:
        pass  # the connection is gone already
    for engine in db.engines.values():
        engine.dispose()


def unavailable_response():
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    messages = _in_both_languages()
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(error="unavailable", message=messages[0]["text"], retry_after=RETRY_AFTER_SECONDS), 503, headers
    # Rendered without the context processors: they look up the signed-in user in the database.
    page = current_app.jinja_env.get_template("unavailable.html").render(messages=messages)
    return page, 503, headers


def _in_both_languages() -> list[dict]:
    """The outage message in the visitor's language first, then in the other one."""
    current = str(get_locale())
    languages = sorted(current_app.config["LANGUAGES"], key=lambda code: code.split("_")[0] != current.split("_")[0])
    messages = []
    for code in languages:
        with force_locale(code):
            messages.append({
                "lang": code.replace("_", "-"),
                "title": _("Temporarily unavailable"),
                "text": _("Hotline Academy cannot reach its database at the moment. Please try again in a few "
                          "seconds. If you were sending a form or an answer, send it again: it was not saved."),
            })
    return messages
