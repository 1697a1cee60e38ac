"""The state stored on each assignment (certification.standings) is the engine's answer on every
day: first for any events (pure, generated), then on the database for trainees in every state,
after the changes HR makes, read back through the SQL the roster uses."""
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.access import Role
from webapp.certification import engine, services, standings
from webapp.certification.demo import load_demo_certification
from webapp.certification.models import Certificate, PostAssignment
from webapp.certification.posts import parse_post
from webapp.extensions import db
from webapp.hr.services import RosterFilters, roster_page, status_counts

from tests.certification.conftest import posts  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
POST, _problems = parse_post("quizzes/posts/hotline-agent.md",
                             (ROOT / "quizzes/posts/hotline-agent.md").read_text(encoding="utf-8"))
DAYS = st.dates(date(2024, 1, 1), date(2029, 12, 31))
MOMENTS = st.datetimes(datetime(2024, 1, 1), datetime(2029, 12, 31))


@st.composite
def histories(draw):
    """An assignment and any certificate events: issues, revocations, HR asking to recertify."""
    assignment = engine.Assignment(draw(MOMENTS), draw(st.none() | DAYS))
    events = []
    for cycle in range(1, draw(st.integers(0, 3)) + 1):
        issued = draw(MOMENTS)
        events.append(engine.CertificateIssued(cycle, f"c{cycle}", issued, draw(DAYS)))
        if draw(st.booleans()):
            events.append(engine.CertificateRevoked(cycle, issued + timedelta(days=draw(st.integers(0, 900))), "", ""))
    events += [engine.RecertificationAssigned(moment, "") for moment in draw(st.lists(MOMENTS, max_size=2))]
    window = draw(st.integers(0, 120))
    return replace(POST, recertification_window_days=window), events, assignment


@settings(max_examples=400, deadline=None)
@given(histories(), st.lists(DAYS, min_size=1, max_size=8))
def test_the_timeline_gives_the_engines_state_on_every_day(history, days):
    post, events, assignment = history
    timeline = engine.state_timeline(post, events, assignment)
    assert len(timeline.changes) <= 2  # what an assignment row can hold
    for day in days:
        assert timeline.state_on(day) == engine.standing(post, events, assignment, day).state


def _stored_states(today: date) -> dict[int, str]:
    return dict(db.session.execute(db.select(PostAssignment.id, standings.state_on(today))).all())


def _engine_states(days) -> dict[date, dict[int, str]]:
    """engine.standing on each day, from every certificate event the services read."""
    inputs = [(assignment.id, services.definition_of(assignment.post),
               services.certificate_events(assignment.user_id, assignment.post_id), services.assignment_of(assignment))
              for assignment in db.session.scalars(db.select(PostAssignment))]
    return {day: {assignment_id: engine.standing(definition, events, assignment, day).state.value
                  for assignment_id, definition, events, assignment in inputs} for day in days}


def _assert_stored_equals_engine() -> None:
    today = services.local_today()
    days = [today + timedelta(days=offset) for offset in range(-400, 1200, 23)]
    expected = _engine_states(days)
    for day in days:
        assert _stored_states(day) == expected[day], day


def test_stored_states_equal_the_engine_after_every_kind_of_change(app, posts, make_user):  # noqa: F811
    hr = make_user(role=Role.HR, employee_no="hr01")
    load_demo_certification()  # trainees in every state, through the services
    _assert_stored_equals_engine()
    assert {state for state in status_counts(services.local_today()) if status_counts(services.local_today())[state]} \
        == set(engine.State)
    certificates = db.session.scalars(db.select(Certificate).where(Certificate.revoked_at.is_(None))
                                      .order_by(Certificate.id)).all()
    services.revoke_certificate(certificates[0], hr, "抽检撤销")  # a Core UPDATE
    holder = db.session.scalar(db.select(PostAssignment).where(PostAssignment.user_id == certificates[1].user_id))
    services.assign_recertification(holder, hr)
    certificates[2].valid_until -= timedelta(days=300)  # edits through the ORM, as a data fix would
    moved = db.session.scalars(db.select(PostAssignment).order_by(PostAssignment.id)).first()
    moved.due_date = services.local_today() - timedelta(days=1)
    db.session.commit()
    _assert_stored_equals_engine()


def test_roster_counts_and_filters_agree_with_the_engine(app, posts, make_user):  # noqa: F811
    make_user(role=Role.HR, employee_no="hr01")
    load_demo_certification()
    today = services.local_today()
    engine_states = _engine_states([today])[today]
    page = roster_page(RosterFilters(), today, 1, 500)
    assert {state: count for state, count in page.counts.items() if count} == {
        engine.State(state): list(engine_states.values()).count(state) for state in set(engine_states.values())}
    for state in engine.State:
        filtered = roster_page(RosterFilters(status=state.value), today, 1, 500)
        assert {entry.assignment_id for entry in filtered.entries} == {
            assignment_id for assignment_id, found in engine_states.items() if found == state}
        assert filtered.matching == len(filtered.entries)
