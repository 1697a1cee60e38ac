from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.inputs import DatabaseIntegerField, without_control_characters

from .services import MAX_REPLY_CHARS, MODES


class StartCallForm(FlaskForm):
    mode = HiddenField(validators=[AnyOf(MODES)])


class ReplyForm(FlaskForm):
    #: The turn this reply answers: a retried post for the same turn is stored once.
    turn = DatabaseIntegerField(widget=HiddenField.widget, validators=[InputRequired(), NumberRange(min=1)])
    text = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=MAX_REPLY_CHARS)],
                         filters=[without_control_characters])
    submit = SubmitField(_l("Send reply"))


class OverrideForm(FlaskForm):
    turn = DatabaseIntegerField(widget=HiddenField.widget, validators=[InputRequired(), NumberRange(min=1)])
    criterion = StringField(widget=HiddenField.widget, validators=[DataRequired(), Length(max=60)])
    passed = RadioField(_l("Your verdict"), choices=[SelectChoice("1", _l("Passed")), SelectChoice("0", _l("Not passed"))],
                        validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class ReviewedForm(FlaskForm):
    """Mark an ended call as reviewed (no fields: the call is in the URL, the trainer is signed in)."""

    submit = SubmitField(_l("Mark as reviewed"))


class BenchForm(FlaskForm):
    scenario = SelectField(_l("Scenario"), validators=[Optional()])
    source = TextAreaField(_l("Draft scenario text (optional; replaces the chosen scenario)"),
                           validators=[Optional(), Length(max=50_000)])
    norms_source = TextAreaField(_l("Draft norms file (optional; replaces the published norms)"),
                                 validators=[Optional(), Length(max=500_000)])
    replies = TextAreaField(_l("Replies, one line per turn (empty: the model replies)"),
                            validators=[Optional(), Length(max=20_000)])
    seconds = DatabaseIntegerField(_l("Seconds taken for each reply"), default=0,
                           validators=[Optional(), NumberRange(min=0, max=600)])
    submit = SubmitField(_l("Score the replies"))
    #: Also replay the stored calls of the scenario through this scenario and these norms.
    impact = SubmitField(_l("Score and show the impact on stored calls"))
