from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.api.signing import EVENTS
from webapp.api.tokens import SCOPES

VALIDITY_DAYS = (30, 90, 180, 365)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(FlaskForm):
    name = StringField(_l("Name (which system uses it)"), validators=[DataRequired(), Length(max=100)])
    scopes = CheckboxesField(_l("Scopes"), choices=[SelectChoice(scope, scope) for scope in SCOPES],
                             validators=[DataRequired(_l("Choose at least one scope."))])
    valid_days = SelectField(_l("Expires after"), coerce=int, default=90,
                             choices=[SelectChoice(days, _l("%(days)d days", days=days)) for days in VALIDITY_DAYS])
    submit = SubmitField(_l("Create token"))


class RevokeTokenForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))


def _web_address(form, field) -> None:
    parts = urlsplit(field.data or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_l("Enter an http:// or https:// address."))


class WebhookForm(FlaskForm):
    url = StringField(_l("Receiver URL"), validators=[DataRequired(), Length(max=500), _web_address])
    secret = StringField(_l("Signing secret (at least 16 characters, shared with the receiver)"),
                         validators=[DataRequired(), Length(min=16, max=200)])
    events = CheckboxesField(_l("Events"), choices=[SelectChoice(event, event) for event in EVENTS],
                             validators=[DataRequired(_l("Choose at least one event."))])
    submit = SubmitField(_l("Add webhook"))


class DeactivateWebhookForm(FlaskForm):
    submit = SubmitField(_l("Deactivate"))
