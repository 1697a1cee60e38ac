"""Content status, publishing and lesson preview for trainers and admins."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.access import Role, roles_required
from webapp.content.problems import ContentProblems

from . import labels, services
from .forms import LessonPreviewForm, PublishForm

AUTHORS = frozenset({Role.TRAINER, Role.ADMIN})

bp = Blueprint("authoring", __name__, url_prefix="/authoring", template_folder="templates",
               static_folder="static", static_url_path="/static/authoring")


@bp.get("/")
@roles_required(*AUTHORS)
def status():
    content = services.content_status()
    return render_template("authoring/status.html", status=content, words=labels,
                           form=PublishForm(fingerprint=content.fingerprint), outcomes=services.OUTCOMES)


@bp.post("/publish")
@roles_required(*AUTHORS)
def publish():
    form = PublishForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for(".status"))
    try:
        counts = services.publish(current_user, form.fingerprint.data)
    except services.ContentChangedSinceReview:
        flash(_("The content files changed since you reviewed them. Review the changes again."), "error")
        return redirect(url_for(".status"))
    except ContentProblems:
        flash(_("Nothing was published: the content has problems."), "error")
        return redirect(url_for(".status"))
    return render_template("authoring/published.html", counts=counts, outcomes=services.OUTCOMES, words=labels,
                           changed=services.changed_anything(counts))


@bp.route("/preview", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def preview():
    form = LessonPreviewForm()
    form.module_id.choices = services.modules_on_disk()
    result = services.preview_lesson(form.markdown.data, form.module_id.data) if form.validate_on_submit() else None
    return render_template("authoring/preview.html", form=form, preview=result)
