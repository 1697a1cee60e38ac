from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.content.models import MESSAGE_LENGTH
from webapp.inputs import DatabaseIntegerField

#: Far above any content file (the longest bank is some tens of kilobytes), low enough to bound the work.
MAX_SOURCE_CHARACTERS = 300_000
SLUG = Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Lowercase letters, digits and '-' only, e.g. moodle-billing."))


class EditorForm(FlaskForm):
    text = TextAreaField(_l("Markdown source"), validators=[InputRequired(), Length(max=MAX_SOURCE_CHARACTERS)])
    #: The published version the editor opened; empty for a new file.
    base_hash = HiddenField(validators=[Optional(), Length(max=64)])
    save = SubmitField(_l("Save draft"))
    discard = SubmitField(_l("Discard draft"))


NEW_KINDS = [SelectChoice("lesson", _l("Lesson")), SelectChoice("module", _l("Module")),
             SelectChoice("bank", _l("Question bank")), SelectChoice("quiz", _l("Quiz blueprint")),
             SelectChoice("scenario", _l("Role-play scenario")), SelectChoice("post", _l("Post"))]


class NewItemForm(FlaskForm):
    what = SelectField(_l("Kind"), choices=NEW_KINDS, validators=[InputRequired()])
    module = SelectField(_l("Module (for a lesson)"), validators=[Optional()])
    slug = StringField(_l("Id (file name)"), validators=[DataRequired(), Length(max=60), SLUG])
    order = DatabaseIntegerField(_l("Lesson number"), default=1, validators=[Optional(), NumberRange(1, 99)])
    create = SubmitField(_l("Create from template"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PublishForm(FlaskForm):
    paths = MultiCheckboxField(_l("Drafts to publish together"), validators=[DataRequired(_l("Choose at least one draft."))])
    message = StringField(_l("What changed and why"), validators=[DataRequired(), Length(max=MESSAGE_LENGTH)])
    significant = RadioField(_l("Does this change what certified agents must know?"), default="no", choices=[
        SelectChoice("no", _l("No: certificates stay valid")),
        SelectChoice("yes", _l("Yes: holders of affected certificates must recertify"))])
    submit = SubmitField(_l("Publish"))


class DecisionForm(FlaskForm):
    approve = SubmitField(_l("Approve and publish"))
    withdraw = SubmitField(_l("Withdraw"))


class RegradeForm(FlaskForm):
    submit = SubmitField(_l("Regrade these attempts"))


class RollbackForm(FlaskForm):
    message = StringField(_l("Why"), validators=[DataRequired(), Length(max=MESSAGE_LENGTH)])
    submit = SubmitField(_l("Publish this version again"))


class UploadForm(FlaskForm):
    upload = FileField(_l("Markdown file or zip"), validators=[FileRequired(), FileSize(5_000_000, message=_l(
        "The file is larger than 5 MB."))])
    path = StringField(_l("Saved as (for a single file), e.g. courses/module/01-slug.md"),
                       validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Upload as drafts"))


class ImageForm(FlaskForm):
    image = FileField(_l("Image (PNG, JPEG, GIF or WebP, up to 2 MB)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload image"))


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
    bank_id = StringField(_l("Bank id (new or existing)"), validators=[Optional(), Length(max=60), SLUG])
    title = StringField(_l("Title of a new bank"), validators=[Optional(), Length(max=120)])
    lesson = SelectField(_l("Lesson the questions review"), validators=[Optional()])
    difficulty = SelectField(_l("Difficulty"), choices=[SelectChoice(n, n) for n in "123"], default="2")
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Import into a draft bank"))
