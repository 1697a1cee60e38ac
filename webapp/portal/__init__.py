"""The shell around the domains: home page per role, language switch, health check."""
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.access import ALL_ROLES
from webapp.portal.views import bp
from webapp.registry import add_home_panel, add_nav, registry


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_navigation)
    add_nav(app, "portal.home", _l("Home"), ALL_ROLES, order=0)
    add_home_panel(app, "portal/panel_welcome.html", ALL_ROLES, order=0)


def _navigation() -> dict:
    if not current_user.is_authenticated:
        return {"nav_items": []}
    items = [item for item in registry(current_app).nav if current_user.role in item.roles]
    return {"nav_items": items}
