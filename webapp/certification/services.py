"""Certification with the database: records in, the engine's verdict out, certificates issued
exactly once, revoked, verified. Shared by the views, the CLI, HR and the signal receivers."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp.accounts.models import User
from webapp.audit.services import record
from webapp.clock import utcnow
from webapp.courses.models import CourseModule
from webapp.courses.services import (
    completed_lesson_ids, completed_modules_of, modules_in_order, significantly_changed_lessons,
)
from webapp.extensions import db
from webapp.registry import certificate_issued, certificate_revoked, post_assigned
from webapp.quizzes.models import Quiz
from webapp.quizzes.services import current_quizzes, quiz_results_of
from webapp.roleplay.scenarios import Scenario
from webapp.roleplay.services import current_scenarios, scenario_results_of

from . import engine, standings
from .kind import POSTS_FOLDER
from .models import CODE_LENGTH, Certificate, CertificateEvent, Post, PostAssignment, RequirementOverride
from .pdf import CertificateContent, render_certificate
from .plan import Plan, PostRules, Step, plan
from .posts import PostDefinition, parse_post

VERIFY_PATH = "/verify/"


class CertificationError(Exception):
    """A request the certification rules refuse; the message is shown to the user."""


class CertificateRevoked(CertificationError):
    """A revoked certificate attests nothing: no PDF of it is issued any more."""


def local_today() -> date:
    """Today in the academy's time zone (dates on certificates are local dates)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def local_date(moment: datetime) -> date:
    """The local date of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def utc_start_of(day: date) -> datetime:
    """The stored (naive UTC) moment at which a local day begins: date filters use local days."""
    local = datetime.combine(day, datetime.min.time(), ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return local.astimezone(UTC).replace(tzinfo=None)


def local_datetime(moment: datetime) -> datetime:
    """A stored (naive UTC) moment in the academy's time zone, for display."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def actor_label(user: User | None) -> str:
    return f"{user.employee_no} {user.name}" if user is not None else "system"


# --- post definitions -------------------------------------------------------------------------

@functools.lru_cache(maxsize=128)
def _parsed(path: str, source: str) -> PostDefinition:
    definition, problems = parse_post(path, source)
    if definition is None:  # imported files were validated; a stored source cannot go bad
        raise CertificationError(f"stored post {path} no longer parses: {problems[0]}")
    return definition


def definition_of(post: Post) -> PostDefinition:
    return _parsed((POSTS_FOLDER / f"{post.id}.md").as_posix(), post.current_version.source)


def posts_in_order() -> list[Post]:
    return list(db.session.scalars(db.select(Post).where(Post.current_version_id.is_not(None)).order_by(Post.id)))


# --- records from the other domains (docs/integration.md) ------------------------------------

def trainee_records(user_id: int) -> engine.TraineeRecords:
    return trainee_records_of([user_id])[user_id]


def trainee_records_of(user_ids) -> dict[int, engine.TraineeRecords]:
    """The records of several trainees in a few queries (a roster page shows dozens)."""
    user_ids = list(user_ids)
    modules, quizzes, scenarios = (completed_modules_of(user_ids), quiz_results_of(user_ids),
                                   scenario_results_of(user_ids))
    return {user_id: engine.TraineeRecords(
        modules={module_id: engine.ModuleCompletion(c.module_id, c.completed_at, dict(c.lesson_versions))
                 for module_id, c in modules[user_id].items()},
        quizzes={quiz_id: engine.QuizResult(r.quiz_id, r.best_score, r.passed, r.last_graded_at, r.attempts)
                 for quiz_id, r in quizzes[user_id].items()},
        scenarios={scenario_id: engine.ScenarioResult(r.scenario_id, r.best_score, r.passed, r.critical,
                                                      r.finished_at, tuple(r.tags), r.scenario_hash)
                   for scenario_id, r in scenarios[user_id].items()},
    ) for user_id in user_ids}


def titles(language: str, modules: list[CourseModule] | None = None) -> dict[str, str]:
    """Display titles of what posts refer to: "module:<id>", "lesson:<id>", "quiz:<id>",
    "scenario:<id>" -> title. ``modules``: ``modules_in_order()`` when the caller has read them."""
    modules = modules if modules is not None else modules_in_order()
    found = {engine.module_key(module.id): module.title_for(language) for module in modules}
    found.update({f"lesson:{lesson.id}": lesson.title for module in modules for lesson in module.current_lessons})
    found.update({engine.quiz_key(quiz.id): quiz.title_for(language) for quiz in db.session.scalars(db.select(Quiz))})
    found.update({f"scenario:{scenario.id}": scenario.title(language) for scenario in current_scenarios()})
    return found


# --- events and evaluation --------------------------------------------------------------------

def certificates_of(user_id: int, post_id: str) -> list[Certificate]:
    return list(db.session.scalars(db.select(Certificate).where(
        Certificate.user_id == user_id, Certificate.post_id == post_id).order_by(Certificate.cycle)))


def _significant_changes(certificate: Certificate) -> list[engine.SignificantChange]:
    """Modules whose lessons the holder completed have since changed significantly."""
    changes = []
    for module_id, lesson_versions in certificate.content_versions.get("modules", {}).items():
        module = db.session.get(CourseModule, module_id)
        if module is not None and module.significant_changed_at and significantly_changed_lessons(lesson_versions):
            changes.append(engine.SignificantChange(module_id, module.significant_changed_at))
    return changes


def certificate_events(user_id: int, post_id: str) -> list[engine.CertificateEvent]:
    return _histories(user_id, [post_id])[post_id].events


@dataclass(frozen=True)
class _History:
    """A trainee's certification history on one post: the engine's events and the certificates."""

    events: list[engine.CertificateEvent]
    certificates: list[Certificate]  # by cycle


def _histories(user_id: int, post_ids: list[str]) -> dict[str, _History]:
    """The history of each of the trainee's posts in three queries, however many posts."""
    if not post_ids:
        return {}
    certificates: dict[str, list[Certificate]] = {post_id: [] for post_id in post_ids}
    for certificate in db.session.scalars(db.select(Certificate).where(
            Certificate.user_id == user_id, Certificate.post_id.in_(post_ids)).order_by(Certificate.cycle)):
        certificates[certificate.post_id].append(certificate)
    recertifications: dict[str, list[CertificateEvent]] = {post_id: [] for post_id in post_ids}
    for event in db.session.scalars(db.select(CertificateEvent).where(
            CertificateEvent.user_id == user_id, CertificateEvent.post_id.in_(post_ids),
            CertificateEvent.kind == CertificateEvent.RECERTIFICATION_ASSIGNED)):
        recertifications[event.post_id].append(event)
    overrides: dict[str, list[RequirementOverride]] = {post_id: [] for post_id in post_ids}
    for override in db.session.scalars(_overrides_query(user_id).where(RequirementOverride.post_id.in_(post_ids))):
        overrides[override.post_id].append(override)
    return {post_id: _History(_events(certificates[post_id], recertifications[post_id], overrides[post_id]),
                              certificates[post_id]) for post_id in post_ids}


def _events(certificates: list[Certificate], recertifications: list[CertificateEvent],
            overrides: list[RequirementOverride]) -> list[engine.CertificateEvent]:
    events: list[engine.CertificateEvent] = []
    for certificate in certificates:
        events.append(engine.CertificateIssued(certificate.cycle, certificate.code, certificate.issued_at,
                                               certificate.valid_until, certificate.content_versions))
        if certificate.revoked_at is not None:
            events.append(engine.CertificateRevoked(certificate.cycle, certificate.revoked_at,
                                                    actor_label(certificate.revoked_by),
                                                    certificate.revocation_reason or ""))
    events += [engine.RecertificationAssigned(event.at, actor_label(event.actor)) for event in recertifications]
    events += [engine.RequirementOverridden(override.requirement, override.granted_at,
                                            actor_label(override.granted_by), override.reason)
               for override in overrides if override.active]
    if certificates and certificates[-1].revoked_at is None:
        events += _significant_changes(certificates[-1])
    return events


def overrides_of(user_id: int, post_id: str) -> list[RequirementOverride]:
    """Every override of this trainee's post, revoked ones included (newest first)."""
    return list(db.session.scalars(_overrides_query(user_id).where(RequirementOverride.post_id == post_id)))


def _overrides_query(user_id: int):
    return (db.select(RequirementOverride).where(RequirementOverride.user_id == user_id)
            .order_by(RequirementOverride.granted_at.desc(), RequirementOverride.id.desc()))


def assignment_of(assignment: PostAssignment) -> engine.Assignment:
    return engine.Assignment(assignment.assigned_at, assignment.due_date)


@dataclass(frozen=True)
class AssignedPost:
    assignment: PostAssignment
    definition: PostDefinition
    evaluation: engine.Evaluation
    certificate: Certificate | None  # the latest certificate row

    @property
    def post(self) -> Post:
        return self.assignment.post


def assignments_of(user_id: int) -> list[PostAssignment]:
    return list(db.session.scalars(db.select(PostAssignment).where(PostAssignment.user_id == user_id)
                                   .options(joinedload(PostAssignment.post).joinedload(Post.current_version))
                                   .order_by(PostAssignment.assigned_at, PostAssignment.post_id)))


def assigned_post(assignment: PostAssignment, today: date | None = None,
                  records: engine.TraineeRecords | None = None) -> AssignedPost:
    """One assignment evaluated against the trainee's records."""
    records = records if records is not None else trainee_records(assignment.user_id)
    history = _histories(assignment.user_id, [assignment.post_id])[assignment.post_id]
    return _evaluated(assignment, history, records, today or local_today())


def _evaluated(assignment: PostAssignment, history: _History, records: engine.TraineeRecords,
               today: date) -> AssignedPost:
    definition = definition_of(assignment.post)
    evaluation = engine.evaluate(definition, records, history.events, assignment_of(assignment), today)
    return AssignedPost(assignment, definition, evaluation, history.certificates[-1] if history.certificates else None)


def assigned_posts(user_id: int, today: date | None = None,
                   records: engine.TraineeRecords | None = None) -> list[AssignedPost]:
    """Every post assigned to the trainee, evaluated against their records."""
    today = today or local_today()
    records = records if records is not None else trainee_records(user_id)
    assignments = assignments_of(user_id)
    histories = _histories(user_id, [assignment.post_id for assignment in assignments])
    return [_evaluated(assignment, histories[assignment.post_id], records, today) for assignment in assignments]


def evaluated_posts(user_id: int, today: date | None = None) -> list[AssignedPost]:
    """``assigned_posts`` after issuing what the trainee has earned (pages evaluate on demand, in
    case a signal was missed): evaluated once, and again only when a certificate was due."""
    today = today or local_today()
    records = trainee_records(user_id)
    assigned = assigned_posts(user_id, today, records)
    if any(entry.evaluation.can_issue for entry in assigned):
        _issue_earned(assigned, records, today)
        assigned = assigned_posts(user_id, today, records)
    return assigned


def post_rules(user_id: int, today: date | None = None) -> PostRules:
    """The requirements that apply now for each post assigned to the trainee: the input of the
    pass-mark rule on every quiz and role-play page."""
    today = today or local_today()
    assignments = assignments_of(user_id)
    histories = _histories(user_id, [assignment.post_id for assignment in assignments])
    applicable = {}
    for assignment in assignments:
        definition = definition_of(assignment.post)
        where = engine.standing(definition, histories[assignment.post_id].events, assignment_of(assignment), today)
        applicable[assignment.post_id] = definition.recertification if where.recertifying else definition.requirements
    return PostRules(applicable)


def rules_of(assigned: list[AssignedPost]) -> PostRules:
    """``post_rules`` of posts already evaluated."""
    return PostRules({entry.assignment.post_id: entry.definition.recertification
                      if entry.evaluation.standing.recertifying else entry.definition.requirements
                      for entry in assigned})


@dataclass(frozen=True)
class TraineePlan:
    assigned: AssignedPost
    plan: Plan


def trainee_plans(user_id: int, today: date | None = None, assigned: list[AssignedPost] | None = None,
                  modules: list[CourseModule] | None = None) -> list[TraineePlan]:
    """Every assigned post with its steps in order, the nearest due date first. ``assigned`` and
    ``modules``: ``assigned_posts`` and ``modules_in_order()`` when the caller has them."""
    modules = modules if modules is not None else modules_in_order()
    module_lessons = {module.id: tuple(lesson.id for lesson in module.current_lessons) for module in modules}
    completed = completed_lesson_ids(user_id)
    module_quizzes = set(db.session.scalars(db.select(Quiz.id).where(Quiz.module_id.is_not(None))))
    assigned = assigned if assigned is not None else assigned_posts(user_id, today)
    plans = [TraineePlan(entry, plan(entry.post.id, entry.evaluation, module_lessons, completed, module_quizzes))
             for entry in assigned]
    return sorted(plans, key=lambda entry: (entry.assigned.assignment.due_date is None,
                                            entry.assigned.assignment.due_date or date.max))


def next_step(plans: list[TraineePlan]) -> Step | None:
    """Where "Continue" leads: the next step of the first post that has one."""
    return next((entry.plan.next_step for entry in plans if entry.plan.next_step is not None), None)


@dataclass(frozen=True)
class OptionalActivities:
    """What counts toward none of the trainee's posts: open for practice."""

    modules: list[CourseModule]
    quizzes: list[Quiz]
    scenarios: list[Scenario]


def optional_activities(rules: PostRules, modules: list[CourseModule] | None = None) -> OptionalActivities:
    required_quizzes = {quiz_id for requirements in rules.applicable.values() for quiz_id in requirements.quiz_ids()}
    modules = modules if modules is not None else modules_in_order()
    return OptionalActivities(
        [module for module in modules if module.id not in rules.required_modules()],
        [quiz for quiz in current_quizzes() if quiz.id not in required_quizzes],
        [scenario for scenario in current_scenarios() if not rules.scenario_counts(scenario.id, scenario.tags)],
    )


# --- issuing ----------------------------------------------------------------------------------

def issue_due_certificates(user_id: int, today: date | None = None) -> list[Certificate]:
    """Issue every certificate the trainee has earned and not yet received; commits each one.

    Exactly once: two requests evaluating at the same moment both insert the same
    (user, post, cycle); the unique constraint lets one commit and the other rolls back and skips.
    Call it with nothing else pending in the session (after the progress was committed).
    """
    today = today or local_today()
    records = trainee_records(user_id)
    return _issue_earned(assigned_posts(user_id, today, records), records, today)


def _issue_earned(assigned: list[AssignedPost], records: engine.TraineeRecords, today: date) -> list[Certificate]:
    issued = []
    for entry in assigned:
        if entry.evaluation.can_issue:
            certificate = _issue(entry, records, today)
            if certificate is not None:
                issued.append(certificate)
    return issued


def issue_all_due(user_ids: list[int] | None = None) -> list[Certificate]:
    """``issue_due_certificates`` for these trainees, by default every trainee with a post."""
    if user_ids is None:
        user_ids = list(db.session.scalars(db.select(PostAssignment.user_id).distinct()))
    return [certificate for user_id in user_ids for certificate in issue_due_certificates(user_id)]


def _issue(assigned: AssignedPost, records: engine.TraineeRecords, today: date) -> Certificate | None:
    draft = engine.draft_certificate(assigned.definition, assigned.evaluation, records, today)
    user, post_id = assigned.assignment.user, assigned.assignment.post_id
    certificate = Certificate(
        user_id=user.id, post_id=post_id, cycle=draft.cycle, code=draft.code, issued_at=utcnow(),
        valid_until=draft.valid_until, content_versions=draft.content_versions, exam_score=draft.exam_score,
        roleplay_average=draft.roleplay_average,
    )
    db.session.add(certificate)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent request issued this cycle first
        db.session.rollback()
        return None
    record("certificate.issue", f"certificate:{certificate.number}",
           {"user": user.employee_no, "post": post_id, "cycle": certificate.cycle,
            "valid_until": certificate.valid_until.isoformat()})
    certificate_issued.send(current_app._get_current_object(), certificate=certificate)
    db.session.commit()
    return certificate


def on_progress_recorded(sender, user_id: int, **_extra) -> None:
    """Receiver of ``webapp.registry.progress_recorded``: a completion may finish a post."""
    issue_due_certificates(user_id)


# --- HR actions -------------------------------------------------------------------------------

def assign_post(user: User, post: Post, due_date: date | None, actor: User | None) -> PostAssignment:
    """Assign (or re-assign, with a new date) a post. No commit."""
    assignment = db.session.scalar(db.select(PostAssignment).where(
        PostAssignment.user_id == user.id, PostAssignment.post_id == post.id))
    if assignment is None:
        assignment = PostAssignment(user_id=user.id, post_id=post.id)
        db.session.add(assignment)
    assignment.assigned_at, assignment.due_date = utcnow(), due_date
    assignment.assigned_by_id = actor.id if actor is not None else None
    db.session.flush()
    record("post.assign", f"user:{user.employee_no}",
           {"post": post.id, "due_date": due_date.isoformat() if due_date else None}, actor=actor)
    post_assigned.send(current_app._get_current_object(), assignment_ids=[assignment.id], actor=actor)
    return assignment


def revoke_certificate(certificate: Certificate, actor: User, reason: str) -> None:
    """Revoke once: the conditional update makes a second, concurrent revocation fail. No commit."""
    reason = reason.strip()
    if not reason:
        raise CertificationError("a revocation needs a reason")
    changed = db.session.execute(
        db.update(Certificate).where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_by_id=actor.id, revocation_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise CertificationError("the certificate is already revoked")
    standings.refresh([(certificate.user_id, certificate.post_id)])  # the UPDATE bypassed the ORM's hooks
    db.session.refresh(certificate)
    record("certificate.revoke", f"certificate:{certificate.number}",
           {"user": certificate.user.employee_no, "post": certificate.post_id, "reason": reason}, actor=actor)
    certificate_revoked.send(current_app._get_current_object(), certificate=certificate, actor=actor, reason=reason)


def assign_recertification(assignment: PostAssignment, actor: User, note: str = "") -> None:
    """Open the renewal window now (e.g. after a significant content change). No commit."""
    if not any(c.revoked_at is None for c in certificates_of(assignment.user_id, assignment.post_id)):
        raise CertificationError("only a holder of a certificate can be asked to recertify")
    db.session.add(CertificateEvent(user_id=assignment.user_id, post_id=assignment.post_id,
                                    kind=CertificateEvent.RECERTIFICATION_ASSIGNED, actor_id=actor.id, note=note))
    record("certificate.recertification", f"user:{assignment.user.employee_no}",
           {"post": assignment.post_id, "note": note}, actor=actor)


def override_choices(assigned: AssignedPost) -> list[str]:
    """Requirement keys HR may mark as met now: the applicable requirements not met yet."""
    if not assigned.evaluation.standing.may_earn:
        return []
    unmet: list[str] = []
    for status in assigned.evaluation.requirements:
        match status:
            case engine.ModulesStatus():
                unmet += [engine.module_key(m) for m in status.required if m not in status.done]
            case engine.QuizStatus() if not status.met:
                unmet.append(engine.quiz_key(status.quiz_id))
            case engine.ScenariosStatus() if not status.met:
                unmet.append(engine.SCENARIOS_KEY)
    return unmet


def grant_override(assignment: PostAssignment, requirement: str, reason: str, actor: User,
                   today: date | None = None) -> RequirementOverride:
    """Mark one applicable, unmet requirement as met for the trainee. No commit; after committing,
    call issue_due_certificates (the override may complete the post)."""
    reason = reason.strip()
    if not reason:
        raise CertificationError("an override needs a reason")
    assigned = assigned_post(assignment, today)
    if not assigned.evaluation.standing.may_earn:
        raise CertificationError("the trainee holds a valid or revoked certificate: nothing to mark as met")
    if requirement not in override_choices(assigned):
        raise CertificationError(f"{requirement} is not an unmet requirement of {assignment.post_id} now")
    override = RequirementOverride(user_id=assignment.user_id, post_id=assignment.post_id, requirement=requirement,
                                   reason=reason, granted_at=utcnow(), granted_by_id=actor.id)
    db.session.add(override)
    db.session.flush()
    record("requirement.override", f"user:{assignment.user.employee_no}",
           {"post": assignment.post_id, "requirement": requirement, "reason": reason, "override": override.id},
           actor=actor)
    return override


def revoke_override(override: RequirementOverride, actor: User, reason: str) -> None:
    """Stop an override counting (once: a concurrent second revocation fails). No commit.
    A certificate already issued on it stays; revoke the certificate separately if needed."""
    reason = reason.strip()
    if not reason:
        raise CertificationError("revoking an override needs a reason")
    changed = db.session.execute(
        db.update(RequirementOverride)
        .where(RequirementOverride.id == override.id, RequirementOverride.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_by_id=actor.id, revocation_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise CertificationError("the override is already revoked")
    db.session.refresh(override)
    record("requirement.override_revoke", f"user:{override.user.employee_no}",
           {"post": override.post_id, "requirement": override.requirement, "reason": reason,
            "override": override.id}, actor=actor)


# --- verification and the PDF -----------------------------------------------------------------

def verify_url_prefix() -> str:
    """``<public base URL>/verify/``: PUBLIC_BASE_URL when configured, else this request's host."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    if not base and has_request_context():
        base = request.url_root.rstrip("/")
    return base + VERIFY_PATH


def masked_name(name: str) -> str:
    """张小明 -> 张*明, 张伟 -> 张*: enough to recognise, not enough to harvest."""
    if len(name) <= 1:
        return name
    return name[0] + "*" * max(1, len(name) - 2) + (name[-1] if len(name) > 2 else "")


@dataclass(frozen=True)
class Verification:
    holder: str  # masked
    post: Post
    number: str
    issued_on: date
    valid_until: date
    validity: engine.Validity
    revoked_on: date | None


def find_by_code(code: str) -> Certificate | None:
    if len(code) > CODE_LENGTH:  # no certificate has it: spare the query
        return None
    return db.session.scalar(db.select(Certificate).where(Certificate.code == code))


def verify(code: str, today: date | None = None) -> Verification | None:
    certificate = find_by_code(code)
    if certificate is None:
        return None
    revoked = certificate.revoked_at is not None
    return Verification(
        holder=masked_name(certificate.user.name), post=certificate.post, number=certificate.number,
        issued_on=local_date(certificate.issued_at), valid_until=certificate.valid_until,
        validity=engine.validity_on(certificate.valid_until, revoked, today or local_today()),
        revoked_on=local_date(certificate.revoked_at) if revoked else None,
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a PDF, only while it is not revoked: a "revoked" stamp can be cropped off a
    copy, a refusal cannot, and the QR code's verification page tells any holder of an old copy."""
    if certificate.revoked_at is not None:
        raise CertificateRevoked(f"certificate {certificate.number} is revoked")
    return render_certificate(CertificateContent(
        holder_name=certificate.user.name, employee_no=certificate.user.employee_no,
        post_title_zh=certificate.post.title_zh, post_title_en=certificate.post.title_en,
        certificate_no=certificate.number, code=certificate.code, issued_on=local_date(certificate.issued_at),
        valid_until=certificate.valid_until, verify_url=verify_url_prefix() + certificate.code,
    ))


def holders_requiring(module_ids: set[str]) -> int:
    """Trainees holding a valid certificate of a post that requires one of these modules: whom a
    significant change of those modules flags for recertification."""
    posts = [post.id for post in posts_in_order() if post.current_version is not None
             and set(definition_of(post).requirements.modules) & module_ids]
    if not posts:
        return 0
    return db.session.scalar(db.select(db.func.count(Certificate.user_id.distinct())).where(
        Certificate.post_id.in_(posts), Certificate.revoked_at.is_(None))) or 0


def certificates_resting_on(user_quizzes: set[tuple[int, str]]) -> list[Certificate]:
    """Valid certificates of these (trainee, quiz) pairs whose post requires that quiz: the ones a
    regraded quiz result puts in question."""
    requiring = {post.id: set(definition_of(post).requirements.quiz_ids()) for post in posts_in_order()
                 if post.current_version is not None}
    users = {user_id for user_id, _quiz in user_quizzes}
    if not users:
        return []
    held = db.session.scalars(db.select(Certificate).where(
        Certificate.user_id.in_(users), Certificate.revoked_at.is_(None)).order_by(Certificate.id))
    return [certificate for certificate in held
            if any((certificate.user_id, quiz) in user_quizzes for quiz in requiring.get(certificate.post_id, ()))]
