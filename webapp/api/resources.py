"""What the HR API lists: each function takes checked filters and a page position and returns
(items as JSON-able dicts with stable field names, the last id on the page or None at the end).

Every list is ordered by its table's id: ids only grow, so a cursor ("after id N") stays valid
while rows are added, and a page never repeats or skips an item."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, false, or_

from webapp.accounts.models import User
from webapp.api.models import Webhook, WebhookDelivery
from webapp.certification.models import Certificate, PostAssignment
from webapp.certification.services import definition_of, posts_in_order
from webapp.extensions import db
from webapp.hr.services import RosterFilters, roster_entries
from webapp.quizzes.models import GRADED, Attempt, Quiz
from webapp.roleplay.models import Call, ScenarioVersion
from webapp.roleplay.services import call_result

ENDED_CALL_STATES = ("finished", "failed")
RECENT_DELIVERIES = 20


@dataclass(frozen=True)
class Filters:
    department: str = ""
    post: str = ""
    status: str = ""
    quiz: str = ""
    scenario: str = ""
    passed: bool | None = None
    updated_since: datetime | None = None


def _time(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment else None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _user_ref(user: User) -> dict:
    return {"id": user.id, "employee_no": user.employee_no, "name": user.name, "department": user.department}


def _page(query, key, after: int, limit: int):
    rows = db.session.execute(query.where(key > after).order_by(key).limit(limit + 1)).all()
    return rows[:limit], len(rows) > limit


def _last_id(items: list[dict], more: bool) -> int | None:
    return items[-1]["id"] if more else None


# --- roster --------------------------------------------------------------------------------------

def roster(filters: Filters, after: int, limit: int, today: date) -> tuple[list[dict], int | None]:
    query = db.select(User)
    if filters.department:
        query = query.where(User.department == filters.department)
    if filters.post:
        query = query.where(exists().where(PostAssignment.user_id == User.id, PostAssignment.post_id == filters.post))
    if filters.updated_since:
        since = filters.updated_since
        query = query.where(or_(
            User.created_at >= since,
            exists().where(PostAssignment.user_id == User.id, PostAssignment.assigned_at >= since),
            exists().where(Certificate.user_id == User.id,
                           or_(Certificate.issued_at >= since, Certificate.revoked_at >= since)),
        ))
    rows, more = _page(query, User.id, after, limit)
    users = [row[0] for row in rows]
    posts: dict[int, list[dict]] = {user.id: [] for user in users}
    if users:
        scope = RosterFilters(user_ids=tuple(posts), post=filters.post)
        for entry in roster_entries(scope, today):
            posts[entry.user_id].append({
                "post_id": entry.post_id, "post_title": entry.post_title, "assigned_at": None,
                "due_date": _day(entry.due_date), "status": entry.state.value,
                "certificate_id": entry.certificate_id, "assignment_id": entry.assignment_id})
        assigned_at = dict(db.session.execute(db.select(PostAssignment.id, PostAssignment.assigned_at)
                                              .where(PostAssignment.user_id.in_(posts))).all())
        for assignments in posts.values():
            for assignment in assignments:
                assignment["assigned_at"] = _time(assigned_at[assignment.pop("assignment_id")])
    items = [{"id": user.id, "employee_no": user.employee_no, "name": user.name, "department": user.department,
              "team": user.team, "role": user.role, "active": user.active, "created_at": _time(user.created_at),
              "posts": posts[user.id]} for user in users]
    return items, _last_id(items, more)


# --- certificates --------------------------------------------------------------------------------

def renewal_windows() -> dict[str, int]:
    """Days before ``valid_until`` at which each post's renewal window opens."""
    return {post.id: definition_of(post).recertification_window_days for post in posts_in_order()}


def certificate_status(certificate: Certificate, today: date, window_days: int) -> str:
    if certificate.revoked_at is not None:
        return "revoked"
    if today > certificate.valid_until:
        return "expired"
    return "expiring" if today >= certificate.valid_until - timedelta(days=window_days) else "valid"


def _status_condition(status: str, today: date, windows: dict[str, int]):
    """``certificate_status`` as SQL (the window differs per post)."""
    current = and_(Certificate.revoked_at.is_(None), Certificate.valid_until >= today)

    def in_window(post_id: str, days: int):
        return and_(Certificate.post_id == post_id, Certificate.valid_until <= today + timedelta(days=days))

    expiring = or_(false(), *(in_window(post_id, days) for post_id, days in windows.items()))
    return {
        "revoked": Certificate.revoked_at.is_not(None),
        "expired": and_(Certificate.revoked_at.is_(None), Certificate.valid_until < today),
        "expiring": and_(current, expiring),
        "valid": and_(current, ~expiring),
    }[status]


def certificate_json(certificate: Certificate, status: str, verify_url_prefix: str) -> dict:
    return {
        "id": certificate.id, "number": certificate.number, "user": _user_ref(certificate.user),
        "post_id": certificate.post_id, "post_title": certificate.post.title_zh, "cycle": certificate.cycle,
        "status": status, "issued_at": _time(certificate.issued_at), "valid_until": _day(certificate.valid_until),
        "revoked_at": _time(certificate.revoked_at), "revocation_reason": certificate.revocation_reason,
        "verification_code": certificate.code, "verify_url": verify_url_prefix + certificate.code,
        "exam_score": certificate.exam_score, "roleplay_average": certificate.roleplay_average,
    }


def certificates(filters: Filters, after: int, limit: int, today: date,
                 verify_url_prefix: str) -> tuple[list[dict], int | None]:
    windows = renewal_windows()
    query = db.select(Certificate).join(User, User.id == Certificate.user_id)
    if filters.department:
        query = query.where(User.department == filters.department)
    if filters.post:
        query = query.where(Certificate.post_id == filters.post)
    if filters.status:
        query = query.where(_status_condition(filters.status, today, windows))
    if filters.updated_since:
        query = query.where(or_(Certificate.issued_at >= filters.updated_since,
                                Certificate.revoked_at >= filters.updated_since))
    rows, more = _page(query, Certificate.id, after, limit)
    items = [certificate_json(certificate, certificate_status(certificate, today, windows.get(certificate.post_id, 0)),
                              verify_url_prefix) for certificate, in rows]
    return items, _last_id(items, more)


# --- quiz attempts and role-play calls -------------------------------------------------------------

def _results_filtered(query, filters: Filters, passed, ended_at):
    """The filters quiz attempts and role-play calls share (the query joins User)."""
    if filters.department:
        query = query.where(User.department == filters.department)
    if filters.passed is not None:
        query = query.where(passed == filters.passed)
    if filters.updated_since:
        query = query.where(ended_at >= filters.updated_since)
    return query


def quiz_attempts(filters: Filters, after: int, limit: int) -> tuple[list[dict], int | None]:
    query = (db.select(Attempt, User, Quiz).join(User, User.id == Attempt.user_id)
             .join(Quiz, Quiz.id == Attempt.quiz_id).where(Attempt.state == GRADED))
    if filters.quiz:
        query = query.where(Attempt.quiz_id == filters.quiz)
    rows, more = _page(_results_filtered(query, filters, Attempt.passed, Attempt.graded_at), Attempt.id, after, limit)
    items = [{"id": attempt.id, "user": _user_ref(user), "quiz_id": quiz.id, "quiz_title": quiz.title_zh,
              "number": attempt.number, "started_at": _time(attempt.started_at), "graded_at": _time(attempt.graded_at),
              "score": attempt.score, "pass_mark": attempt.pass_mark, "passed": attempt.passed}
             for attempt, user, quiz in rows]
    return items, _last_id(items, more)


def _criteria(call: Call) -> list[dict]:
    return [{"turn": turn.index, "key": criterion.key, "label": criterion.label, "kind": criterion.kind,
             "passed": criterion.passed, "machine_passed": criterion.machine_passed}
            for turn in call_result(call).turns for criterion in turn.criteria]


def roleplay_results(filters: Filters, after: int, limit: int) -> tuple[list[dict], int | None]:
    query = (db.select(Call, User, ScenarioVersion.scenario_id).join(User, User.id == Call.user_id)
             .join(ScenarioVersion, ScenarioVersion.id == Call.scenario_version_id)
             .where(Call.state.in_(ENDED_CALL_STATES)))
    if filters.scenario:
        query = query.where(ScenarioVersion.scenario_id == filters.scenario)
    rows, more = _page(_results_filtered(query, filters, Call.passed, Call.finished_at), Call.id, after, limit)
    items = [{"id": call.id, "user": _user_ref(user), "scenario_id": scenario_id, "mode": call.mode,
              "state": call.state, "started_at": _time(call.started_at), "finished_at": _time(call.finished_at),
              "score": call.score, "passed": call.passed, "critical": call.critical, "criteria": _criteria(call)}
             for call, user, scenario_id in rows]
    return items, _last_id(items, more)


# --- webhooks --------------------------------------------------------------------------------------

def delivery_json(delivery: WebhookDelivery) -> dict:
    return {"id": delivery.id, "event": delivery.event, "state": delivery.state, "attempts": delivery.attempts,
            "last_status": delivery.last_status, "last_error": delivery.last_error,
            "created_at": _time(delivery.created_at), "delivered_at": _time(delivery.delivered_at)}


def recent_deliveries(webhook_id: int, count: int = RECENT_DELIVERIES) -> list[WebhookDelivery]:
    return list(db.session.scalars(db.select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
                                   .order_by(WebhookDelivery.id.desc()).limit(count)))


def webhooks(after: int, limit: int) -> tuple[list[dict], int | None]:
    rows, more = _page(db.select(Webhook), Webhook.id, after, limit)
    items = [{"id": hook.id, "url": hook.url, "events": hook.events, "active": hook.active,
              "created_at": _time(hook.created_at),
              "recent_deliveries": [delivery_json(d) for d in recent_deliveries(hook.id)]} for hook, in rows]
    return items, _last_id(items, more)
