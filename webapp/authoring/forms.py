from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

#: Far above any lesson (the longest are a few thousand characters), low enough to bound the work.
MAX_PREVIEW_CHARACTERS = 100_000


class PublishForm(FlaskForm):
    fingerprint = HiddenField(validators=[InputRequired()])
    confirm = BooleanField(_l("I have reviewed the changes above and want to publish them"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Publish"))


class LessonPreviewForm(FlaskForm):
    module_id = SelectField(_l("Module (for links and images)"), validators=[InputRequired()])
    markdown = TextAreaField(_l("Lesson Markdown"), validators=[
        DataRequired(), Length(max=MAX_PREVIEW_CHARACTERS)])
    submit = SubmitField(_l("Preview"))
