from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class AssignPostForm(FlaskForm):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=32)])
    post = SelectField(_l("Post"), validators=[DataRequired()])  # choices: the imported posts
    due_date = DateField(_l("Due date"), validators=[Optional()])
    submit = SubmitField(_l("Assign"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Revoke certificate"))


class RecertifyForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Length(max=500)])
    submit = SubmitField(_l("Ask to recertify now"))


class OverrideForm(FlaskForm):
    """Mark one requirement as met (choices: the trainee's unmet requirements)."""

    requirement = SelectField(_l("Requirement"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (e.g. recognised prior certification, offline assessment)"),
                           validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Mark as met"))


class RevokeOverrideForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Revoke override"))
