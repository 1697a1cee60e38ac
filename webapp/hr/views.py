"""HR pages: the certification roster with filters, charts and exports; assigning posts;
revoking certificates; asking holders to recertify; the audit log."""
import os
import tempfile

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, \
    stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp.access import Role, roles_required
from webapp.accounts.services import find_user, trainee_departments
from webapp.audit.services import record
from webapp.certification import services as certification
from webapp.certification.engine import State
from webapp.certification.models import Certificate, Post, PostAssignment, RequirementOverride
from webapp.extensions import db
from webapp.inputs import page_number, query_int

from . import audit_text, export, labels, services
from .forms import AssignPostForm, OverrideForm, RecertifyForm, RevokeForm, RevokeOverrideForm

bp = Blueprint("hr", __name__, url_prefix="/hr", template_folder="templates", static_folder="static",
               static_url_path="/static")

ROSTER_PER_PAGE = 50
AUDIT_PER_PAGE = 100
HR_ROLES = (Role.HR, Role.ADMIN)


@bp.get("/")
@roles_required(*HR_ROLES)
def roster():
    filters = services.RosterFilters.from_args(request.args)
    number = page_number()
    today = certification.local_today()
    page = services.roster_page(filters, today, number, ROSTER_PER_PAGE)
    return render_template("hr/roster.html", page=page, filters=filters, page_number=number,
                           progress=services.progress_by_assignment(page.entries, today), machine=labels.MACHINE,
                           per_page=ROSTER_PER_PAGE, states=list(State), posts=certification.posts_in_order(),
                           departments=trainee_departments(), formats=export.FORMATS,
                           recertify_form=RecertifyForm(), today=today)


@bp.get("/roster/export.<export_format>")
@roles_required(*HR_ROLES)
def export_roster(export_format: str):
    if export_format not in export.FORMATS:
        abort(404)
    filters = services.RosterFilters.from_args(request.args)
    # JSON is for programs: always the machine keys and codes.
    machine = request.args.get("headers") == labels.MACHINE or export_format == "json"
    record("roster.export", "roster", {"format": export_format, "filters": filters.as_args(),
                                       "headers": labels.MACHINE if machine else current_language()},
           actor=current_user)
    db.session.commit()
    today, prefix, status_labels = certification.local_today(), certification.verify_url_prefix(), \
        labels.status_labels(machine)
    headers = labels.export_headers(machine)
    download_name = f"certification-roster-{today.isoformat()}.{export_format}"
    if export_format == "xlsx":
        return _send_xlsx(services.export_rows(filters, today, prefix, status_labels), headers, download_name)
    if export_format == "csv":
        chunks = export.csv_table_chunks(services.export_batches(filters, today, prefix, status_labels, guarded=True),
                                          headers)
    else:
        chunks = export.json_chunks(services.export_rows(filters, today, prefix, status_labels))
    response = Response(stream_with_context(chunk.encode("utf-8") for chunk in chunks),
                        content_type=export.MEDIA_TYPES[export_format])
    response.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


def _send_xlsx(rows, headers, download_name: str):
    """XLSX cannot stream: write a temporary file, then send it (unlinked once it is open)."""
    descriptor, path = tempfile.mkstemp(suffix=".xlsx", prefix="hotline-roster-")
    os.close(descriptor)
    try:
        export.write_xlsx(rows, path, headers)
        handle = open(path, "rb")  # noqa: SIM115 - send_file closes it when the response ends
    finally:
        os.unlink(path)
    return send_file(handle, mimetype=export.MEDIA_TYPES["xlsx"], as_attachment=True, download_name=download_name)


@bp.route("/assign", methods=["GET", "POST"])
@roles_required(*HR_ROLES)
def assign():
    form = AssignPostForm()
    form.post.choices = [(post.id, f"{post.title_zh} · {post.title_en}") for post in certification.posts_in_order()]
    if form.validate_on_submit():
        trainee = find_user(form.employee_no.data)
        if trainee is None or trainee.role != Role.TRAINEE:
            form.employee_no.errors.append(_("No trainee has this employee number."))
        else:
            post = db.get_or_404(Post, form.post.data)
            certification.assign_post(trainee, post, form.due_date.data, current_user)
            db.session.commit()
            flash(_("%(post)s assigned to %(name)s.", post=post.title_zh, name=trainee.name), "success")
            return redirect(url_for(".roster", department=trainee.department))
    return render_template("hr/assign.html", form=form)


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@roles_required(*HR_ROLES)
def revoke(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            certification.revoke_certificate(certificate, current_user, form.reason.data)
        except certification.CertificationError:
            db.session.rollback()
            flash(_("This certificate is already revoked."), "error")
        else:
            db.session.commit()
            flash(_("Certificate %(number)s revoked.", number=certificate.number), "success")
        return redirect(url_for(".roster", department=certificate.user.department))
    return render_template("hr/revoke.html", form=form, certificate=certificate)


@bp.post("/assignments/<int:assignment_id>/recertify")
@roles_required(*HR_ROLES)
def recertify(assignment_id: int):
    assignment = db.get_or_404(PostAssignment, assignment_id)
    form = RecertifyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        certification.assign_recertification(assignment, current_user, form.note.data or "")
    except certification.CertificationError:
        flash(_("Only a holder of a valid certificate can be asked to recertify."), "error")
    else:
        db.session.commit()
        flash(_("%(name)s can renew now.", name=assignment.user.name), "success")
    return redirect(url_for(".roster", department=assignment.user.department))


def _override_form(assigned, titles: dict[str, str]) -> OverrideForm:
    form = OverrideForm()
    form.requirement.choices = [(key, _requirement_title(key, titles)) for key in certification.override_choices(assigned)]
    return form


def _requirement_title(key: str, titles: dict[str, str]) -> str:
    if key == "scenarios":
        return _("Role-play calls")
    if key.startswith("module:"):
        return _("Module %(title)s", title=titles.get(key, key.removeprefix("module:")))
    return _("Quiz %(quiz)s", quiz=titles.get(key, key.removeprefix("quiz:")))


def _revoke_override_form(override_id: int) -> RevokeOverrideForm:
    return RevokeOverrideForm(prefix=f"override-{override_id}")


@bp.get("/assignments/<int:assignment_id>")
@roles_required(*HR_ROLES)
def assignment(assignment_id: int, override_form: OverrideForm | None = None):
    found = db.get_or_404(PostAssignment, assignment_id)
    assigned = certification.assigned_post(found)
    titles = certification.titles(current_language())
    overrides = certification.overrides_of(found.user_id, found.post_id)
    form = override_form or _override_form(assigned, titles)
    return render_template("hr/assignment.html", assigned=assigned, titles=titles, form=form,
                           overrides=overrides, requirement_title=_requirement_title,
                           revoke_forms={override.id: _revoke_override_form(override.id)
                                         for override in overrides if override.active},
                           recertify_form=RecertifyForm(), local_time=certification.local_datetime)


@bp.post("/assignments/<int:assignment_id>/overrides")
@roles_required(*HR_ROLES)
def grant_override(assignment_id: int):
    found = db.get_or_404(PostAssignment, assignment_id)
    assigned = certification.assigned_post(found)
    form = _override_form(assigned, certification.titles(current_language()))
    if not form.validate_on_submit():
        return assignment(assignment_id, override_form=form), 400
    try:
        certification.grant_override(found, form.requirement.data, form.reason.data, current_user)
    except certification.CertificationError:
        db.session.rollback()
        flash(_("This requirement cannot be marked as met now."), "error")
        return redirect(url_for(".assignment", assignment_id=assignment_id))
    db.session.commit()
    issued = certification.issue_due_certificates(found.user_id)  # the override may complete the post
    flash(_("Requirement marked as met for %(name)s.", name=found.user.name), "success")
    for certificate in issued:
        flash(_("Certificate %(number)s issued.", number=certificate.number), "success")
    return redirect(url_for(".assignment", assignment_id=assignment_id))


@bp.post("/overrides/<int:override_id>/revoke")
@roles_required(*HR_ROLES)
def revoke_override(override_id: int):
    override = db.get_or_404(RequirementOverride, override_id)
    assignment_row = db.session.scalar(db.select(PostAssignment).where(
        PostAssignment.user_id == override.user_id, PostAssignment.post_id == override.post_id))
    form = _revoke_override_form(override_id)
    if not form.validate_on_submit():
        flash(_("Give a reason for revoking the override."), "error")
    else:
        try:
            certification.revoke_override(override, current_user, form.reason.data)
        except certification.CertificationError:
            db.session.rollback()
            flash(_("This override is already revoked."), "error")
        else:
            db.session.commit()
            flash(_("Override revoked."), "success")
    if assignment_row is None:
        return redirect(url_for(".roster"))
    return redirect(url_for(".assignment", assignment_id=assignment_row.id))


def current_language() -> str:
    return "en" if str(get_locale() or "").startswith("en") else "zh"


@bp.get("/audit")
@roles_required(*HR_ROLES)
def audit_log():
    filters = services.AuditFilters.from_args(request.args)
    page = services.audit_page(filters, query_int("before", None), query_int("after", None), AUDIT_PER_PAGE)
    return render_template("hr/audit.html", page=page, filters=filters, actions=services.audit_actions(),
                           local_time=certification.local_datetime, words=audit_text, cap=services.COUNT_CAP)
