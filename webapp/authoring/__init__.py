"""Authoring: the trainer's web room for content — status, publishing and lesson preview."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.registry import add_home_panel, add_nav

from . import services
from .views import AUTHORS, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav(app, "authoring.status", _l("Content"), AUTHORS, order=35)
    add_home_panel(app, "authoring/panel_health.html", AUTHORS, order=25, context=_health_panel)


def _health_panel() -> dict:
    return {"health": services.content_health()}
