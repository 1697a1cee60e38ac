"""The signed session cookie, verified once per worker for each cookie value.

Flask verifies the cookie on every request: it builds a serializer, derives the key, checks the
HMAC and the timestamp, decodes base64 and the tagged JSON — a tenth of a light page's server CPU.
A browser sends the same cookie value until the session changes, and the same value verified with
the same keys always decodes to the same data: so the data is kept per (keys, cookie value), and a
request whose cookie was seen before only checks its age again (the signing time is kept with it).
A changed, forged or expired cookie goes through Flask's own check. Only sessions of immutable
values are kept (a list, such as the flashed messages, could be changed in place by a request).
"""
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

_IMMUTABLE = (str, int, float, bool, type(None))
_LIMIT = 10_000  # cookie values kept per worker; cleared when exceeded


class VerifiedOnceSessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._verified: dict[tuple, tuple[dict, float]] = {}  # (keys, cookie) -> (data, signed at)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()), value)
        known = self._verified.get(key)
        if known is not None and time.time() - known[1] <= max_age:
            return self.session_class(known[0])
        try:
            data, signed_at = self.get_signing_serializer(app).loads(value, max_age=int(max_age),
                                                                     return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(item, _IMMUTABLE) for item in data.values()):
            if len(self._verified) >= _LIMIT:
                self._verified.clear()
            self._verified[key] = (data, signed_at.timestamp())
        return self.session_class(data)
