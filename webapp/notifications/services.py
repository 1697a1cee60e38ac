"""Notifications: created from domain events and periodic scans, shown in the app, mailed.

Everything that leaves the request goes through background jobs (webapp.jobs), each with a unique
key, so that several app nodes and workers never create or mail the same thing twice:

    certificate issued/revoked, verdict ─notify()─▶ job "notifications.create", key notify:<key> ─┐
    posts assigned (a roster: thousands) ─▶ job "notifications.assigned" per 1,000 assignments ──┤
    hourly scan "notifications.reminders" (expiries, due dates) ─────────────────────────────────┤
      store(): Notification rows (unique key) ─▶ job "notifications.mail", key mail:<key> ◀──────┘
    hourly "notifications.digests" ─▶ job "notifications.digest", key digest:<user>:<day>

A mail handler that fails (SMTP server down) raises, and the job is retried later; it records the
send (``emailed_at``) in the commit that finishes the job. Handlers do not commit: the queue
commits what a handler wrote together with the job's completion.
"""
from datetime import date, datetime, timedelta

from flask import current_app, g, render_template, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func
from sqlalchemy.orm import aliased

from webapp import jobs
from webapp.accounts.models import User
from webapp.certification.models import Certificate, Post, PostAssignment
from webapp.certification.services import local_date, local_datetime, utc_start_of
from webapp.clock import utcnow
from webapp.extensions import db

from . import mail
from .kinds import (DUE_THRESHOLDS, EXPIRED_LOOKBACK_DAYS, EXPIRY_THRESHOLDS, OPTIONAL, Kind,
                    due_threshold, expiry_reminder, mailed, mailed_at_once, notification_key, parse_subject, subject)
from .models import Notification, NotificationSettings

CREATE_JOB, ASSIGNED_JOB = "notifications.create", "notifications.assigned"
MAIL_JOB, DIGEST_JOB = "notifications.mail", "notifications.digest"
#: With the queue's back-off (5 s doubling, then hourly) 48 tries cover two days of a mail
#: server being down: nothing is lost to an outage.
MAIL_TRIES = 48
#: Assignments per job when a roster assigns a post to thousands of trainees at once, and keys
#: per IN (...) query.
ASSIGNED_CHUNK = STORE_CHUNK = 1000
PER_PAGE = 20


# --- creating ---------------------------------------------------------------------------------

def notify(user_id: int, kind: Kind, about: str, threshold: int = 0, **params) -> None:
    """Queue the notification in the caller's transaction (no commit). Queuing the same (user,
    kind, subject, threshold) again does nothing."""
    wanted = news(user_id, kind, about, threshold, **params)
    jobs.enqueue(CREATE_JOB, {"notifications": [wanted]}, key=f"notify:{_key_of(wanted)}")


def news(user_id: int, kind: Kind, about: str, threshold: int = 0, **params) -> dict:
    """A notification to store, as a JSON-able dict (a job's payload)."""
    return {"user_id": user_id, "kind": str(kind), "subject": about, "threshold": threshold, "params": params}


def _key_of(wanted: dict) -> str:
    return notification_key(wanted["user_id"], Kind(wanted["kind"]), wanted["subject"], wanted["threshold"])


def store(notifications: list[dict]) -> None:
    """Store the notifications not stored yet (a job that lost its lease, a scan repeated) and
    queue the e-mail of each. No commit."""
    wanted = {_key_of(item): item for item in notifications}
    keys = list(wanted)
    stored = {key for start in range(0, len(keys), STORE_CHUNK) for key in db.session.scalars(
        db.select(Notification.key).where(Notification.key.in_(keys[start:start + STORE_CHUNK])))}
    created = [Notification(user_id=item["user_id"], kind=item["kind"], subject=item["subject"], key=key,
                            params=item["params"]) for key, item in wanted.items() if key not in stored]
    db.session.add_all(created)
    db.session.flush()
    if smtp_settings() is not None:
        for notification in created:
            jobs.enqueue(MAIL_JOB, {"notification_id": notification.id}, key=f"mail:{notification.key}")


@jobs.handler(CREATE_JOB)
def create_notifications(payload: dict) -> None:
    store(payload["notifications"])


@jobs.handler(ASSIGNED_JOB)
def notify_assigned(payload: dict) -> None:
    assignments = db.session.scalars(db.select(PostAssignment).where(PostAssignment.id.in_(payload["assignment_ids"])))
    store([_assigned(assignment) for assignment in assignments])


def _assigned(assignment: PostAssignment) -> dict:
    due = assignment.due_date.isoformat() if assignment.due_date else ""
    return news(assignment.user_id, Kind.ASSIGNMENT_GIVEN, subject("assignment", assignment.id, due or "open"),
                post=assignment.post_id, due=due)


# --- receivers of the domain events (inside the emitting transaction: queue only) ---------------

def on_post_assigned(sender, assignment_ids: list[int], **_extra) -> None:
    """A roster import assigns up to 100,000 posts in one event: one job per chunk, not per row."""
    for start in range(0, len(assignment_ids), ASSIGNED_CHUNK):
        jobs.enqueue(ASSIGNED_JOB, {"assignment_ids": assignment_ids[start:start + ASSIGNED_CHUNK]})


def on_certificate_issued(sender, certificate: Certificate, **_extra) -> None:
    notify(certificate.user_id, Kind.CERTIFICATE_ISSUED, subject("certificate", certificate.id),
           post=certificate.post_id, until=certificate.valid_until.isoformat())


def on_certificate_revoked(sender, certificate: Certificate, reason: str = "", **_extra) -> None:
    notify(certificate.user_id, Kind.CERTIFICATE_REVOKED, subject("certificate", certificate.id),
           post=certificate.post_id, reason=reason)


def on_verdict_overridden(sender, call, **_extra) -> None:
    """A trainer may change several verdicts of one call in a sitting: one notification a day."""
    notify(call.user_id, Kind.VERDICT_OVERRIDDEN, subject("call", call.id, local_date(utcnow()).isoformat()))


# --- periodic scans ---------------------------------------------------------------------------

@jobs.periodic("notifications.reminders", every=timedelta(hours=1))
def remind(now: datetime) -> None:
    """Certificates that crossed 30 / 7 days before expiry or expired, and due dates 7 / 1 days
    away, stored at once (one job per period runs this, on one worker). A scan that runs again (next
    hour, a lease that ran out) stores nothing new: the keys repeat."""
    today = local_date(now)
    found = []
    for certificate in _current_certificates(today - timedelta(days=EXPIRED_LOOKBACK_DAYS),
                                             today + timedelta(days=max(EXPIRY_THRESHOLDS))):
        reminder = expiry_reminder(certificate.valid_until, today)
        if reminder is not None:
            found.append(news(certificate.user_id, reminder.kind, subject("certificate", certificate.id),
                              reminder.threshold, post=certificate.post_id, until=certificate.valid_until.isoformat()))
    for assignment in _uncertified_assignments_due(today, today + timedelta(days=max(DUE_THRESHOLDS))):
        threshold = due_threshold(assignment.due_date, today)
        if threshold is not None:
            due = assignment.due_date.isoformat()
            found.append(news(assignment.user_id, Kind.DUE_SOON, subject("assignment", assignment.id, due), threshold,
                              post=assignment.post_id, due=due))
    store(found)


def _current_certificates(first: date, last: date) -> list[Certificate]:
    """Unrevoked certificates of active users, not superseded by a later cycle (a renewal), whose
    last valid day lies in [first, last]."""
    later = aliased(Certificate)
    return list(db.session.scalars(
        db.select(Certificate).join(User, User.id == Certificate.user_id)
        .where(User.active.is_(True), Certificate.revoked_at.is_(None), Certificate.valid_until.between(first, last),
               ~exists().where(later.user_id == Certificate.user_id, later.post_id == Certificate.post_id,
                               later.cycle > Certificate.cycle))
        .order_by(Certificate.id)))


def _uncertified_assignments_due(first: date, last: date) -> list[PostAssignment]:
    """Assignments of active users due in [first, last] whose holder has no valid certificate."""
    return list(db.session.scalars(
        db.select(PostAssignment).join(User, User.id == PostAssignment.user_id)
        .where(User.active.is_(True), PostAssignment.due_date.between(first, last),
               ~exists().where(Certificate.user_id == PostAssignment.user_id,
                               Certificate.post_id == PostAssignment.post_id,
                               Certificate.revoked_at.is_(None), Certificate.valid_until >= first))
        .order_by(PostAssignment.id)))


# --- the in-app centre ------------------------------------------------------------------------

def unread_count(user_id: int) -> int:
    return db.session.scalar(db.select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)))


def unread_count_of_user():
    """The unread count as a scalar subquery of ``users``: the user loader reads it with the user."""
    return (db.select(func.count()).select_from(Notification)
            .where(Notification.user_id == User.id, Notification.read_at.is_(None)).scalar_subquery())


def unread_count_once(user_id: int) -> int:
    """The header's count, asked once per request however often the page shows it (the user
    loader has usually read it already)."""
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(user_id)
    return g.unread_notifications


def notifications_query(user_id: int):
    return db.select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc())


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed. No commit."""
    query = db.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount


# --- settings ---------------------------------------------------------------------------------

def settings_of(user_id: int) -> NotificationSettings:
    return db.session.get(NotificationSettings, user_id) or NotificationSettings(user_id=user_id, muted=[],
                                                                                  daily_digest=False)


def save_settings(user: User, mailed_kinds: list[str], daily_digest: bool, language: str) -> None:
    """No commit. Mandatory kinds are always mailed, whatever the form sent."""
    settings = db.session.get(NotificationSettings, user.id) or NotificationSettings(user_id=user.id)
    db.session.add(settings)
    settings.muted = [str(kind) for kind in OPTIONAL if kind not in mailed_kinds]
    settings.daily_digest = daily_digest
    user.language = language


def current_language() -> str:
    """The LANGUAGES code of this request's interface."""
    return "en" if get_locale().language == "en" else "zh_CN"


def language_of(user: User) -> str:
    return user.language if user.language in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


# --- texts and links (in the active locale) ---------------------------------------------------

def post_titles(language: str) -> dict[str, str]:
    return {post.id: post.title_for("en" if language == "en" else "zh") for post in db.session.scalars(db.select(Post))}


def headline(notification: Notification, titles: dict[str, str]) -> str:
    params = notification.params or {}
    post = titles.get(params.get("post", ""), params.get("post", ""))
    match notification.kind:
        case Kind.ASSIGNMENT_GIVEN if params.get("due"):
            return _("You have been assigned the post %(post)s; certify by %(due)s.", post=post, due=params["due"])
        case Kind.ASSIGNMENT_GIVEN:
            return _("You have been assigned the post %(post)s.", post=post)
        case Kind.DUE_SOON:
            return _("Certification for %(post)s is due on %(due)s.", post=post, due=params.get("due", ""))
        case Kind.VERDICT_OVERRIDDEN:
            return _("A trainer reviewed one of your role-play calls and changed a verdict.")
        case Kind.CERTIFICATE_ISSUED:
            return _("Your certificate for %(post)s has been issued, valid until %(until)s.",
                     post=post, until=params.get("until", ""))
        case Kind.CERTIFICATE_EXPIRING:
            return _("Your certificate for %(post)s expires on %(until)s: renew it in time.",
                     post=post, until=params.get("until", ""))
        case Kind.CERTIFICATE_EXPIRED:
            return _("Your certificate for %(post)s expired on %(until)s.", post=post, until=params.get("until", ""))
        case Kind.CERTIFICATE_REVOKED:
            return _("Your certificate for %(post)s has been revoked. Reason: %(reason)s",
                     post=post, reason=params.get("reason", ""))
    return notification.kind


def kind_label(kind: str) -> str:
    return {
        Kind.ASSIGNMENT_GIVEN: _("A post is assigned to me"),
        Kind.DUE_SOON: _("A due date is 7 days and 1 day away"),
        Kind.VERDICT_OVERRIDDEN: _("A trainer changes a verdict on my role-play call"),
        Kind.CERTIFICATE_ISSUED: _("A certificate is issued to me"),
        Kind.CERTIFICATE_EXPIRING: _("My certificate expires in 30 days and in 7 days"),
        Kind.CERTIFICATE_EXPIRED: _("My certificate has expired"),
        Kind.CERTIFICATE_REVOKED: _("My certificate is revoked"),
    }[Kind(kind)]


def link_for(notification: Notification, external: bool = False) -> str | None:
    about = parse_subject(notification.subject)
    if about is None:
        return None
    thing, thing_id = about
    if thing == "certificate":
        return url_for("certification.certificate", certificate_id=thing_id, _external=external)
    if thing == "call":
        return url_for("roleplay.scorecard", call_id=thing_id, _external=external)
    if thing == "assignment":
        return url_for("certification.dashboard", _external=external)
    return None


# --- e-mail -----------------------------------------------------------------------------------

def smtp_settings() -> mail.SmtpSettings | None:
    return current_app.config.get("SMTP")


@jobs.handler(MAIL_JOB, tries=MAIL_TRIES)
def mail_notification(payload: dict) -> None:
    notification = db.session.get(Notification, payload["notification_id"])
    if notification is None or notification.emailed_at is not None:
        return
    user = db.session.get(User, notification.user_id)
    settings = settings_of(user.id)
    if not (user.active and user.email
            and mailed_at_once(Kind(notification.kind), frozenset(settings.muted), settings.daily_digest)):
        return  # muted, or waiting for the digest, or nowhere to send it
    _send(user, [notification], notification.key, digest_day=None)
    notification.emailed_at = utcnow()  # committed by the queue with the job's completion


@jobs.periodic("notifications.digests", every=timedelta(hours=1))
def queue_digests(now: datetime) -> None:
    """After midnight (academy time), one digest per subscriber with news from before today."""
    today = local_date(now)
    day = (today - timedelta(days=1)).isoformat()
    subscribers = db.session.scalars(
        db.select(Notification.user_id).join(NotificationSettings, NotificationSettings.user_id == Notification.user_id)
        .where(NotificationSettings.daily_digest.is_(True), Notification.emailed_at.is_(None),
               Notification.created_at < utc_start_of(today)).distinct())
    for user_id in subscribers:
        jobs.enqueue(DIGEST_JOB, {"user_id": user_id, "day": day}, key=f"digest:{user_id}:{day}")


@jobs.handler(DIGEST_JOB, tries=MAIL_TRIES)
def mail_digest(payload: dict) -> None:
    user = db.session.get(User, payload["user_id"])
    settings = settings_of(user.id)
    if not (user.active and user.email and settings.daily_digest):
        return
    day = date.fromisoformat(payload["day"])
    muted = frozenset(settings.muted)
    collected = [notification for notification in db.session.scalars(
        db.select(Notification).where(Notification.user_id == user.id, Notification.emailed_at.is_(None),
                                      Notification.created_at < utc_start_of(day + timedelta(days=1)))
        .order_by(Notification.id)) if mailed(Kind(notification.kind), muted)]
    if not collected:
        return
    _send(user, collected, f"digest:{user.id}:{day.isoformat()}", digest_day=day)
    sent_at = utcnow()
    for notification in collected:
        notification.emailed_at = sent_at


def _send(user: User, notifications: list[Notification], key: str, digest_day: date | None) -> None:
    """Render in the recipient's language (plain text and HTML, both from autoescaped or plain
    templates: user data is never markup) and hand to the SMTP server; raises when it is down."""
    settings = smtp_settings()
    language = language_of(user)
    # Links need the site's public address; a worker has no request to take it from.
    base_url = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    with current_app.test_request_context(base_url=base_url or None), force_locale(language):
        titles = post_titles(language)
        items = [{"text": headline(notification, titles), "url": base_url and link_for(notification, external=True),
                  "at": local_datetime(notification.created_at)} for notification in notifications]
        if digest_day is None:
            subject_line = items[0]["text"]
        else:
            subject_line = _("Hotline Academy: your notifications of %(day)s", day=digest_day.isoformat())
        context = {"user": user, "items": items, "digest_day": digest_day,
                   "settings_url": base_url and url_for("notifications.settings", _external=True)}
        message = mail.compose(settings, _("Hotline Academy"), user.email, subject_line,
                               render_template("notifications/mail.txt", **context),
                               render_template("notifications/mail.html", **context), key)
    mail.send(settings, message)
