"""Accounts: users, roles, signing in (local passwords, LDAP, OpenID Connect), administration and
roster import."""
import os
from flask import Flask, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam

from webapp.access import Role
from webapp.accounts import oidc, sso, throttle_store
from webapp.accounts.cli import users_cli
from webapp.accounts.models import User
from webapp.accounts.views import bp
from webapp.extensions import db, login_manager
from webapp.registry import add_home_panel, add_nav, registry

# Pages a user with a temporary password may still reach.
_ALLOWED_BEFORE_PASSWORD_CHANGE = {"accounts.change_password", "accounts.logout", "portal.set_language", "static"}


def init_app(app: Flask) -> None:
    # Single sign-on is off unless configured (README); tests pass ready settings in the config.
    app.config.setdefault("LDAP", sso.ldap_settings(os.environ))
    app.config.setdefault("OIDC", sso.oidc_settings(os.environ))
    app.register_blueprint(bp)
    app.extensions["accounts.failures"] = throttle_store.store_for(app.config.get("REDIS_URL"))
    if app.config["OIDC"] is not None:
        oidc.init_app(app, app.config["OIDC"])
    app.cli.add_command(users_cli)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    app.before_request(_require_own_password)
    add_nav(app, "accounts.users", _l("Users"), {Role.ADMIN}, order=80)
    add_nav(app, "accounts.import_roster", _l("Roster import"), {Role.ADMIN, Role.HR}, order=81)
    add_home_panel(app, "accounts/panel_admin.html", {Role.ADMIN}, order=10, context=_admin_counts)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user of this request, read afresh (one primary-key query). The session's id
    is ``User.get_id()``: an account whose sessions were ended since (``User.end_sessions``) or
    that was deactivated is no longer anyone's user, so a copy of an older cookie signs no one in."""
    user_id, _, stamp = (session_id or "").partition(".")
    try:
        user_id = int(user_id)
    except ValueError:
        return None
    # A prebuilt statement rather than db.session.get: the identity map is empty at the start of
    # every request anyway, and building the query each time cost more than running it on SQLite.
    # A deactivated account's extras are not kept: it is no one's user.
    names, statement = _user_by_id()
    row = db.session.execute(statement, {"user_id": user_id, "stamp": stamp}).one_or_none()
    if row is None or not row[0].active:
        return None
    for name, value in zip(names, row[1:]):
        setattr(g, name, value)
    return row[0]


def _user_by_id() -> tuple[tuple[str, ...], object]:
    """The user and the values other domains read with it (registry.add_user_extra), built once
    per app: one statement where the page's header used to cost a second one."""
    built = current_app.extensions.get("accounts.user_by_id")
    if built is None:
        extras = registry(current_app).user_extras
        built = current_app.extensions["accounts.user_by_id"] = (
            tuple(extras), db.select(User, *(expression.label(name) for name, expression in extras.items()))
            .where(User.id == bindparam("user_id"), User.session_stamp == bindparam("stamp")))
    return built


def _require_own_password():
    """Someone else chose this password (admin reset, roster import): replace it before anything else.

    The endpoint is checked first: a static file (every page asks for several) then costs no user
    query."""
    if (request.endpoint not in _ALLOWED_BEFORE_PASSWORD_CHANGE and not (request.endpoint or "").endswith(".static")
            and current_user.is_authenticated and current_user.must_change_password):
        flash(_("Please choose your own password before you continue."), "info")
        return redirect(url_for("accounts.change_password"))
    return None


def _admin_counts() -> dict:
    rows = db.session.execute(db.select(User.role, User.active, db.func.count()).group_by(User.role, User.active))
    counts: dict[str, dict[str, int]] = {}
    for role, active, count in rows:
        counts.setdefault(role, {"active": 0, "inactive": 0})["active" if active else "inactive"] += count
    return {"user_counts": counts}
