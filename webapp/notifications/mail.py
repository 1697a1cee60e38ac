"""Sending one e-mail through SMTP (smtplib). Pure: no Flask, no database.

Configured by environment variables; without HOTLINE_SMTP_HOST nothing is mailed and
notifications stay in-app.
"""
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

TLS_MODES = ("off", "starttls", "ssl")
TIMEOUT_SECONDS = 30


class MailSettingsError(ValueError):
    """An SMTP variable has a value that cannot work; the message names it."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    tls: str = "off"  # one of TLS_MODES

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "SmtpSettings | None":
        host = environ.get("HOTLINE_SMTP_HOST", "").strip()
        if not host:
            return None
        tls = environ.get("HOTLINE_SMTP_TLS", "off").strip().lower() or "off"
        tls = {"0": "off", "no": "off", "false": "off", "1": "starttls", "yes": "starttls", "true": "starttls"}.get(tls, tls)
        if tls not in TLS_MODES:
            raise MailSettingsError(f"HOTLINE_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
        default_port = {"off": 25, "starttls": 587, "ssl": 465}[tls]
        port_text = environ.get("HOTLINE_SMTP_PORT", "").strip()
        if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
            raise MailSettingsError(f"HOTLINE_SMTP_PORT must be a port number, not {port_text!r}")
        return cls(host=host, port=int(port_text) if port_text else default_port,
                   sender=environ.get("HOTLINE_SMTP_FROM", "").strip() or f"hotline-academy@{host}",
                   user=environ.get("HOTLINE_SMTP_USER", ""), password=environ.get("HOTLINE_SMTP_PASSWORD", ""),
                   tls=tls)


def compose(settings: SmtpSettings, sender_name: str, recipient: str, subject: str, text: str, html: str,
            key: str) -> EmailMessage:
    """A plain-text message with an HTML alternative. ``key`` (the notification's unique key) goes
    into a header so a duplicate, should one ever be delivered, can be recognised."""
    message = EmailMessage()
    message["From"] = formataddr((sender_name, settings.sender))
    message["To"] = recipient
    message["Subject"] = " ".join(subject.split())  # a reason typed on several lines: headers are one line
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message["X-Hotline-Key"] = key
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver or raise (OSError, smtplib.SMTPException): the caller's job is then retried."""
    if settings.tls == "ssl":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    with client:
        if settings.tls == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.user:
            client.login(settings.user, settings.password)
        client.send_message(message)
