"""API tokens, the credential signing key and signed credentials, webhook subscriptions.
Shared by the views and the CLI; nothing here commits."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from webapp.accounts.models import User
from webapp.api import credentials, tokens
from webapp.api.models import ApiToken, Webhook
from webapp.audit.services import record
from webapp.certification.models import Certificate
from webapp.certification.services import VERIFY_PATH, utc_start_of, verify_url_prefix
from webapp.clock import utcnow
from webapp.extensions import db

#: last_used_at is written at most this often per token: not one write per API request.
LAST_USED_PRECISION = timedelta(minutes=1)
ISSUER_NAME = "Hotline Academy 热线学院"


# --- tokens --------------------------------------------------------------------------------------

def create_token(name: str, scopes: list[str], valid_days: int, actor: User) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once; only its hash is stored)."""
    secret = tokens.new_secret()
    token = ApiToken(name=name, token_hash=tokens.secret_hash(secret), prefix=secret[:tokens.SHOWN_PREFIX_LENGTH],
                     scopes=[scope for scope in tokens.SCOPES if scope in scopes], created_by_id=actor.id,
                     expires_at=utcnow() + timedelta(days=valid_days))
    db.session.add(token)
    db.session.flush()
    record("api_token.create", f"api_token:{token.id}", {"name": name, "scopes": token.scopes,
                                                         "expires_at": token.expires_at.isoformat()}, actor=actor)
    return token, secret


def revoke_token(token: ApiToken, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by_id = utcnow(), actor.id
        record("api_token.revoke", f"api_token:{token.id}", {"name": token.name}, actor=actor)


def all_tokens() -> list[ApiToken]:
    return list(db.session.scalars(db.select(ApiToken).order_by(ApiToken.id.desc())))


def authenticate(authorization: str | None, scope: str) -> ApiToken:
    """The token of an ``Authorization`` header, if it may use ``scope`` now (else TokenRefused)."""
    secret = tokens.bearer_secret(authorization)
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == tokens.secret_hash(secret)))
    now = utcnow()
    state = tokens.TokenState(tuple(token.scopes), token.expires_at, token.revoked_at) if token else None
    tokens.check_token(state, scope, now)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
    return token


# --- the credential signing key -------------------------------------------------------------------

def _key_path() -> Path:
    configured = current_app.config.get("CREDENTIAL_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "credential_key.jwk"


def signing_key() -> dict:
    """The platform's Ed25519 private key (JWK), generated once into instance/ like SECRET_KEY.

    Created with O_EXCL: when several workers start at once, one writes it and the others read it."""
    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as output:
                json.dump(credentials.new_private_jwk(), output)
    return json.loads(path.read_text())


def public_keys() -> dict:
    return credentials.public_jwks(signing_key())


def issuer() -> credentials.Issuer:
    return credentials.Issuer(verify_url_prefix().removesuffix(VERIFY_PATH), ISSUER_NAME)


def _last_valid_moment(certificate: Certificate) -> datetime:
    """The certificate is valid through its local ``valid_until`` day."""
    return utc_start_of(certificate.valid_until + timedelta(days=1)) - timedelta(seconds=1)


def signed_credential(certificate: Certificate) -> str:
    facts = credentials.CertificateFacts(
        code=certificate.code, number=certificate.number, holder_name=certificate.user.name,
        post_id=certificate.post_id, post_title_zh=certificate.post.title_zh, post_title_en=certificate.post.title_en,
        issued_at=certificate.issued_at, valid_until=_last_valid_moment(certificate))
    return credentials.sign(credentials.build_credential(facts, issuer()), signing_key())


# --- webhook subscriptions ------------------------------------------------------------------------

def create_webhook(url: str, secret: str, events: list[str], actor: User) -> Webhook:
    hook = Webhook(url=url, secret=secret, events=events, created_by_id=actor.id)
    db.session.add(hook)
    db.session.flush()
    record("webhook.create", f"webhook:{hook.id}", {"url": url, "events": events}, actor=actor)
    return hook


def deactivate_webhook(hook: Webhook, actor: User) -> None:
    if hook.active:
        hook.active = False
        record("webhook.deactivate", f"webhook:{hook.id}", {"url": hook.url}, actor=actor)


def all_webhooks() -> list[Webhook]:
    return list(db.session.scalars(db.select(Webhook).order_by(Webhook.id.desc())))
