from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from webapp.access import Role
from webapp.accounts import sso
from webapp.accounts.models import LOCAL
from webapp.accounts.roster import EMAIL, EMPLOYEE_NO
from webapp.accounts.services import MIN_PASSWORD_LENGTH


def role_choices():
    return [
        (Role.TRAINEE.value, _l("Trainee")),
        (Role.TRAINER.value, _l("Trainer")),
        (Role.HR.value, _l("HR")),
        (Role.ADMIN.value, _l("Administrator")),
    ]


def source_choices():
    """Where an account signs in (User.source)."""
    return [
        (LOCAL, _l("Password here")),
        (sso.LDAP, _l("LDAP directory")),
        (sso.OIDC, _l("Single sign-on (OpenID Connect)")),
    ]


SOURCES = {value for value, _label in source_choices()}


class LoginForm(FlaskForm):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=32)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in"))
    submit = SubmitField(_l("Sign in"))


class NewPasswordMixin:
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=128,
                                           message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH))],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))


class UserForm(NewPasswordMixin, FlaskForm):
    employee_no = StringField(
        _l("Employee number"),
        validators=[DataRequired(), Regexp(EMPLOYEE_NO, message=_l("Letters, digits, dot, dash and underscore only."))],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    department = StringField(_l("Department"), validators=[DataRequired(), Length(max=100)])
    team = StringField(_l("Team"), validators=[Length(max=100)])
    role = SelectField(_l("Role"), choices=role_choices)
    submit = SubmitField(_l("Create user"))


class EditUserForm(FlaskForm):
    """An existing account's details; the employee number (the login name) does not change."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    department = StringField(_l("Department"), validators=[DataRequired(), Length(max=100)])
    team = StringField(_l("Team"), validators=[Length(max=100)])
    email = StringField(_l("E-mail address"), validators=[
        Optional(), Length(max=254), Regexp(EMAIL, message=_l("Enter an e-mail address like name@example.com."))])
    role = SelectField(_l("Role"), choices=role_choices)
    submit = SubmitField(_l("Save changes"))

    def offer_roles(self, may_grant) -> None:
        """Every role stays a valid choice (the role rule decides and explains a refusal); roles
        the actor may not grant are shown disabled."""
        self.role.choices = [SelectChoice(value, label, render_kw={} if may_grant(value) else {"disabled": True})
                             for value, label in role_choices()]


class RosterForm(FlaskForm):
    roster = FileField(_l("Roster file (CSV from Excel)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import"))


class RoleForm(FlaskForm):
    """Posted by the role select on each row of the users page."""

    role = SelectField(_l("Role"), choices=role_choices)


class FirstPasswordsForm(FlaskForm):
    """Posted by the button of one department on the first passwords page ("" = any)."""

    department = HiddenField()


class ActionForm(FlaskForm):
    """An empty form: a CSRF-protected button (deactivate, reactivate, reset password, unlock)."""

    submit = SubmitField()
