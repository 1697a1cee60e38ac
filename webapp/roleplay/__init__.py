"""Role-play: scenario calls scored against the service-language norms, with trainer review."""
from flask import Flask
from flask_login import current_user
from flask_babel import lazy_gettext as _l

from webapp.access import Role
from webapp.clock import utcnow
from webapp.content.registry import register_kind
from webapp.registry import add_home_panel, add_nav

from . import services
from .channels import timing_policy
from .cli import roleplay_cli
from .kinds import NormsKind, ScenariosKind
from .views import REVIEWERS, bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(roleplay_cli)
    app.add_template_global(timing_policy)
    register_kind(NormsKind())
    register_kind(ScenariosKind())
    add_nav(app, "roleplay.scenarios", _l("Role-play"), {Role.TRAINEE}, order=30)
    add_nav(app, "roleplay.review", _l("Call review"), set(REVIEWERS), order=31)
    add_nav(app, "roleplay.bench", _l("Scenario bench"), set(REVIEWERS), order=32)
    add_nav(app, "roleplay.calibration", _l("Calibration"), set(REVIEWERS), order=33)
    add_home_panel(app, "roleplay/panel_reviewer.html", set(REVIEWERS), order=30, context=_reviewer_panel)
    add_home_panel(app, "roleplay/panel_adjusted.html", {Role.TRAINEE}, order=6, context=_adjusted_panel)


def _adjusted_panel() -> dict:
    return {"adjusted": services.recently_adjusted_calls(current_user.id, utcnow())}


def _reviewer_panel() -> dict:
    """Recent calls, and the criteria on which the machine and the trainers disagree (trainers and
    admins maintain the norms and scenarios, so they see them on their home page)."""
    return {"recent_calls": services.recent_ended_calls(5), "calibration": services.calibration(),
            "scenarios": {scenario.id: scenario for scenario in services.current_scenarios()}}
