"""Learning records: xAPI statements of lessons, quizzes, role-play calls and certificates, sent
to a Learning Record Store through the job queue. Off unless HOTLINE_LRS_URL is set."""
import os

from flask import Flask

from webapp.access import Role
from webapp.registry import (
    add_home_panel, attempt_graded, call_finished, certificate_issued, lesson_completed, verdict_overridden,
)

from . import services, statements
from .views import bp


def init_app(app: Flask) -> None:
    app.config.setdefault("LRS_URL", os.environ.get("HOTLINE_LRS_URL", "").strip())
    app.config.setdefault("LRS_USER", os.environ.get("HOTLINE_LRS_USER", ""))
    app.config.setdefault("LRS_PASSWORD", os.environ.get("HOTLINE_LRS_PASSWORD", ""))
    if app.config["LRS_URL"]:  # fail at start, not in the first learner's request
        try:
            statements.Platform(app.config["PUBLIC_BASE_URL"])
        except statements.StatementError as exc:
            raise RuntimeError(f"HOTLINE_LRS_URL needs HOTLINE_PUBLIC_BASE_URL, the platform's http(s) URL that "
                               f"identifies learners and activities in the statements ({exc})") from None
    app.register_blueprint(bp)
    lesson_completed.connect(services.on_lesson_completed)
    attempt_graded.connect(services.on_attempt_graded)
    call_finished.connect(services.on_call_finished)
    verdict_overridden.connect(services.on_verdict_overridden)
    certificate_issued.connect(services.on_certificate_issued)
    add_home_panel(app, "xapi/panel_admin.html", {Role.ADMIN}, order=15, context=_admin_panel)


def _admin_panel() -> dict:
    return {"on": services.configured_lrs() is not None, "counts": services.state_counts()}
