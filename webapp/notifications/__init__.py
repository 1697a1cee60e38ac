"""Notifications: what the academy tells each user, in the app and by e-mail (see services)."""
import os

from flask import Flask
from flask_login import current_user

from webapp import registry

from . import services
from .mail import SmtpSettings
from .views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # Off unless HOTLINE_SMTP_HOST is set; a bad HOTLINE_SMTP_* value stops the start with its name.
    app.config.setdefault("SMTP", SmtpSettings.from_environ(os.environ))
    registry.post_assigned.connect(services.on_post_assigned)
    registry.certificate_issued.connect(services.on_certificate_issued)
    registry.certificate_revoked.connect(services.on_certificate_revoked)
    registry.verdict_overridden.connect(services.on_verdict_overridden)
    app.jinja_env.globals["unread_notifications"] = _unread_notifications
    registry.add_user_extra(app, "unread_notifications", services.unread_count_of_user())


def _unread_notifications() -> int:
    """The header's badge: one indexed count, read with the signed-in user (registry.add_user_extra)."""
    return services.unread_count_once(current_user.id) if current_user.is_authenticated else 0
