"""HR: post assignments, the certification roster with exports, revocations and the audit log."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from webapp.access import Role
from webapp.certification.services import local_today
from webapp.registry import add_home_panel, add_nav, roster_imported

from . import services, tasks  # noqa: F401 — tasks registers the periodic jobs
from .cli import hr_cli
from .views import HR_ROLES, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(hr_cli)
    roster_imported.connect(services.assign_from_roster)
    add_nav(app, "hr.roster", _l("Certification roster"), HR_ROLES, order=60)
    add_nav(app, "hr.audit_log", _l("Audit log"), HR_ROLES, order=85)
    add_home_panel(app, "hr/panel_hr.html", {Role.HR}, order=20, context=_hr_panel)


def _hr_panel() -> dict:
    return {"counts": services.status_counts(local_today())}
