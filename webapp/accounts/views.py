from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from webapp.access import Role, public, roles_required, signed_in
from webapp.accounts import services
from webapp.accounts.forms import ActionForm, ChangePasswordForm, LoginForm, RosterForm, UserForm
from webapp.accounts.models import User
from webapp.extensions import db
from webapp.inputs import is_clean_text, page_number

bp = Blueprint("accounts", __name__, template_folder="templates")

USERS_PER_PAGE = 50


def safe_next(target: str | None) -> str:
    """Only same-site paths (an open redirect after login is a phishing tool; browsers read "/\\"
    as "//"), on one line (a line break cannot go into the Location header)."""
    if (target and is_clean_text(target) and not urlsplit(target).netloc and target.startswith("/")
            and not target.startswith(("//", "/\\"))):
        return target
    return url_for("portal.home")


# --- signing in and out -----------------------------------------------------------------------

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
        if result.locked_out:
            flash(_("Too many failed sign-ins. Sign-in is refused for %(minutes)d minutes; ask an administrator "
                    "to reset your password if you forgot it.", minutes=max(1, result.retry_after_seconds // 60)), "error")
        elif result.retry_after_seconds:
            flash(_("Too many failed sign-ins. Please wait %(seconds)d seconds before trying again.",
                    seconds=result.retry_after_seconds), "error")
        else:
            flash(_("Wrong employee number or password, or the account is deactivated."), "error")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    if ActionForm().validate_on_submit():
        logout_user()
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, form.current_password.data, form.new_password.data)
        except services.AccountError:
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("portal.home"))
    return render_template("accounts/password.html", form=form)


# --- administration ---------------------------------------------------------------------------

@bp.route("/admin/users")
@roles_required(Role.ADMIN)
def users():
    query = db.select(User).order_by(User.department, User.employee_no)
    search = request.args.get("q", "").strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(User.employee_no.ilike(pattern) | User.name.ilike(pattern))
    if request.args.get("role") in set(Role):
        query = query.where(User.role == request.args["role"])
    if request.args.get("department"):
        query = query.where(User.department == request.args["department"])
    if request.args.get("status") in {"active", "inactive"}:
        query = query.where(User.active.is_(request.args["status"] == "active"))
    page = db.paginate(query, page=page_number(), per_page=USERS_PER_PAGE, error_out=False)
    departments = db.session.execute(db.select(User.department).distinct().order_by(User.department)).scalars()
    return render_template("accounts/users.html", page=page, departments=list(departments),
                           action_form=ActionForm(), roles=list(Role))


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


def _user_for_action(user_id: int) -> User:
    if not ActionForm().validate_on_submit():
        abort(400)
    return db.get_or_404(User, user_id)


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def deactivate_user(user_id: int):
    user = _user_for_action(user_id)
    try:
        services.set_active(user, False, current_user)
    except services.AccountError:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        db.session.commit()
        flash(_("%(no)s can no longer sign in.", no=user.employee_no), "success")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/activate", methods=["POST"])
@roles_required(Role.ADMIN)
def activate_user(user_id: int):
    user = _user_for_action(user_id)
    services.set_active(user, True, current_user)
    db.session.commit()
    flash(_("%(no)s can sign in again.", no=user.employee_no), "success")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/reset-password", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    user = _user_for_action(user_id)
    password = services.reset_password(user, current_user)
    db.session.commit()
    flash(_("Temporary password for %(no)s: %(password)s — hand it over in person; it must be changed at "
            "next sign-in.", no=user.employee_no, password=password), "success")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/users/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def import_roster():
    form = RosterForm()
    result = None
    if form.validate_on_submit():
        result = services.import_roster(form.roster.data.read(), actor=current_user)
        if not result.problems:
            flash(_("Roster imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
                    created=len(result.created), updated=result.updated, unchanged=result.unchanged), "success")
    return render_template("accounts/roster.html", form=form, result=result)
