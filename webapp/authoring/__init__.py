"""Authoring: the trainers' room for content — the browser editor, drafts, publishing, history."""
from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.content import changes
from webapp.registry import add_home_panel, add_nav

from .views import AUTHORS, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav(app, "authoring.status", _l("Content"), AUTHORS, order=35)
    add_home_panel(app, "authoring/panel_health.html", AUTHORS, order=25, context=_drafts_panel)


def _drafts_panel() -> dict:
    return {"drafts": len(changes.drafts_of(current_user)), "pending": len(changes.pending_change_sets())}
