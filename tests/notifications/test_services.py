"""Notifications created from events and periodic scans, on the real database and job queue
(no SMTP configured here: in-app only)."""
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask_babel import force_locale

from webapp import registry
from webapp.access import Role
from webapp.accounts import importer
from webapp.certification import services as certification
from webapp.certification.services import utc_start_of
from webapp.extensions import db
from webapp.notifications import services
from webapp.notifications.kinds import Kind
from webapp.notifications.models import Notification

from tests.notifications.queue import run_jobs


def notifications(user=None) -> list[tuple[str, str]]:
    query = db.select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return [(n.kind, n.key.rsplit(":", 1)[1]) for n in db.session.scalars(query)]


def late_on(day) -> datetime:
    """The last minute (naive UTC) of that local day: for today, still later than the real now, so
    the jobs that a run queues (due at the real now) are due within the same run."""
    return utc_start_of(day + timedelta(days=1)) - timedelta(minutes=1)


def test_expiry_reminders_at_30_and_7_days_and_expiry_each_once(app, make_user, make_certificate, today):
    user = make_user()
    certificate = make_certificate(user, today + timedelta(days=40))
    run_jobs(now=late_on(today))
    assert notifications() == []
    for days_before in (30, 29, 8):
        run_jobs(now=late_on(certificate.valid_until - timedelta(days=days_before)))
    assert notifications() == [(Kind.CERTIFICATE_EXPIRING, "30")]
    for days_before in (7, 1, 0):
        run_jobs(now=late_on(certificate.valid_until - timedelta(days=days_before)))
    assert notifications() == [(Kind.CERTIFICATE_EXPIRING, "30"), (Kind.CERTIFICATE_EXPIRING, "7")]
    for days_after in (1, 2, 30):
        run_jobs(now=late_on(certificate.valid_until + timedelta(days=days_after)))
    assert notifications() == [(Kind.CERTIFICATE_EXPIRING, "30"), (Kind.CERTIFICATE_EXPIRING, "7"),
                               (Kind.CERTIFICATE_EXPIRED, "0")]
    last = db.session.scalars(db.select(Notification).order_by(Notification.id.desc())).first()
    assert last.subject == f"certificate:{certificate.id}" and last.params["until"] == certificate.valid_until.isoformat()


def test_renewed_revoked_and_inactive_holders_get_no_expiry_reminder(app, make_user, make_certificate, today):
    renewed, revoked, inactive, holder = make_user(), make_user(), make_user(active=False), make_user()
    soon = today + timedelta(days=5)
    make_certificate(renewed, soon)
    make_certificate(renewed, soon + timedelta(days=365), cycle=2)
    make_certificate(revoked, soon).revoked_at = datetime(2026, 1, 1)
    make_certificate(inactive, soon)
    make_certificate(holder, soon)
    db.session.commit()
    run_jobs(now=late_on(today))
    rows = db.session.execute(db.select(Notification.user_id, Notification.kind)).all()
    assert rows == [(holder.id, Kind.CERTIFICATE_EXPIRING)]


def test_due_date_reminders_skip_holders_of_a_valid_certificate(app, make_user, make_assignment, make_certificate,
                                                                   today):
    trainee, certified = make_user(), make_user()
    due = today + timedelta(days=10)
    assignment = make_assignment(trainee, due)
    make_assignment(certified, due)
    make_certificate(certified, today + timedelta(days=300))
    for day in (today, due - timedelta(days=7), due - timedelta(days=3), due - timedelta(days=1), due):
        run_jobs(now=late_on(day))
    assert notifications(trainee) == [(Kind.DUE_SOON, "7"), (Kind.DUE_SOON, "1")]
    assert notifications(certified) == []
    # a new due date is news again
    assignment.due_date = due + timedelta(days=30)
    db.session.commit()
    run_jobs(now=late_on(assignment.due_date - timedelta(days=2)))
    assert notifications(trainee)[-1] == (Kind.DUE_SOON, "7")
    assert len(notifications(trainee)) == 3


def test_assignment_and_revocation_notify_the_trainee(app, make_user, post, make_certificate, today):
    trainee, hr = make_user(), make_user(role=Role.HR)
    certification.assign_post(trainee, post, today + timedelta(days=60), hr)
    db.session.commit()
    certificate = make_certificate(trainee, today + timedelta(days=365))
    certification.revoke_certificate(certificate, hr, "考试作弊")
    db.session.commit()
    run_jobs()
    assert [kind for kind, _threshold in notifications(trainee)] == [Kind.ASSIGNMENT_GIVEN, Kind.CERTIFICATE_REVOKED]
    revoked = db.session.scalars(db.select(Notification).where(Notification.kind == Kind.CERTIFICATE_REVOKED)).one()
    assert revoked.params["reason"] == "考试作弊"
    assert notifications(hr) == []


def test_an_event_rolled_back_notifies_nobody(app, make_user, post, today):
    trainee = make_user()
    certification.assign_post(trainee, post, None, None)
    db.session.rollback()
    run_jobs()
    assert notifications() == []


def test_certificate_issued_event(app, make_user, make_certificate, today):
    trainee = make_user()
    certificate = make_certificate(trainee, today + timedelta(days=365))
    registry.certificate_issued.send(app, certificate=certificate)
    registry.certificate_issued.send(app, certificate=certificate)  # a repeated event is not news twice
    db.session.commit()
    run_jobs()
    assert notifications(trainee) == [(Kind.CERTIFICATE_ISSUED, "0")]


def test_unread_count_and_mark_read(app, make_user, make_certificate, today):
    trainee, other = make_user(), make_user()
    for offset in (1, 2, 3):
        certificate = make_certificate(trainee, today + timedelta(days=365), cycle=offset)
        services.notify(trainee.id, Kind.CERTIFICATE_ISSUED, f"certificate:{certificate.id}")
    services.notify(other.id, Kind.ASSIGNMENT_GIVEN, "assignment:1@open")
    db.session.commit()
    run_jobs()
    assert services.unread_count(trainee.id) == 3
    newest = db.session.scalars(services.notifications_query(trainee.id)).first()
    assert services.mark_read(other.id, newest.id) == 0  # not theirs
    assert services.mark_read(trainee.id, newest.id) == 1
    assert services.unread_count(trainee.id) == 2
    assert services.mark_read(trainee.id) == 2
    assert (services.unread_count(trainee.id), services.unread_count(other.id)) == (0, 1)


def test_texts_in_both_languages(app, make_user, post):
    notification = Notification(user_id=make_user().id, kind=Kind.CERTIFICATE_EXPIRING, subject="certificate:1",
                                key="k", params={"post": post.id, "until": "2027-01-31"})
    with force_locale("en"):
        assert services.headline(notification, services.post_titles("en")) == \
            "Your certificate for 10000 hotline agent expires on 2027-01-31: renew it in time."
    with force_locale("zh_CN"):
        text = services.headline(notification, services.post_titles("zh_CN"))
    assert "10000号客服代表" in text and "2027-01-31" in text


def test_a_roster_assigning_posts_notifies_each_trainee_once(app, post):
    roster = "工号,姓名,部门,岗位,截止日期\nr001,赵一,客服一部,hotline-agent,2027/03/31\nr002,钱二,营业厅,hotline-agent,\n"
    for _again in range(2):  # the same roster again assigns nothing new
        result = importer.import_roster(roster.encode())
        db.session.commit()
        assert result.problems == []
        run_jobs()
    rows = db.session.execute(db.select(Notification.kind, Notification.params).order_by(Notification.id)).all()
    assert rows == [(Kind.ASSIGNMENT_GIVEN, {"post": "hotline-agent", "due": "2027-03-31"}),
                    (Kind.ASSIGNMENT_GIVEN, {"post": "hotline-agent", "due": ""})]


def test_verdicts_changed_on_one_call_in_a_day_are_one_notification(app, make_user):
    trainee = make_user()
    call = SimpleNamespace(id=7, user_id=trainee.id)  # what the receiver reads of the Call
    for _override in range(3):
        registry.verdict_overridden.send(app, call=call, override=None)
    db.session.commit()
    run_jobs()
    [notification] = db.session.scalars(db.select(Notification)).all()
    assert notification.kind == Kind.VERDICT_OVERRIDDEN and notification.subject.startswith("call:7@")
    with app.test_request_context():
        assert services.link_for(notification) == "/roleplay/calls/7/scorecard"
