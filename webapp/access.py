"""Authorization as data: every view declares who may use it.

The declaration is stored on the view function (``allowed_roles``) so that a test can walk the
URL map and prove that anonymous users are sent to login and wrong roles get 403 everywhere.
"""
from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user

from webapp.extensions import login_manager


class Role(StrEnum):
    TRAINEE = "trainee"
    TRAINER = "trainer"
    HR = "hr"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)
PUBLIC = "public"


def roles_required(*roles: Role | str):
    """Allow only signed-in, active users whose role is one of ``roles``."""
    allowed = frozenset(Role(role) for role in roles)
    if not allowed:
        raise ValueError("roles_required needs at least one role")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed
        return guarded

    return decorate


def signed_in(view):
    """Any signed-in user, whatever the role (own password, language, home)."""
    return roles_required(*ALL_ROLES)(view)


def reads_user_plainly(view=None, *, along=None):
    """The view, its layout included, only reads the signed-in user's plain attributes (those of
    ``webapp.accounts.models.SignedInUser``): the user loader then reads them without the ORM, a
    large share of a light page's CPU. Not for views that hand the user to services or change it.
    ``along`` (a ``webapp.queries.ReadAlong``): the view's own plain read, made in the same
    statement as the user's."""

    def declare(view):
        view.reads_user_plainly, view.read_along = True, along
        return view

    return declare if view is None else declare(view)


def public(view):
    """Explicitly open to anonymous visitors (login page, certificate verification, health)."""
    view.allowed_roles = PUBLIC
    return view
