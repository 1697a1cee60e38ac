from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def language_choices():
    return [("zh_CN", "中文"), ("en", "English")]


class SettingsForm(FlaskForm):
    mailed = CheckboxesField(_l("Send me an e-mail when"))
    daily_digest = BooleanField(_l("Collect my e-mails into one daily digest"))
    language = SelectField(_l("Language of my e-mails"), choices=language_choices)
    submit = SubmitField(_l("Save settings"))


class MarkReadForm(FlaskForm):
    """A CSRF-protected button: mark one notification (or all) read."""

    submit = SubmitField()
