"""The trainers' content room: the published content, the browser editor with live preview and
checks, drafts, publishing, history and rollback, uploads and the question import."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from webapp.access import Role, roles_required
from webapp.certification.services import holders_requiring
from webapp.content import changes
from webapp.content.diff import changed_only, side_by_side
from webapp.content.models import ContentChangeSet, ContentRevision
from webapp.content.problems import ContentProblems
from webapp.content.services import content_stats, published_files
from webapp.content.imagefiles import ImageRefused, content_name
from webapp.courses.images import store_image
from webapp.courses.models import CourseModule
from webapp.extensions import db
from webapp.inputs import is_clean_text, json_body, query_int
from webapp.quizzes.imports import UnreadableFile
from webapp.quizzes.models import BankQuestion, QuestionBank
from webapp.roleplay.services import MAX_REPLY_CHARS

from . import labels, services
from .forms import (MAX_SOURCE_CHARACTERS, DecisionForm, EditorForm, ImageForm, NewItemForm, PublishForm,
                    QuestionImportForm, RegradeForm, RollbackForm, UploadForm)

AUTHORS = frozenset({Role.TRAINER, Role.ADMIN})

bp = Blueprint("authoring", __name__, url_prefix="/authoring", template_folder="templates",
               static_folder="static", static_url_path="/static/authoring")


def _content_path(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 300 and is_clean_text(value)


def _source(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_SOURCE_CHARACTERS and is_clean_text(value, multiline=True)


def _reply(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) and len(value) <= MAX_REPLY_CHARS \
        and is_clean_text(value, multiline=True)


def _hash(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 64 and is_clean_text(value)


def _path_arg() -> str:
    """The ``path`` query argument when it is a content file's path (else 404)."""
    path = request.args.get("path", "")
    try:
        changes.kind_name(path)
    except changes.UnknownPath:
        abort(404)
    return path


@bp.get("/")
@roles_required(*AUTHORS)
def status():
    new_form = NewItemForm()
    new_form.module.choices = _module_choices()
    return render_template(
        "authoring/status.html", index=services.content_index(), drafts=changes.drafts_of(current_user),
        pending=changes.pending_change_sets(), stats=content_stats(), words=labels, new_form=new_form,
        upload_form=UploadForm(), decision_form=DecisionForm())


def _module_choices() -> list[SelectChoice]:
    modules = db.session.scalars(db.select(CourseModule.id).order_by(CourseModule.order))
    return [SelectChoice("", "—")] + [SelectChoice(module, module) for module in modules]


@bp.post("/new")
@roles_required(*AUTHORS)
def new():
    form = NewItemForm()
    form.module.choices = _module_choices()
    if form.validate_on_submit() and (form.what.data != "lesson" or form.module.data):
        try:
            path = services.new_item(current_user, form.what.data, form.slug.data, form.module.data or None,
                                     form.order.data or 1)
        except changes.UnknownPath as error:
            flash(_("%(path)s already exists: open it from the list instead.", path=str(error)), "error")
            return redirect(url_for(".status"))
        return redirect(url_for(".edit", path=path))
    for name, errors in form.errors.items():
        for error in errors:
            flash(f"{form[name].label.text}: {error}", "error")
    if form.what.data == "lesson" and not form.module.data:
        flash(_("Module (for a lesson): choose the module the lesson belongs to."), "error")
    return redirect(url_for(".status"))


@bp.route("/edit", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def edit():
    path = _path_arg()
    try:
        opened = services.editing(current_user, path)
    except changes.UnknownPath:
        abort(404)
    form = EditorForm(text=opened.text, base_hash=opened.base_hash or "")
    conflict = None
    if form.validate_on_submit():
        if form.discard.data:
            changes.discard_draft(current_user, path)
            flash(_("Draft discarded."), "success")
            return redirect(url_for(".edit", path=path) if opened.published else url_for(".status"))
        try:
            changes.save_draft(current_user, path, form.text.data, form.base_hash.data or None)
        except changes.Conflict as error:
            conflict = error
        else:
            flash(_("Draft saved. Publish it from the content page when it is ready."), "success")
            return redirect(url_for(".edit", path=path))
    loaded = changes.load_text(current_user, path, form.text.data or "")
    return render_template(
        "authoring/edit.html", form=form, opened=opened, path=path, conflict=conflict,
        conflict_rows=changed_only(side_by_side(conflict.base, conflict.current or "")) if conflict else None,
        problems=services.problem_rows(loaded.problems, path),
        preview=services.preview_html(path, form.text.data or "", loaded),
        image_form=ImageForm(), module_id=path.split("/")[1] if opened.kind == "courses" else None,
    ), 409 if conflict else 200


@bp.post("/check")
@roles_required(*AUTHORS)
@json_body(path=_content_path, text=_source)
def check(body):
    """The editor's live view: problems in the words of ``flask content validate`` and the preview."""
    path = body["path"]
    try:
        loaded = changes.load_text(current_user, path, body["text"])
    except changes.UnknownPath:
        abort(404)
    return jsonify(problems=services.problem_rows(loaded.problems, path),
                   preview=str(services.preview_html(path, body["text"], loaded)))


@bp.post("/try-reply")
@roles_required(*AUTHORS)
@json_body(path=_content_path, text=_source, reply=_reply)
def try_reply(body):
    """The norms preview's box: a sample reply scored with the draft norms being edited."""
    try:
        kind = changes.kind_name(body["path"])
    except changes.UnknownPath:
        abort(404)
    if kind != "norms":
        abort(404)
    scorecard = services.try_reply(body["path"], body["text"], body["reply"].strip())
    if scorecard is None:
        return jsonify(scorecard=None, message=_("Fix the problems of the norms first: a reply is scored with "
                                                 "the norms as they are typed.")), 422
    return jsonify(scorecard=str(scorecard))


@bp.post("/autosave")
@roles_required(*AUTHORS)
@json_body(path=_content_path, text=_source, base_hash=_hash)
def autosave(body):
    try:
        changes.save_draft(current_user, body["path"], body["text"], body["base_hash"] or None)
    except changes.UnknownPath:
        abort(404)
    except changes.Conflict as conflict:
        rows = changed_only(side_by_side(conflict.base, conflict.current or ""))
        return jsonify(saved=False, diff=render_template("authoring/_diff.html", rows=rows)), 409
    return jsonify(saved=True)


@bp.post("/images")
@roles_required(*AUTHORS)
def upload_image():
    """An image for a lesson of the module the editor is on, stored in the database by its hash."""
    path = _path_arg()
    if not path.startswith("courses/"):
        abort(404)
    form = ImageForm()
    if not form.validate_on_submit():
        return _image_answer(path, error=_("Image: choose a file to upload."))
    data = form.image.data.read()
    try:
        name = content_name(data)
    except ImageRefused as error:
        return _image_answer(path, error=_("Image: %(reason)s.", reason=str(error)))
    store_image(path.split("/")[1], name, data)
    db.session.commit()
    return _image_answer(path, markdown=f"![]({name})")


def _image_answer(path: str, markdown: str | None = None, error: str | None = None):
    if request.accept_mimetypes.best == "application/json":
        return jsonify(markdown=markdown, error=error), 400 if error else 200
    if error:
        flash(error, "error")
    else:
        flash(_("Image uploaded: add %(markdown)s to the lesson where it belongs.", markdown=markdown), "success")
    return redirect(url_for(".edit", path=path))


@bp.route("/publish", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def publish():
    drafts = changes.drafts_of(current_user)
    form = PublishForm()
    form.paths.choices = [SelectChoice(draft.path, draft.path) for draft in drafts]
    if request.method == "GET":
        form.paths.data = [draft.path for draft in drafts]
    problems, conflict = [], None
    if form.validate_on_submit():
        try:
            change_set = changes.submit(current_user, form.paths.data, form.message.data, form.significant.data == "yes")
        except changes.Conflict as error:
            conflict = error
            flash(_("%(path)s was published by someone else since you opened it: open it again to see what changed.",
                    path=conflict.path), "error")
        except ContentProblems as error:
            problems = error.problems
            flash(_("Nothing was published: the drafts have problems."), "error")
        else:
            if change_set.state == changes.PENDING:
                flash(_("Waiting for a second trainer to approve."), "success")
                return redirect(url_for(".status"))
            flash(_("Published."), "success")
            return _offer_regrade(change_set.paths)
    modules = {draft.path.split("/")[1] for draft in drafts if draft.path.startswith("courses/")}
    return render_template(
        "authoring/publish.html", form=form, drafts=drafts, problems=problems, conflict=conflict,
        conflict_rows=changed_only(side_by_side(conflict.base, conflict.current or "")) if conflict else None,
        holders=holders_requiring(modules), approval=changes.approval_required()), 409 if conflict else 200


@bp.post("/changes/<int:change_set_id>")
@roles_required(*AUTHORS)
def decide(change_set_id: int):
    change_set = db.get_or_404(ContentChangeSet, change_set_id)
    form = DecisionForm()
    if not form.validate_on_submit() or change_set.state != changes.PENDING:
        abort(400)
    try:
        if form.approve.data:
            changes.approve(change_set, current_user)
            flash(_("Approved and published."), "success")
            return _offer_regrade(change_set.paths)
        else:
            changes.withdraw(change_set, current_user)
            flash(_("Withdrawn."), "success")
    except changes.ApprovalNeeded:
        flash(_("A second trainer must approve your own changes."), "error")
    except (changes.Conflict, ContentProblems):
        db.session.rollback()
        flash(_("Nothing was published: the content changed or has problems. Withdraw it and publish again."), "error")
    return redirect(url_for(".status"))


def _offer_regrade(paths: list[str]):
    """After a bank changed, the regrade of the attempts it changes (a fixed key), else the content page."""
    banks = services.banks_needing_regrade(paths)
    return redirect(url_for(".regrade", bank=banks[0]) if banks else url_for(".status"))


@bp.route("/regrade", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def regrade():
    """Which graded attempts, scores and certificates a bank's current keys change; then regrade."""
    bank = db.get_or_404(QuestionBank, request.args.get("bank", ""))
    form = RegradeForm()
    if form.validate_on_submit():
        done = services.regrade(bank.id, current_user)
        flash(ngettext("%(num)d attempt regraded.", "%(num)d attempts regraded.", len(done.attempts)), "success")
        return redirect(url_for(".regrade", bank=bank.id))
    return render_template("authoring/regrade.html", bank=bank, preview=services.regrade_preview(bank.id), form=form)


@bp.get("/questions/<question_id>")
@roles_required(*AUTHORS)
def question(question_id: str):
    """From item statistics to the question's place in its bank's editor."""
    found = db.get_or_404(BankQuestion, question_id)
    return redirect(url_for(".edit", path=f"quizzes/banks/{found.bank_id}.md", _anchor=f"question-{question_id}"))


@bp.get("/history")
@roles_required(*AUTHORS)
def history():
    path = _path_arg()
    revisions = changes.history(path)
    by_id = {revision.id: revision for revision in revisions}
    newest = revisions[0].id if revisions else None
    older = revisions[1].id if len(revisions) > 1 else newest
    left, right = by_id.get(query_int("a", 0) or older), by_id.get(query_int("b", 0) or newest)
    rows = side_by_side(left.text or "", right.text or "") if left and right else []
    return render_template("authoring/history.html", path=path, revisions=revisions, left=left, right=right,
                           rows=rows, form=RollbackForm(), published=path in published_files())


@bp.post("/rollback/<int:revision_id>")
@roles_required(*AUTHORS)
def rollback(revision_id: int):
    revision = db.get_or_404(ContentRevision, revision_id)
    form = RollbackForm()
    if not form.validate_on_submit():
        flash(_("Why: say why this version is published again."), "error")
        return redirect(url_for(".history", path=revision.path))
    try:
        changes.rollback(revision, current_user, form.message.data)
    except (changes.UnknownPath, ContentProblems):
        flash(_("This version cannot be published again: it no longer fits the rest of the content."), "error")
    except changes.Conflict as conflict:
        flash(_("%(path)s was published by someone else since you opened it: open it again to see what changed.",
                path=conflict.path), "error")
    else:
        flash(_("The earlier version is published again as the newest version."), "success")
    return redirect(url_for(".history", path=revision.path))


@bp.post("/upload")
@roles_required(*AUTHORS)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        try:
            paths = services.upload_drafts(current_user, form.upload.data.filename, form.upload.data.read(),
                                           form.path.data or None)
        except services.UploadRefused as error:
            flash(_("Upload: %(reason)s.", reason=str(error)), "error")
        except changes.Conflict as conflict:
            flash(_("%(path)s: you already have a draft based on an older version.", path=conflict.path), "error")
        else:
            flash(_("%(count)d draft(s) saved: check them in the editor, then publish.", count=len(paths)), "success")
        return redirect(url_for(".status"))
    for errors in form.errors.values():
        for error in errors:
            flash(_("Upload: %(reason)s", reason=error), "error")
    return redirect(url_for(".status"))


@bp.route("/questions/import", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def import_questions():
    """Upload a GIFT / Moodle XML / Aiken file, preview every question, then import what was
    previewed into the trainer's draft of a bank, published like every draft."""
    form = QuestionImportForm()
    form.lesson.choices = [SelectChoice("", _("Choose a lesson"))] + [
        SelectChoice(lesson, lesson) for lesson in services.current_lessons()]
    preview = None
    if form.validate_on_submit():
        preview = _previewed(form)
        if preview is not None and form.save.data:
            if preview.digest != form.reviewed.data:
                flash(_("Review the preview below, then import: only a previewed file is imported."), "error")
            elif _target_chosen(form):
                try:
                    draft = services.import_draft(preview, form.bank_id.data, form.title.data or None,
                                                  form.lesson.data, int(form.difficulty.data), current_user)
                except changes.Conflict:
                    flash(_("The bank changed since your draft of it was opened: open the draft first."), "error")
                    return redirect(url_for(".status"))
                if not draft.problems:
                    flash(_("%(count)d question(s) added to your draft of %(path)s: review them, then publish.",
                            count=preview.count("converted") + preview.count("changed"),
                            path=f"quizzes/banks/{form.bank_id.data}.md"), "success")
                    return redirect(url_for(".edit", path=f"quizzes/banks/{form.bank_id.data}.md"))
                for problem in draft.problems:
                    flash(_("Nothing was imported: %(problem)s", problem=problem.message), "error")
        if preview is not None:
            form.source.data, form.reviewed.data = preview.source, preview.digest
    return render_template("authoring/import_questions.html", form=form, preview=preview,
                           statuses=services.IMPORT_STATUSES, rendered=preview.rendered() if preview else [])


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
