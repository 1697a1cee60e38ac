from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileSize
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

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


#: Far above a Moodle bank of a few hundred questions, low enough to bound the conversion's work.
MAX_IMPORT_BYTES = 1_000_000
IMPORT_FORMATS = [SelectChoice("gift", "GIFT"), SelectChoice("moodle-xml", "Moodle XML"), SelectChoice("aiken", "Aiken")]
IMPORT_ENCODINGS = [SelectChoice("", _l("Detect (UTF-8, GB18030 or windows-1252)"))] + [
    SelectChoice(name, name) for name in ("UTF-8", "GB18030", "windows-1252", "UTF-16")]


class QuestionImportForm(FlaskForm):
    """One form for both steps: upload and preview, then import what was previewed into a draft bank.

    After the preview the decoded text travels in ``source`` with its digest in ``reviewed``, so the
    import writes exactly the questions the trainer saw (a changed text is previewed again)."""

    upload = FileField(_l("Question file"), validators=[FileSize(MAX_IMPORT_BYTES, message=_l(
        "The file is larger than 1 MB."))])
    file_format = SelectField(_l("Format"), choices=IMPORT_FORMATS, validators=[InputRequired()])
    encoding = SelectField(_l("Encoding"), choices=IMPORT_ENCODINGS, validators=[Optional()])
    source = HiddenField(validators=[Length(max=MAX_IMPORT_BYTES)])
    reviewed = HiddenField()
    bank_id = StringField(_l("Bank id (new or existing)"), validators=[Optional(), Length(max=60), Regexp(
        r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Lowercase letters, digits and '-' only, e.g. moodle-billing."))])
    title = StringField(_l("Title of a new bank"), validators=[Optional(), Length(max=120)])
    lesson = SelectField(_l("Lesson the questions review"), validators=[Optional()])
    difficulty = SelectField(_l("Difficulty"), choices=[SelectChoice(n, n) for n in "123"], default="2")
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Import into a draft bank"))
