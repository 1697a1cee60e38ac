"""Request input, bounded before it reaches the database (docs/dev-conventions.md, "Request input").

A value the database cannot hold makes the driver fail and the request answer 500: an integer
beyond PostgreSQL's INTEGER (beyond 64 bits on SQLite), a NUL character in text PostgreSQL stores.
Every way input comes in is bounded here, once:

- ``<int:…>`` URL variables: the app-wide converter; beyond INTEGER the URL matches nothing (404).
- query-string integers: ``query_int`` / ``page_number``; malformed or beyond INTEGER → the default.
- form integers: ``DatabaseIntegerField``; beyond INTEGER → a field error.
- text (URL path and variables, query string, form names and values, file names): no control
  characters — a 400 page naming the field. Form values may hold tab and line breaks (multi-line
  text); everything else is single-line. Free text a trainee types under time pressure (a role-play
  reply) is instead cleaned of them (``@cleans_control_characters``): a stray character pasted
  from elsewhere must not cost the reply.
- JSON bodies: ``@json_body(name=check, …)`` declares the object a view accepts; anything else is
  a 400 with a JSON error.
"""
import re
from functools import wraps
from typing import Callable

from flask import Flask, current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, ValidationError
from wtforms import IntegerField
from wtforms.validators import StopValidation

#: PostgreSQL INTEGER, the type of every id column (SQLAlchemy's Integer). Attempt.seed is the only
#: BIGINT and never comes from a request.
DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1

#: C0 and C1 control characters (NUL above all: PostgreSQL text cannot hold it) and unpaired
#: surrogates (not encodable, they reach us only through JSON escapes).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: The same, less what multi-line text may contain: tab, line feed, carriage return.
_CONTROL_IN_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def fits_database_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and DB_INT_MIN <= value <= DB_INT_MAX


def is_clean_text(value: object, multiline: bool = False) -> bool:
    """A string without control characters (tab and line breaks allowed in multi-line text)."""
    return isinstance(value, str) and not (_CONTROL_IN_MULTILINE if multiline else _CONTROL).search(value)


# --- integers -------------------------------------------------------------------------------------

class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` everywhere (it replaces the default): an id beyond INTEGER names no row, 404."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if not fits_database_int(number):
            raise ValidationError()
        return number


def query_int(name: str, default: int, minimum: int = DB_INT_MIN) -> int:
    """An integer from the query string; malformed or outside [minimum, DB_INT_MAX] → ``default``."""
    value = request.args.get(name, type=int)
    return value if value is not None and minimum <= value <= DB_INT_MAX else default


def page_number() -> int:
    """The ``page`` of a paginated list (1 when missing or absurd)."""
    return query_int("page", 1, minimum=1)


class DatabaseIntegerField(IntegerField):
    """The IntegerField of every form: a number beyond INTEGER is a field error, not a 500."""

    def pre_validate(self, form) -> None:
        if self.data is not None and not fits_database_int(self.data):
            raise StopValidation(_l("This number is out of range."))


# --- text -----------------------------------------------------------------------------------------

class ControlCharacters(BadRequest):
    """400 naming the field; error.html explains it."""

    def __init__(self, field: str):
        super().__init__(f"control character in {field!r}")
        self.field = field


def cleans_control_characters(*fields: str):
    """Mark a view whose form ``fields`` drop control characters (``without_control_characters``
    as the field's filter) instead of refusing the request."""
    def mark(view):
        view.cleaned_fields = frozenset(fields)
        return view
    return mark


def without_control_characters(value: str | None) -> str | None:
    """A WTForms filter: the text less the control characters multi-line text may not hold."""
    return _CONTROL_IN_MULTILINE.sub("", value) if isinstance(value, str) else value


def _request_text():
    """(field name, text, may be multi-line) for every piece of text the request carries."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield name, value, False
    yield "URL", request.path, False
    for name, value in request.args.items(multi=True):
        yield name, name, False
        yield name, value, False
    if request.method not in ("GET", "HEAD"):
        view = current_app.view_functions.get(request.endpoint)
        cleaned = getattr(view, "cleaned_fields", frozenset())
        for name, value in request.form.items(multi=True):
            yield name, name, False
            if name not in cleaned:
                yield name, value, True
        for name, upload in request.files.items(multi=True):
            yield name, upload.filename or "", False


def refuse_control_characters() -> None:
    """Runs before every request, ahead of the views."""
    for field, text, multiline in _request_text():
        if not is_clean_text(text, multiline):
            raise ControlCharacters(field)


# --- JSON -----------------------------------------------------------------------------------------

class InvalidJSON(BadRequest):
    def __init__(self, field: str | None):
        super().__init__(f"JSON body: {field or 'not an object'}")
        self.field = field


def json_body(**checks: Callable[[object], bool]):
    """Declare the JSON object a view accepts: each named member must pass its check. The view is
    called with ``body=`` the checked members; the declaration (``view.json_shape``) lets tests
    find every JSON endpoint."""
    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            payload = request.get_json(silent=True)
            if not isinstance(payload, dict):
                raise InvalidJSON(None)
            for name, check in checks.items():
                if not check(payload.get(name)):
                    raise InvalidJSON(name)
            return view(*args, body={name: payload[name] for name in checks}, **kwargs)

        checked.json_shape = tuple(checks)
        return checked

    return decorate


def text_list(value: object) -> bool:
    """A JSON list of strings that may be stored (multi-line text allowed)."""
    return isinstance(value, list) and all(is_clean_text(item, multiline=True) for item in value)


def _invalid_json(error: InvalidJSON):
    if error.field is None:
        message = _("The request body must be a JSON object.")
    else:
        message = _("The request body's “%(field)s” is missing or not what this address accepts.", field=error.field)
    return jsonify(error="invalid", field=error.field, message=message), 400


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converter applies to the rules added afterwards."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request(refuse_control_characters)
    app.register_error_handler(InvalidJSON, _invalid_json)
