from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm

from webapp.access import Role, public, roles_required, signed_in
from webapp.accounts import importer, rules, services, throttle
from webapp.accounts.forms import (
    SOURCES, ActionForm, ChangePasswordForm, EditUserForm, FirstPasswordsForm, LoginForm, RoleForm, RosterForm,
    UserForm, role_choices, source_choices,
)
from webapp.accounts.models import LOCAL, RosterImportJob, User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.inputs import is_clean_text, page_number

bp = Blueprint("accounts", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/accounts")

USERS_PER_PAGE = 50


def safe_next(target: str | None) -> str:
    """Only same-site paths (an open redirect after login is a phishing tool; browsers read "/\\"
    as "//"), on one line (a line break cannot go into the Location header)."""
    if (target and is_clean_text(target) and not urlsplit(target).netloc and target.startswith("/")
            and not target.startswith(("//", "/\\"))):
        return target
    return url_for("portal.home")


# --- signing in and out -----------------------------------------------------------------------

def wait_text(verdict: throttle.Verdict) -> str:
    number, unit = throttle.wait_parts(verdict.retry_after)
    if unit == "seconds":
        return ngettext("%(num)d second", "%(num)d seconds", number)
    return ngettext("%(num)d minute", "%(num)d minutes", number)


def refusal_message(verdict: throttle.Verdict) -> str:
    """Locks are on an account, which an administrator can lift; a wait for the address is
    nothing the person's own password could fix."""
    wait = wait_text(verdict)
    if verdict.scope == throttle.Scope.ADDRESS:
        return _("Too many failed sign-ins from your network. Please wait %(wait)s before trying this account "
                 "again.", wait=wait)
    if verdict.locked_out:
        return _("Too many failed sign-ins: this account is locked for %(wait)s. An administrator can unlock it, "
                 "and reset your password if you forgot it.", wait=wait)
    return _("Too many failed sign-ins for this account. Please wait %(wait)s before trying again.", wait=wait)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("portal.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(form.employee_no.data, form.password.data, request.remote_addr or "unknown")
        if result.user is not None:
            login_user(result.user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        if result.refused is not None:
            flash(refusal_message(result.refused), "error")
        elif result.directory_down:
            flash(_("The company directory cannot be reached right now, so directory accounts cannot sign in. "
                    "Please try again in a few minutes."), "error")
        else:
            flash(_("Wrong employee number or password, or the account is deactivated."), "error")
    return render_template("accounts/login.html", form=form, oidc=current_app.config["OIDC"])


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    if ActionForm().validate_on_submit():
        current_user.end_sessions()  # a copy of this session's cookie must not sign anyone in again
        db.session.commit()
        logout_user()
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    if not current_user.is_local:
        flash(_("Your password is managed by the company directory: change it there."), "info")
        return redirect(url_for("portal.home"))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, form.current_password.data, form.new_password.data)
        except services.AccountError:
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # the change ended every session, this one too
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("portal.home"))
    return render_template("accounts/password.html", form=form)


# --- administration ---------------------------------------------------------------------------

def flash_refusal(refusal: rules.Refused) -> None:
    flash(_("Not done: %(reason)s.", reason=_(refusal.message, **refusal.params)), "error")


@bp.route("/admin/users")
@roles_required(Role.ADMIN)
def users():
    query = db.select(User).order_by(User.department, User.employee_no)
    search = request.args.get("q", "").strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(User.employee_no.ilike(pattern) | User.name.ilike(pattern)
                            | User.department.ilike(pattern) | User.team.ilike(pattern))
    if request.args.get("role") in set(Role):
        query = query.where(User.role == request.args["role"])
    if request.args.get("department"):
        query = query.where(User.department == request.args["department"])
    if request.args.get("status") in {"active", "inactive"}:
        query = query.where(User.active.is_(request.args["status"] == "active"))
    elif request.args.get("status") == "no-password":
        query = query.where(User.password_hash.is_(None), User.source == LOCAL)
    if request.args.get("source") in SOURCES:
        query = query.where(User.source == request.args["source"])
    page = db.paginate(query, page=page_number(), per_page=USERS_PER_PAGE, error_out=False)
    departments = db.session.execute(db.select(User.department).distinct().order_by(User.department)).scalars()
    return render_template("accounts/users.html", page=page, departments=list(departments),
                           action_form=ActionForm(), roles=role_choices(), sources=source_choices())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            services.create_user(form.employee_no.data, form.name.data, form.department.data, form.role.data,
                                 form.new_password.data, form.team.data, actor=current_user)
        except services.AccountError:
            form.employee_no.errors.append(_("This employee number is already taken."))
        else:
            db.session.commit()
            flash(_("User %(no)s created. They must choose a new password at first sign-in.",
                    no=form.employee_no.data), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_new.html", form=form)


def _user_for_action(user_id: int, form_class=ActionForm) -> tuple[User, FlaskForm]:
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    return db.get_or_404(User, user_id), form


def _back_to_users():
    """To the filtered page the button was on."""
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
@roles_required(Role.ADMIN)
def change_role(user_id: int):
    user, form = _user_for_action(user_id, RoleForm)
    try:
        changed = services.change_role(user, form.role.data, current_user)
    except rules.Refused as refusal:
        db.session.rollback()
        flash_refusal(refusal)
    else:
        db.session.commit()
        if changed:
            flash(_("%(no)s now has the role %(role)s.", no=user.employee_no,
                    role=dict(role_choices())[user.role]), "success")
    return _back_to_users()


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def deactivate_user(user_id: int):
    user, _form = _user_for_action(user_id)
    try:
        services.set_active(user, False, current_user)
    except rules.Refused as refusal:
        db.session.rollback()
        flash_refusal(refusal)
    else:
        db.session.commit()
        flash(_("%(no)s can no longer sign in.", no=user.employee_no), "success")
    return _back_to_users()


@bp.route("/admin/users/<int:user_id>/activate", methods=["POST"])
@roles_required(Role.ADMIN)
def activate_user(user_id: int):
    user, _form = _user_for_action(user_id)
    services.set_active(user, True, current_user)
    db.session.commit()
    flash(_("%(no)s can sign in again.", no=user.employee_no), "success")
    return _back_to_users()


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def edit_user(user_id: int):
    """Administrators edit any account; HR edits trainees (the account rule decides, not this view)."""
    user = db.get_or_404(User, user_id)
    back = url_for("accounts.users") if current_user.role == Role.ADMIN else url_for("hr.roster")
    actor = services.actor_role(current_user)
    try:
        rules.check_account_change(actor, user.role)
    except rules.Refused as refusal:
        flash_refusal(refusal)
        return redirect(back)
    form = EditUserForm(obj=user)
    form.offer_roles(lambda role: rules.may_manage(actor, role))
    if form.validate_on_submit():
        try:
            changed = services.update_account(user, current_user, role=form.role.data, name=form.name.data,
                                              department=form.department.data, team=form.team.data,
                                              email=form.email.data)
        except rules.Refused as refusal:
            db.session.rollback()
            form.role.errors.append(_(refusal.message, **refusal.params))
        else:
            db.session.commit()
            if changed:
                flash(_("%(no)s saved.", no=user.employee_no), "success")
            else:
                flash(_("Nothing changed for %(no)s.", no=user.employee_no), "info")
            return redirect(back)
    return render_template("accounts/user_edit.html", form=form, user=user, back=back, sources=source_choices())


@bp.route("/admin/users/<int:user_id>/reset-password", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    """GET asks for confirmation (a page, no script needed); the POST from that page acts."""
    if request.method == "GET":
        return render_template("accounts/reset_password.html", user=db.get_or_404(User, user_id),
                               form=ActionForm(), back=safe_next(request.args.get("next") or url_for("accounts.users")))
    user, _form = _user_for_action(user_id)
    try:
        password = services.issue_password(user, current_user)
    except rules.Refused as refusal:
        flash_refusal(refusal)
        return _back_to_users()
    db.session.commit()
    flash(_("Temporary password for %(no)s: %(password)s — hand it over in person; it must be changed at "
            "next sign-in.", no=user.employee_no, password=password), "success")
    return _back_to_users()


@bp.route("/admin/users/first-passwords", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def first_passwords():
    """Accounts from roster imports have no password: issue them here, a department at a time.
    The passwords are in this one response only (not kept, not flashed into the session)."""
    form, issued = FirstPasswordsForm(), []
    if form.validate_on_submit():
        issued = services.issue_first_passwords(form.department.data or None, current_user)
        db.session.commit()
    return render_template("accounts/first_passwords.html", form=form, issued=issued,
                           waiting=services.first_passwords_by_department(),
                           at_once=services.FIRST_PASSWORDS_AT_ONCE)


@bp.route("/admin/users/held")
@roles_required(Role.ADMIN)
def held_accounts():
    return render_template("accounts/held.html", held=services.held_accounts(utcnow()), action_form=ActionForm(),
                           wait_text=wait_text)


@bp.route("/admin/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(Role.ADMIN)
def unlock_user(user_id: int):
    user, _form = _user_for_action(user_id)
    services.unlock(user, current_user)
    db.session.commit()
    flash(_("%(no)s can sign in again at once.", no=user.employee_no), "success")
    return redirect(url_for("accounts.held_accounts"))


# --- roster import ----------------------------------------------------------------------------

@bp.route("/admin/users/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def import_roster():
    form = RosterForm()
    if form.validate_on_submit():
        try:
            job = importer.start_job(form.roster.data.read(), form.roster.data.filename or "", current_user)
        except services.AccountError:
            flash(_("Another roster import is running. Please wait until it has finished."), "error")
        else:
            return redirect(url_for("accounts.import_job", job_id=job.id))
    return render_template("accounts/roster.html", form=form)


def _own_job(job_id: int) -> RosterImportJob:
    """HR sees its own imports; administrators see every import."""
    job = db.get_or_404(RosterImportJob, job_id)
    if job.actor_id != current_user.id and current_user.role != Role.ADMIN:
        abort(404)
    return job


@bp.route("/admin/users/import/<int:job_id>")
@roles_required(Role.ADMIN, Role.HR)
def import_job(job_id: int):
    job = _own_job(job_id)
    return render_template("accounts/import_job.html", job=job, lost=importer.job_lost(job))


@bp.route("/admin/users/import/<int:job_id>/status")
@roles_required(Role.ADMIN, Role.HR)
def import_job_status(job_id: int):
    job = _own_job(job_id)
    return jsonify(state=job.state, phase=job.phase, percent=job.percent,
                   finished=job.finished or importer.job_lost(job))
