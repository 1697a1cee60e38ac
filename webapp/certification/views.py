"""Trainee certification pages and the public verification page. Thin: services do the work."""
import io

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BuildError

from webapp.access import Role, public, roles_required
from webapp.extensions import db, limiter

from . import engine, services
from .models import Certificate
from .pdf import NoCJKFont
from .plan import Step, StepKind

bp = Blueprint("certification", __name__, template_folder="templates")

VERIFY_RATE_LIMIT = "30 per minute"
#: Where each kind of remaining item is done, in the other domains' pages.
ITEM_PAGES = {
    engine.ItemKind.MODULE: lambda item: url_for("courses.module", module_id=item.target_id),
    engine.ItemKind.QUIZ: lambda item: url_for("quizzes.index", _anchor=item.target_id),
    engine.ItemKind.SCENARIO: lambda item: url_for("roleplay.scenarios", _anchor=item.target_id),
    engine.ItemKind.SCENARIO_TAG: lambda item: url_for("roleplay.scenarios"),
}


#: Where each step of a trainee's plan is done: a briefing page before a quiz or an assessment call.
STEP_PAGES = {
    StepKind.LESSON: lambda step: url_for("courses.lesson", lesson_id=step.target_id),
    StepKind.QUIZ: lambda step: url_for("quizzes.brief", quiz_id=step.target_id),
    StepKind.SCENARIO: lambda step: url_for("roleplay.brief", scenario_id=step.target_id),
    StepKind.SCENARIO_TAG: lambda step: url_for("roleplay.scenarios"),
    StepKind.CERTIFICATE: lambda step: url_for("certification.dashboard", _anchor=f"post-{step.target_id}"),
}


def step_url(step: Step) -> str | None:
    """The page where the trainee does this step (None when that domain is not installed)."""
    try:
        return STEP_PAGES[step.kind](step)
    except BuildError:
        return None


def item_url(item: engine.RemainingItem) -> str | None:
    """The page where the trainee does this item (None when that domain is not installed)."""
    try:
        return ITEM_PAGES[item.kind](item)
    except BuildError:
        return None


@bp.get("/certification/")
@roles_required(Role.TRAINEE)
def dashboard():
    return render_template("certification/dashboard.html", assigned=services.evaluated_posts(current_user.id),
                           titles=services.titles(current_language()), item_url=item_url)


def current_language() -> str:
    return "en" if str(get_locale() or "").startswith("en") else "zh"


def _visible_certificate(certificate_id: int) -> Certificate:
    certificate = db.get_or_404(Certificate, certificate_id)
    if current_user.role == Role.TRAINEE and certificate.user_id != current_user.id:
        abort(404)
    return certificate


@bp.get("/certification/certificates/<int:certificate_id>")
@roles_required(Role.TRAINEE, Role.HR, Role.ADMIN)
def certificate(certificate_id: int):
    found = _visible_certificate(certificate_id)
    return render_template("certification/certificate.html", certificate=found,
                           verification=services.verify(found.code),
                           verify_url=services.verify_url_prefix() + found.code)


@bp.get("/certification/certificates/<int:certificate_id>/pdf")
@roles_required(Role.TRAINEE, Role.HR, Role.ADMIN)
def certificate_pdf(certificate_id: int):
    found = _visible_certificate(certificate_id)
    try:
        pdf = services.certificate_pdf(found)
    except services.CertificateRevoked:
        return render_template("certification/pdf_revoked.html", certificate=found,
                               revoked_on=services.local_date(found.revoked_at)), 410
    except NoCJKFont:
        current_app.logger.error("certificate PDF refused: no Chinese font installed (apt-get install fonts-wqy-zenhei)")
        return render_template("certification/pdf_unavailable.html", certificate=found), 503
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"certificate-{found.number}.pdf")


@bp.get(services.VERIFY_PATH + "<code>")
@limiter.limit(VERIFY_RATE_LIMIT)
@public
def verify(code: str):
    verification = services.verify(code)
    if verification is None:
        return render_template("certification/verify_unknown.html", code=code), 404
    return render_template("certification/verify.html", verification=verification)
