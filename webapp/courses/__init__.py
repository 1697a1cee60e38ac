"""Courses: modules and lessons imported from courses/, reading, and trainee progress."""

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.access import ALL_ROLES, Role
from webapp.content.registry import register_kind
from webapp.registry import add_home_panel, add_nav

from . import services
from .kind import CoursesKind
from .views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_kind(CoursesKind())
    add_nav(app, "courses.catalogue", _l("Courses"), ALL_ROLES, order=10)
    add_home_panel(app, "courses/panel_progress.html", {Role.TRAINEE}, order=20, context=_home_panel_context)


def _home_panel_context() -> dict:
    return {"progress": services.progress_by_module(current_user.id),
            "resume": services.resume_lesson(current_user.id)}
