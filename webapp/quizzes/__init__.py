"""Quizzes: question banks, quiz blueprints, drawn and timed attempts, grading, review, item statistics."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.access import Role
from webapp.content.registry import register_kind
from webapp.registry import add_nav

from .cli import quizzes_cli
from .kinds import BanksKind, ExamsKind
from .rendering import render_inline, render_markdown
from .views import TRAINERS, bp, duration


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(quizzes_cli)
    register_kind(BanksKind())
    register_kind(ExamsKind())
    app.add_template_filter(render_markdown, "quiz_markdown")
    app.add_template_filter(render_inline, "quiz_inline")
    app.add_template_filter(duration, "duration")
    add_nav(app, "quizzes.index", _l("Quizzes"), {Role.TRAINEE}, order=20)
    add_nav(app, "quizzes.manage", _l("Quiz results"), set(TRAINERS), order=30)

