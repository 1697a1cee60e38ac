"""Quizzes: question banks, quiz blueprints, drawn and timed attempts, grading, review, item statistics."""
from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.access import Role
from webapp.content.registry import register_kind
from webapp.registry import add_home_panel, add_nav

from . import services
from .cli import quizzes_cli
from .kinds import BanksKind, ExamsKind
from .rendering import render_inline, render_markdown
from .views import TRAINERS, bp

HOME_PANEL_ROWS = 6


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(quizzes_cli)
    register_kind(BanksKind())
    register_kind(ExamsKind())
    app.add_template_filter(render_markdown, "quiz_markdown")
    app.add_template_filter(render_inline, "quiz_inline")
    add_nav(app, "quizzes.index", _l("Quizzes"), {Role.TRAINEE}, order=20)
    add_nav(app, "quizzes.manage", _l("Quiz results"), set(TRAINERS), order=30)
    add_home_panel(app, "quizzes/panel_quizzes.html", {Role.TRAINEE}, order=30, context=_home_panel_context)


def _home_panel_context() -> dict:
    return {"quiz_rows": services.overview(current_user.id, services.clock())[:HOME_PANEL_ROWS]}
