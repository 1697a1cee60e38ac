"""Quiz pages: load → check access → call a service → render or redirect."""
from __future__ import annotations

from flask import (
    Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, stream_with_context,
    url_for,
)
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from webapp.access import ALL_ROLES, Role, reads_user_plainly, roles_required
from webapp.accounts.forms import ActionForm
from webapp.accounts.services import trainee_departments
from webapp.accounts.views import safe_next
from webapp.audit.services import record
from webapp.courses.images import image_response
from webapp.extensions import db
from webapp.inputs import fits_database_int, json_body, page_number, text_list
from webapp.queries import BoundedPage, rows_read_along
from webapp.registry import trainee_plan

from . import services, stats
from .fragments import attempt_html
from .images import find_question_image
from .models import ATTEMPT_STATES, GRADED, IN_PROGRESS, Attempt
from .policy import FULL, duration_parts
from .questions import InvalidAnswer
from .rendering import plain_excerpt

bp = Blueprint("quizzes", __name__, template_folder="templates", static_folder="static", url_prefix="/quizzes")

TRAINERS = (Role.TRAINER, Role.ADMIN)


def _refusal(error: services.QuizError) -> str:
    if error.reason == services.QuizError.NO_ATTEMPTS_LEFT:
        return _("You have used all your attempts at this quiz.")
    if error.reason == services.QuizError.COOLING_DOWN:
        return _("You can start your next attempt at %(time)s.", time=format_datetime(error.until, "short"))
    if error.reason == services.QuizError.CLOSED:
        return _("The time for this attempt is over; it was graded with the answers saved.")
    return _("This quiz cannot be taken at the moment.")


def duration(minutes: int) -> str:
    """A duration for people: "24 hours", not "1440 minutes" (template filter ``duration``)."""
    count, unit = duration_parts(minutes)
    if unit == "days":
        return ngettext("%(num)d day", "%(num)d days", count)
    if unit == "hours":
        return ngettext("%(num)d hour", "%(num)d hours", count)
    return ngettext("%(num)d minute", "%(num)d minutes", count)


def _post_rules():
    """The trainee's posts for the pass-mark rule (the post's mark counts)."""
    return trainee_plan(current_app).post_rules(current_user.id)


def _counting_mark(quiz):
    return _post_rules().quiz_mark(quiz.id, services.blueprint_of(quiz).pass_mark)


def _answers_from_form(attempt) -> dict[int, list[str]]:
    """Every question the page showed (``shown-<n>``) with the values posted for it."""
    return {slot.position: request.form.getlist(f"q{slot.position}")
            for slot in attempt.slots if f"shown-{slot.position}" in request.form}


# --- trainees ----------------------------------------------------------------------------------

@bp.route("/")
@roles_required(Role.TRAINEE)
def index():
    now = services.clock()
    rows = services.overview(current_user.id, now)
    rules = _post_rules()
    marks = {row.quiz.id: rules.quiz_mark(row.quiz.id, row.blueprint.pass_mark) for row in rows}
    return render_template("quizzes/index.html", required=[row for row in rows if marks[row.quiz.id].required],
                           optional=[row for row in rows if not marks[row.quiz.id].required], marks=marks,
                           has_post=bool(rules.applicable), now=now, form=ActionForm())


@bp.route("/<quiz_id>/")
@roles_required(Role.TRAINEE)
def brief(quiz_id: str):
    """What the attempt will be (time, attempts, cool-down, the mark that counts) before it starts."""
    quiz = services.quiz_or_404(quiz_id)
    now = services.clock()
    row = next(row for row in services.overview(current_user.id, now) if row.quiz.id == quiz.id)
    return render_template("quizzes/brief.html", row=row, mark=_counting_mark(quiz), form=ActionForm())


@bp.route("/<quiz_id>/start", methods=["POST"])
@roles_required(Role.TRAINEE)
def start(quiz_id: str):
    quiz = services.quiz_or_404(quiz_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attempt = services.start_attempt(current_user.id, quiz, services.clock(), _counting_mark(quiz).mark)
    except services.QuizError as error:
        flash(_refusal(error), "error")
        return redirect(url_for(".brief", quiz_id=quiz.id))
    return redirect(url_for(".attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@roles_required(Role.TRAINEE)
@reads_user_plainly(along=services.ATTEMPT_PAGE_ROWS)
def attempt(attempt_id: int):
    now = services.clock()
    page = services.open_attempt_page(current_user.id, attempt_id, now, rows_read_along())
    if page is None:  # closed, or past its deadline: graded now
        attempt = services.attempt_of(current_user.id, attempt_id)
        services.finish_attempt(attempt, now)
        return redirect(url_for(".result", attempt_id=attempt.id))
    remaining = int((page.ends_at - now).total_seconds()) if page.ends_at else None
    return attempt_html(page, remaining)


@bp.route("/attempts/<int:attempt_id>/answers", methods=["POST"])
@roles_required(Role.TRAINEE)
@json_body(position=fits_database_int, values=text_list)
def save_answer(attempt_id: int, body: dict):
    """JSON {"position": n, "values": ["…"]} — the page saves every answer as the trainee goes."""
    try:
        services.save_answer(current_user.id, attempt_id, body["position"], body["values"], services.clock())
    except InvalidAnswer:
        return jsonify(error="invalid", message=_("The answer could not be read.")), 400
    except services.QuizError as error:
        return jsonify(error="closed", message=_refusal(error),
                       result_url=url_for(".result", attempt_id=attempt_id)), 409
    return jsonify(saved=True)


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@roles_required(Role.TRAINEE)
def submit(attempt_id: int):
    """Saves what the form carries (works without JavaScript), then closes and grades; idempotent."""
    attempt = services.attempt_of(current_user.id, attempt_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    now = services.clock()
    if services.is_open(attempt, now):
        try:
            services.save_answers(attempt, _answers_from_form(attempt), now)
        except InvalidAnswer:
            abort(400)
        except services.QuizError as error:
            flash(_refusal(error), "error")
        else:
            # Without the page's own check (no JavaScript), confirm unanswered questions here; the
            # answers sent are saved already, so going back loses nothing.
            unanswered = services.unanswered_positions(attempt)
            if unanswered and request.form.get("acknowledged") != "1":
                return render_template("quizzes/confirm_submit.html", attempt=attempt, unanswered=unanswered,
                                       form=ActionForm())
    elif attempt.state == IN_PROGRESS:
        flash(_refusal(services.QuizError(services.QuizError.CLOSED)), "error")
    services.finish_attempt(attempt, now)
    return redirect(url_for(".result", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
@roles_required(Role.TRAINEE)
def result(attempt_id: int):
    attempt = services.attempt_of(current_user.id, attempt_id)
    now = services.clock()
    if services.is_open(attempt, now):
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    if attempt.state != GRADED:  # an attempt left open past its deadline is graded now
        services.finish_attempt(attempt, now)
    level = services.review_level_of(attempt, now)
    return render_template("quizzes/result.html", attempt=attempt, level=level,
                           items=services.review_items(attempt, level), mark=_counting_mark(attempt.quiz),
                           blueprint=services.blueprint_of(attempt.quiz),
                           standing=services.standing_of(current_user.id, attempt.quiz, now), form=ActionForm())


# --- trainers ----------------------------------------------------------------------------------

@bp.route("/manage/")
@roles_required(*TRAINERS)
def manage():
    return render_template("quizzes/manage.html", quizzes=services.current_quizzes(),
                           counts=services.attempt_counts_by_quiz())


@bp.route("/manage/<quiz_id>/attempts")
@roles_required(*TRAINERS)
def manage_attempts(quiz_id: str):
    quiz = services.quiz_or_404(quiz_id)
    filters = {name: request.args.get(name, "").strip() for name in ("state", "department", "search", "passed")}
    page = BoundedPage(services.attempts_query(quiz.id, **filters), page_number(), services.ATTEMPTS_PER_PAGE)
    return render_template("quizzes/manage_attempts.html", quiz=quiz, page=page, filters=filters,
                           states=ATTEMPT_STATES, departments=trainee_departments())


@bp.route("/manage/attempts/<int:attempt_id>")
@roles_required(*TRAINERS)
def manage_attempt(attempt_id: int):
    attempt = db.get_or_404(Attempt, attempt_id)
    return render_template("quizzes/manage_attempt.html", attempt=attempt, level=FULL,
                           items=services.review_items(attempt, FULL))


@bp.route("/manage/<quiz_id>/items")
@roles_required(*TRAINERS)
def item_statistics(quiz_id: str):
    quiz = services.quiz_or_404(quiz_id)
    statistics = stats.quiz_item_statistics(quiz.id)
    questions = services.current_questions([item.question_id for item in statistics.items])
    return render_template("quizzes/items.html", quiz=quiz, stats=statistics,
                           stems={question_id: plain_excerpt(question.stem) for question_id, question in questions.items()})


@bp.route("/manage/questions/<question_id>")
@roles_required(*TRAINERS)
def question_preview(question_id: str):
    """A question as trainees see it, with its answer, explanation and lesson (from item statistics)."""
    found, question = services.question_or_404(question_id)
    return render_template("quizzes/question_preview.html", found=found, question=question,
                           correct=question.question_type.key_lines(question),
                           back=safe_next(request.args.get("next")) if request.args.get("next") else None)


@bp.get("/images/<name>")
@roles_required(*ALL_ROLES)
def question_image(name: str):
    """An image a question shows; its name holds its hash, so the browser keeps it for good."""
    image = find_question_image(f"images/{name}")
    if image is None:
        abort(404)
    return image_response(image.data, image.mimetype, image.name, True, request)


@bp.route("/manage/<quiz_id>/responses.csv")
@roles_required(*TRAINERS)
def export_responses(quiz_id: str):
    quiz = services.quiz_or_404(quiz_id)
    record("quizzes.export_responses", quiz.id, actor=current_user)
    db.session.commit()
    filename = f"{quiz.id}-responses.csv"
    return Response(stream_with_context(services.responses_csv(quiz.id)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
