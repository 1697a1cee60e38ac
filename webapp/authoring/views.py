"""Content status, publishing and lesson preview for trainers and admins."""

import random

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from webapp.access import Role, roles_required
from webapp.content.problems import ContentProblems
from webapp.quizzes.fragments import question_html
from webapp.quizzes.imports import UnreadableFile

from . import labels, services
from .forms import LessonPreviewForm, PublishForm, QuestionImportForm

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


@bp.route("/questions/import", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def import_questions():
    """Upload a GIFT / Moodle XML / Aiken file, preview every question, then import what was
    previewed into a draft bank (a bank file on disk) that the status page publishes."""
    form = QuestionImportForm()
    form.lesson.choices = [SelectChoice("", _("Choose a lesson"))] + [
        SelectChoice(lesson, lesson) for lesson in services.lessons_on_disk()]
    preview = None
    if form.validate_on_submit():
        preview = _previewed(form)
        if preview is not None and form.save.data:
            if preview.digest != form.reviewed.data:
                flash(_("Review the preview below, then import: only a previewed file is imported."), "error")
            elif _target_chosen(form):
                draft = services.import_draft(preview, form.bank_id.data, form.title.data or None, form.lesson.data,
                                              int(form.difficulty.data), current_user)
                if not draft.problems:
                    flash(_("%(count)d question(s) written to %(path)s: review them below, then publish.",
                            count=preview.count("converted") + preview.count("changed"),
                            path=f"quizzes/banks/{form.bank_id.data}.md"), "success")
                    return redirect(url_for(".status"))
                for problem in draft.problems:
                    flash(_("Nothing was imported: %(problem)s", problem=problem.message), "error")
        if preview is not None:
            form.source.data, form.reviewed.data = preview.source, preview.digest
    return render_template("authoring/import_questions.html", form=form, preview=preview,
                           statuses=services.IMPORT_STATUSES, rendered=_rendered(preview))


def _previewed(form: QuestionImportForm) -> services.ImportPreview | None:
    """The preview of the uploaded file, or of the text previewed before; None (a field error) without either."""
    upload = form.upload.data
    if upload and upload.filename:
        try:
            text = services.uploaded_text(upload.read(), upload.filename, form.encoding.data)
        except UnreadableFile as error:
            form.upload.errors.append(str(error))
            return None
    elif form.source.data:
        text = form.source.data
    else:
        form.upload.errors.append(_("Choose a file to preview."))
        return None
    return services.preview_import(text, form.file_format.data, upload.filename if upload and upload.filename else "upload")


def _target_chosen(form: QuestionImportForm) -> bool:
    for field in (form.bank_id, form.lesson):
        if not field.data:
            field.errors.append(_("Required to import."))
    return bool(form.bank_id.data and form.lesson.data)


def _rendered(preview: services.ImportPreview | None) -> list:
    """Each converted question as the attempt page shows it (options in a drawn order, no key)."""
    if preview is None:
        return []
    locale, shown, position = str(get_locale()), [], 0
    total = sum(1 for _item, question in preview.items if question is not None)
    for item, question in preview.items:
        if question is None:
            shown.append(None)
            continue
        order = question.question_type.draw_order(question, random.Random(item.line), shuffle_options=True)
        shown.append(question_html(question, order, None, position, total, locale))
        position += 1
    return shown
