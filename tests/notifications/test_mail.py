"""E-mail against a real SMTP server (aiosmtpd, tests/smtpserver.py): once, in the recipient's
language, muted kinds left out, digests, retried while the server is down, and exactly once
when two worker processes run at the same time."""
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest

from webapp.certification import services as certification
from webapp.certification.services import utc_start_of
from webapp.extensions import db
from webapp.notifications import services
from webapp.notifications.kinds import Kind
from webapp.notifications.mail import SmtpSettings
from webapp.notifications.models import Notification, NotificationSettings

from tests.conftest import ROOT
from tests.notifications.queue import run_jobs

BASE_URL = "https://academy.example.cn"
WORKER_SECONDS = 120
#: Per worker: a burst runs what is due when it starts. The worker whose first burst ran the scan
#: (which stored the notification and queued its mail) sends the mail in its second, unless the
#: other worker's second burst took it first.
BURSTS = 2


@pytest.fixture
def app(make_app, mailbox):
    app = make_app(SMTP=SmtpSettings(host="127.0.0.1", port=mailbox.port, sender="academy@example.cn"),
                   PUBLIC_BASE_URL=BASE_URL)
    with app.app_context():
        yield app


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def to(mailbox, address: str) -> list:
    return [message for message in mailbox.messages() if message["To"] == address]


def with_email(make_user, address: str, language: str = "", **options):
    user = make_user(**options)
    user.email, user.language = address, language
    db.session.commit()
    return user


def test_expiry_reminder_mailed_once_in_the_recipients_language(app, mailbox, make_user, make_certificate, today):
    chinese = with_email(make_user, "zhang@example.cn")
    english = with_email(make_user, "li@example.cn", language="en")
    for user in (chinese, english):
        make_certificate(user, today + timedelta(days=20))
    run_jobs()
    run_jobs(now=utc_start_of(today) + timedelta(hours=23))  # the hourly scan again: nothing new
    [zh], [en] = to(mailbox, chinese.email), to(mailbox, english.email)
    assert "10000号客服代表" in zh["Subject"] and "10000号客服代表" in text_of(zh)
    assert en["Subject"] == f"Your certificate for 10000 hotline agent expires on {today + timedelta(days=20)}: renew it in time."
    certificate_url = f"{BASE_URL}/certification/certificates/"
    assert certificate_url in text_of(en) and f'href="{certificate_url}' in html_of(en)
    assert f"{BASE_URL}/notifications/settings" in text_of(en)
    assert 'lang="en"' in html_of(en) and 'lang="zh-CN"' in html_of(zh)
    assert db.session.scalar(db.select(db.func.count()).where(Notification.emailed_at.is_not(None))) == 2


def test_user_data_is_never_markup_in_the_mail(app, mailbox, make_user, post, make_certificate, today):
    trainee, hr = with_email(make_user, "wang@example.cn", language="en"), make_user(role="hr")
    certificate = make_certificate(trainee, today + timedelta(days=300))
    certification.revoke_certificate(certificate, hr, '<b onclick="x()">cheating</b> & more')
    db.session.commit()
    run_jobs()
    [message] = to(mailbox, trainee.email)
    assert "&lt;b onclick=&#34;x()&#34;&gt;cheating&lt;/b&gt; &amp; more" in html_of(message)
    assert '<b onclick="x()">cheating</b> & more' in text_of(message)


def test_muted_kinds_are_not_mailed_but_mandatory_ones_are(app, mailbox, make_user, post, make_certificate, today):
    trainee = with_email(make_user, "zhao@example.cn", language="en")
    db.session.add(NotificationSettings(user_id=trainee.id, muted=[Kind.CERTIFICATE_ISSUED], daily_digest=False))
    certificate = make_certificate(trainee, today + timedelta(days=300))
    services.on_certificate_issued(app, certificate=certificate)
    certification.assign_post(trainee, post, None, None)
    db.session.commit()
    run_jobs()
    assert [m["Subject"] for m in to(mailbox, trainee.email)] == ["You have been assigned the post 10000 hotline agent."]
    assert services.unread_count(trainee.id) == 2  # both still in the app


def test_daily_digest_collects_the_days_notifications(app, mailbox, make_user, make_certificate, today):
    trainee = with_email(make_user, "sun@example.cn", language="en")
    db.session.add(NotificationSettings(user_id=trainee.id, muted=[Kind.CERTIFICATE_EXPIRING], daily_digest=True))
    for cycle in (1, 2):
        certificate = make_certificate(trainee, today + timedelta(days=300), cycle=cycle)
        services.on_certificate_issued(app, certificate=certificate)
    services.notify(trainee.id, Kind.CERTIFICATE_EXPIRING, "certificate:1", 30, post="hotline-agent", until="2027-01-01")
    services.notify(trainee.id, Kind.CERTIFICATE_REVOKED, "certificate:2", post="hotline-agent", reason="x")
    db.session.commit()
    run_jobs()
    assert to(mailbox, trainee.email) == []  # nothing at once
    tomorrow = utc_start_of(today + timedelta(days=1)) + timedelta(hours=1)
    run_jobs(now=tomorrow)
    run_jobs(now=tomorrow + timedelta(hours=2))
    [digest] = to(mailbox, trainee.email)
    assert digest["Subject"] == f"Hotline Academy: your notifications of {today}"
    text = text_of(digest)
    assert text.count("has been issued") == 2 and "has been revoked" in text and "expires on" not in text


def test_mail_server_down_the_mail_is_retried_and_arrives(app, mailbox, make_user, make_certificate, today):
    trainee = with_email(make_user, "zhou@example.cn", language="en")
    certificate = make_certificate(trainee, today + timedelta(days=300))
    services.on_certificate_issued(app, certificate=certificate)
    db.session.commit()
    mailbox.stop()
    try:
        run_jobs()
        later = utc_start_of(today) + timedelta(hours=23, minutes=59)
        run_jobs(now=later)
    finally:
        mailbox.start()
    notification = db.session.scalars(db.select(Notification)).one()
    assert notification.emailed_at is None and to(mailbox, trainee.email) == []
    run_jobs(now=utc_start_of(today) + timedelta(days=2))
    assert len(to(mailbox, trainee.email)) == 1
    db.session.refresh(notification)
    assert notification.emailed_at is not None


def test_two_worker_processes_mail_the_expiry_reminder_once(app, mailbox, database_url, make_user, make_certificate,
                                                            today):
    """Two worker processes (``flask jobs work --burst``, again and again, side by side) on one
    database and one mail server: the scan, the notification and the mail each happen once."""
    trainee = with_email(make_user, "wu@example.cn")
    trainee_id = trainee.id
    make_certificate(trainee, today + timedelta(days=6))
    db.session.remove()  # the workers are on their own
    environment = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                   "HOTLINE_SMTP_HOST": "127.0.0.1", "HOTLINE_SMTP_PORT": str(mailbox.port),
                   "HOTLINE_SMTP_FROM": "academy@example.cn", "HOTLINE_PUBLIC_BASE_URL": BASE_URL}
    deadline = time.monotonic() + WORKER_SECONDS
    failures = []

    def worker() -> None:
        # a burst runs what is due when it starts; what it queues (the mail) is due at the next
        for _burst in range(BURSTS):
            done = subprocess.run([sys.executable, "-m", "flask", "jobs", "work", "--burst"], cwd=ROOT,
                                  env=environment, capture_output=True, text=True,
                                  timeout=max(1, deadline - time.monotonic()))
            if done.returncode:
                failures.append(done.stdout + done.stderr)

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert failures == []
    [message] = to(mailbox, "wu@example.cn")
    assert "10000号客服代表" in message["Subject"]
    [notification] = db.session.scalars(db.select(Notification)).all()
    assert (notification.user_id, notification.kind, notification.key.rsplit(":", 1)[1]) == \
        (trainee_id, Kind.CERTIFICATE_EXPIRING, "7")
    assert notification.emailed_at is not None
