"""Signing in with the company's OpenID Connect provider (Authlib as the client).

Authorization-code flow with PKCE (S256): Authlib keeps state, nonce and code verifier in the
session, checks the state on the way back and the ID token's signature, issuer, audience and
nonce. Registered only when HOTLINE_OIDC_* is configured: otherwise these routes do not exist.
"""
import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_user
from joserfc.errors import JoseError

from webapp.access import public
from webapp.accounts import services, sso
from webapp.clock import utcnow
from webapp.extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("oidc", __name__)
CLIENT = "hotline_oidc"


def init_app(app: Flask, settings: sso.OidcSettings) -> None:
    oauth = OAuth(app)
    oauth.register(CLIENT, client_id=settings.client_id, client_secret=settings.client_secret,
                   server_metadata_url=settings.discovery_url,
                   client_kwargs={"scope": settings.scope, "code_challenge_method": "S256", "default_timeout": 10})
    app.extensions[CLIENT] = oauth.create_client(CLIENT)
    app.register_blueprint(bp)


def _refuse(message: str):
    flash(message, "error")
    return redirect(url_for("accounts.login"))


def _unreachable(error: Exception):
    log.error("OpenID provider unreachable: %s", error)
    return _refuse(_("%(provider)s cannot be reached right now. Please try again in a few minutes, or sign in "
                     "with your employee number and password if you have one.",
                     provider=current_app.config["OIDC"].name))


@bp.route("/login/sso")
@public
def start():
    """The link on the login page: off to the provider. A link, not a form: the site's CSP
    (form-action 'self') stops a form whose answer redirects to another site. It changes nothing
    but this browser's pending state; the callback checks that state."""
    try:
        return current_app.extensions[CLIENT].authorize_redirect(url_for("oidc.callback", _external=True))
    except (requests.RequestException, ValueError) as error:  # ValueError: no discovery document
        return _unreachable(error)


@bp.route("/login/sso/callback")
@public
def callback():
    settings: sso.OidcSettings = current_app.config["OIDC"]
    try:
        token = current_app.extensions[CLIENT].authorize_access_token()
    except requests.RequestException as error:
        return _unreachable(error)
    except (AuthlibBaseError, JoseError) as error:  # refused by the provider, or state/nonce/signature wrong
        log.warning("OpenID sign-in refused: %s", error)
        return _refuse(_("%(provider)s did not confirm who you are, so you are not signed in. Please try again.",
                         provider=settings.name))
    try:
        person = sso.person_from_claims(token.get("userinfo") or {}, settings.mapping)
        user = services.sign_in_person(person, sso.OIDC, utcnow())
    except (sso.Unusable, services.SignInRefused) as refusal:
        db.session.commit()  # a deactivation the directory asked for stays
        return _refuse(_("Not signed in: %(reason)s.", reason=_(refusal.message, **refusal.params)))
    db.session.commit()
    login_user(user)
    return redirect(url_for("portal.home"))
