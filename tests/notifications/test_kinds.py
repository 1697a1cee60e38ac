"""The pure rules: thresholds, keys, who is mailed; SMTP settings from the environment."""
from datetime import date, timedelta

import pytest

from webapp.notifications.kinds import (MANDATORY, OPTIONAL, ExpiryReminder, Kind, due_threshold, expiry_reminder,
                                        mailed, mailed_at_once, notification_key, parse_subject, subject)
from webapp.notifications.mail import MailSettingsError, SmtpSettings, compose

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(("days_left", "expected"), [
    (31, None), (30, ExpiryReminder(Kind.CERTIFICATE_EXPIRING, 30)), (8, ExpiryReminder(Kind.CERTIFICATE_EXPIRING, 30)),
    (7, ExpiryReminder(Kind.CERTIFICATE_EXPIRING, 7)), (0, ExpiryReminder(Kind.CERTIFICATE_EXPIRING, 7)),
    (-1, ExpiryReminder(Kind.CERTIFICATE_EXPIRED, 0)), (-7, ExpiryReminder(Kind.CERTIFICATE_EXPIRED, 0)),
    (-8, None),
])
def test_expiry_reminder_is_the_last_threshold_crossed(days_left, expected):
    # valid_until is the last valid day: 0 days left is still valid, -1 is the first day expired
    assert expiry_reminder(TODAY + timedelta(days=days_left), TODAY) == expected


@pytest.mark.parametrize(("days_left", "expected"), [(8, None), (7, 7), (2, 7), (1, 1), (0, 1), (-1, None)])
def test_due_date_reminders_at_seven_days_and_one(days_left, expected):
    assert due_threshold(TODAY + timedelta(days=days_left), TODAY) == expected


def test_key_per_user_kind_subject_threshold():
    about = subject("certificate", 12)
    keys = {notification_key(user, kind, about, threshold)
            for user in (1, 2) for kind in (Kind.CERTIFICATE_EXPIRING, Kind.CERTIFICATE_EXPIRED) for threshold in (30, 7)}
    assert len(keys) == 8
    assert notification_key(1, Kind.DUE_SOON, subject("assignment", 3, "2026-12-31"), 7) == \
        "due_soon:1:assignment:3@2026-12-31:7"


@pytest.mark.parametrize(("text", "expected"), [
    ("certificate:12", ("certificate", 12)), ("assignment:3@2026-12-31", ("assignment", 3)),
    ("call:7@2026-12-03", ("call", 7)), ("call:x", None), ("", None),
])
def test_parse_subject(text, expected):
    assert parse_subject(text) == expected


def test_mandatory_kinds_cannot_be_muted():
    everything = frozenset(Kind)
    assert {kind for kind in Kind if mailed(kind, everything)} == MANDATORY
    assert set(OPTIONAL) | MANDATORY == set(Kind)
    assert mailed(Kind.CERTIFICATE_ISSUED, frozenset()) and not mailed(Kind.CERTIFICATE_ISSUED, frozenset({"certificate_issued"}))
    # a digest reader gets nothing at once, mandatory or not
    assert not mailed_at_once(Kind.CERTIFICATE_REVOKED, frozenset(), daily_digest=True)
    assert mailed_at_once(Kind.CERTIFICATE_REVOKED, everything, daily_digest=False)


def test_smtp_is_off_without_a_host():
    assert SmtpSettings.from_environ({}) is None
    assert SmtpSettings.from_environ({"HOTLINE_SMTP_HOST": "  "}) is None


def test_smtp_settings_and_defaults():
    settings = SmtpSettings.from_environ({"HOTLINE_SMTP_HOST": "mail.example.com", "HOTLINE_SMTP_TLS": "1",
                                          "HOTLINE_SMTP_USER": "u", "HOTLINE_SMTP_PASSWORD": "p"})
    assert (settings.port, settings.tls, settings.sender, settings.user) == (587, "starttls", "hotline-academy@mail.example.com", "u")
    assert SmtpSettings.from_environ({"HOTLINE_SMTP_HOST": "h", "HOTLINE_SMTP_TLS": "ssl"}).port == 465
    assert SmtpSettings.from_environ({"HOTLINE_SMTP_HOST": "h", "HOTLINE_SMTP_PORT": "2525",
                                      "HOTLINE_SMTP_FROM": "academy@corp.cn"}).port == 2525


@pytest.mark.parametrize(("name", "value"), [("HOTLINE_SMTP_PORT", "smtp"), ("HOTLINE_SMTP_PORT", "70000"),
                                             ("HOTLINE_SMTP_TLS", "maybe")])
def test_bad_smtp_settings_name_the_variable(name, value):
    with pytest.raises(MailSettingsError, match=name):
        SmtpSettings.from_environ({"HOTLINE_SMTP_HOST": "h", name: value})


def test_composed_mail_has_text_and_html_alternative():
    settings = SmtpSettings(host="h", port=25, sender="academy@corp.cn")
    message = compose(settings, "热线学院", "a@corp.cn", "证书已撤销。原因：第一行\r\n第二行", "正文", "<p>正文</p>", "key-1")
    assert message["X-Hotline-Key"] == "key-1" and message["To"] == "a@corp.cn"
    assert message["Subject"] == "证书已撤销。原因：第一行 第二行"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
