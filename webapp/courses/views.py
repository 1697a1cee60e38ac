"""Course pages: catalogue, module, lesson, completion and lesson images."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.access import ALL_ROLES, Role, roles_required
from webapp.extensions import db
from webapp.registry import trainee_plan

from . import services
from .forms import CompleteLessonForm
from .images import find_image, image_response, is_content_named
from .models import CourseModule

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates", static_folder="static")

def _trainee_id() -> int | None:
    """Only trainees have progress; other roles read the courses without it."""
    return current_user.id if current_user.role == Role.TRAINEE else None


@bp.get("/")
@roles_required(*ALL_ROLES)
def catalogue():
    return render_template("courses/catalogue.html", progress=services.progress_by_module(_trainee_id()),
                           with_progress=_trainee_id() is not None)


@bp.get("/<module_id>/")
@roles_required(*ALL_ROLES)
def module(module_id: str):
    course_module = db.get_or_404(CourseModule, module_id)
    trainee_id = _trainee_id()
    return render_template(
        "courses/module.html", module=course_module, intro=services.rendered_intro(course_module),
        completed=services.completed_lesson_ids(trainee_id) if trainee_id else set(),
        with_progress=trainee_id is not None,
    )


@bp.get("/lessons/<lesson_id>")
@roles_required(*ALL_ROLES)
def lesson(lesson_id: str):
    current = services.current_lesson_or_404(lesson_id)
    trainee_id = _trainee_id()
    if trainee_id:
        services.remember_last_read(trainee_id, current)
    previous, following = services.neighbours(current)
    return render_template(
        "courses/lesson.html", lesson=current, rendered=services.rendered_lesson(current),
        previous=previous, following=following, form=CompleteLessonForm(),
        completion=services.completion_of(trainee_id, current.id) if trainee_id else None,
        with_progress=trainee_id is not None,
    )


@bp.post("/lessons/<lesson_id>/complete")
@roles_required(Role.TRAINEE)
def complete(lesson_id: str):
    current = services.current_lesson_or_404(lesson_id)
    if not CompleteLessonForm().validate_on_submit():
        return redirect(url_for(".lesson", lesson_id=current.id))
    if services.mark_complete(current_user.id, current):
        flash(_("Lesson completed."), "success")
    _previous, following = services.neighbours(current)
    if following is not None:
        return redirect(url_for(".lesson", lesson_id=following.id))
    # The module's last lesson: on to the next step of the trainee's plan, if there is one.
    next_url = trainee_plan(current_app).next_step_url(current_user.id)
    return redirect(next_url or url_for(".module", module_id=current.module_id))


@bp.get("/<module_id>/assets/<path:asset>")
@roles_required(*ALL_ROLES)
def asset(module_id: str, asset: str):
    image = find_image(module_id, asset)
    if image is None:
        abort(404)
    # an upload's name holds its hash: that URL always means these bytes
    return image_response(image.data, image.mimetype, image.content_hash, is_content_named(image), request)
