"""Accounts: users, roles, signing in (local passwords, LDAP, OpenID Connect), administration and
roster import."""
import os
from dataclasses import fields
from typing import NamedTuple

from flask import Flask, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam

from webapp.access import Role
from webapp.accounts import oidc, sso, throttle_store
from webapp.accounts.cli import users_cli
from webapp.accounts.models import SignedInUser, User
from webapp.accounts.views import bp
from webapp.extensions import db, login_manager
from webapp.queries import PlainRead, ReadAlong, keep_rows_read_along
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
def load_user(session_id: str) -> User | SignedInUser | None:
    """The signed-in user of this request, read afresh (one primary-key query). The session's id
    is ``User.get_id()``: an account whose sessions were ended since (``User.end_sessions``) or
    that was deactivated is no longer anyone's user, so a copy of an older cookie signs no one in.
    A view declared ``reads_user_plainly`` gets the user's plain attributes (``SignedInUser``)."""
    user_id, _, stamp = (session_id or "").partition(".")
    try:
        user_id = int(user_id)
    except ValueError:
        return None
    statements = _user_by_id()
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "reads_user_plainly", False):
        along = view.read_along
        if along is None:
            rows = statements.plain.rows(user_id=user_id, stamp=stamp)
        else:
            rows = _user_with(statements, along).rows(user_id=user_id, stamp=stamp, **along.params(request.view_args))
        if not rows:
            return None
        start = len(statements.extras)
        width = start + len(_SIGNED_IN_COLUMNS)
        user, extras = SignedInUser(*rows[0][start:width]), rows[0][:start]
        if along is not None:  # a user without the view's rows comes with NULLs in their place
            keep_rows_read_along([row[width:] for row in rows if row[width] is not None])
    else:
        # A prebuilt statement rather than db.session.get: the identity map is empty at the start of
        # every request anyway, and building the query each time cost more than running it on SQLite.
        row = db.session.execute(statements.orm, {"user_id": user_id, "stamp": stamp}).one_or_none()
        if row is None or not row[0].active:  # a deactivated account's extras are not kept either
            return None
        user, extras = row[0], row[1:]
    for name, value in zip(statements.extras, extras):
        setattr(g, name, value)
    return user


_SIGNED_IN_COLUMNS = tuple(field.name for field in fields(SignedInUser))


class _UserStatements(NamedTuple):
    extras: tuple[str, ...]  # names of registry.add_user_extra values, read with the user
    orm: object  # the User and the extras
    plain: PlainRead  # the extras and SignedInUser's columns, of an active user only


def _user_by_id() -> _UserStatements:
    """The user and the values other domains read with it (registry.add_user_extra), built once
    per app: one statement where the page's header used to cost a second one."""
    built = current_app.extensions.get("accounts.user_by_id")
    if built is None:
        extras = registry(current_app).user_extras
        labelled = [expression.label(name) for name, expression in extras.items()]
        by_id = (User.id == bindparam("user_id"), User.session_stamp == bindparam("stamp"))
        columns = [getattr(User, name) for name in _SIGNED_IN_COLUMNS]
        built = current_app.extensions["accounts.user_by_id"] = _UserStatements(
            tuple(extras), db.select(User, *labelled).where(*by_id),
            PlainRead(db.select(*labelled, *columns).where(*by_id, User.active)))
    return built


def _user_with(statements: _UserStatements, along: ReadAlong) -> PlainRead:
    """The user's plain read with a view's rows joined on, built once per app: the user's columns
    come once per row of the view's, or once with NULLs when it has none."""
    built = current_app.extensions.setdefault("accounts.user_with", {})
    read = built.get(along)
    if read is None:
        rows = along.select().subquery("along")
        read = built[along] = PlainRead(statements.plain.select.outerjoin(rows, db.true()).add_columns(*rows.c))
    return read


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
