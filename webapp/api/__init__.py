"""HR API: read-only REST endpoints for other systems (bearer tokens with scopes, cursor pages,
per-token rate limit, an OpenAPI document), signed certificate webhooks, and certificates as
Open Badges 3.0 verifiable credentials with the platform's public key at /.well-known/jwks.json."""
import os

from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.access import Role
from webapp.extensions import csrf
from webapp.registry import add_nav, certificate_issued, certificate_revoked

from . import webhooks
from .cli import api_cli
from .views import DEFAULT_RATE_LIMIT, api, pages


def init_app(app: Flask) -> None:
    app.config.setdefault("API_RATE_LIMIT", os.environ.get("HOTLINE_API_RATE_LIMIT", DEFAULT_RATE_LIMIT))
    app.config.setdefault("CREDENTIAL_KEY_FILE", os.environ.get("HOTLINE_CREDENTIAL_KEY_FILE", ""))
    csrf.exempt(api)  # bearer tokens, never cookies: nothing for a cross-site form to ride on
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.cli.add_command(api_cli)
    certificate_issued.connect(webhooks.on_certificate_issued)
    certificate_revoked.connect(webhooks.on_certificate_revoked)
    add_nav(app, "api_pages.tokens_page", _l("API and webhooks"), {Role.ADMIN}, order=95)
