"""Events become statements queued with their own transaction and reach a real Ralph through the
job queue, with the right verbs and results; an LRS outage delays them and loses nothing."""
from datetime import timedelta

import pytest

from tests.certification.conftest import StubRecords
from tests.conftest import ROOT
from tests.quizzes.answers import right_values, wrong_values
from tests.quizzes.conftest import START, install, quiz_text
from tests.roleplay.builders import import_shipped_content
from tests.xapi.conftest import BASE, import_one_module
from webapp.content.registry import read_content_root
from webapp import jobs
from webapp.certification import services as certification
from webapp.certification.kind import PostsKind
from webapp.certification.models import Post
from webapp.clock import utcnow
from webapp.courses import services as courses
from webapp.courses.models import Lesson
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.quizzes import services as quizzes
from webapp.quizzes.models import Quiz
from webapp.roleplay import services as roleplay
from webapp.xapi.models import Statement



@pytest.fixture
def lrs(app, ralph, lrs_config):
    app.config.update(lrs_config)
    return ralph


def recorded() -> list[Statement]:
    db.session.expire_all()  # the job ran with its own session
    return list(db.session.scalars(db.select(Statement).order_by(Statement.created_at, Statement.id)))


def send_jobs() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Job).where(Job.name == "xapi.send"))


def graded_attempt(trainee, right: bool, minutes_later: int = 0):
    now = START + timedelta(minutes=minutes_later)
    attempt = quizzes.start_attempt(trainee.id, db.session.get(Quiz, "demo.quiz"), now)
    answers = {}
    for slot in attempt.slots:
        question = quizzes.question_of(slot.question_version)
        answers[slot.position] = (right_values if right else wrong_values)(question, slot.option_order)
    quizzes.save_answers(attempt, answers, now)
    quizzes.finish_attempt(attempt, now + timedelta(minutes=1))
    return attempt


def test_recording_is_off_without_an_lrs(app, make_user):
    install()
    graded_attempt(make_user(), right=True)
    assert recorded() == [] and send_jobs() == 0


def test_quiz_attempts_arrive_as_passed_and_failed_with_their_scores(lrs, make_user):
    install(None, quiz_text(cooldown_minutes=0))
    trainee = make_user(employee_no="t1001")
    graded_attempt(trainee, right=True)
    graded_attempt(trainee, right=False, minutes_later=5)
    passed, failed = recorded()
    assert (passed.state, failed.state, send_jobs()) == ("queued", "queued", 2)  # queued with the grading

    jobs.run_pending()
    assert [row.state for row in recorded()] == ["sent", "sent"]
    stored = lrs.statement(passed.id)
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert stored["actor"]["account"] == {"homePage": BASE, "name": "t1001"}
    assert stored["object"]["id"] == f"{BASE}/xapi/quiz/demo.quiz"
    assert stored["result"]["score"]["scaled"] == 1.0 and stored["result"]["success"] is True
    assert stored["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] == 0.8
    stored = lrs.statement(failed.id)
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert stored["result"]["score"]["scaled"] < 0.8 and stored["result"]["success"] is False


def test_a_lesson_completion_arrives_once(lrs, make_user):
    import_one_module()
    trainee = make_user()
    lesson = db.session.scalars(db.select(Lesson).order_by(Lesson.module_id, Lesson.order)).first()
    assert courses.mark_complete(trainee.id, lesson) is True
    assert courses.mark_complete(trainee.id, lesson) is False  # a double click records nothing more
    (statement,) = recorded()
    jobs.run_pending()
    stored = lrs.statement(statement.id)
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert stored["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/lesson"
    assert stored["context"]["contextActivities"]["parent"][0]["id"] == f"{BASE}/xapi/module/{lesson.module_id}"


def test_a_scored_call_arrives_with_per_criterion_results_and_again_when_overridden(lrs, make_user):
    import_shipped_content()
    call = roleplay.start_call(make_user().id, "unexpected-fee", "assessment")
    for index, turn in enumerate(roleplay.scenario_of(call.scenario_version).turns, start=1):
        roleplay.submit_reply(call, index, turn.model_reply)
    db.session.commit()
    (statement,) = recorded()
    jobs.run_pending()
    stored = lrs.statement(statement.id)
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/scored"
    assert stored["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/simulation"
    assert stored["result"]["score"]["scaled"] == round(call.score / 100, 4)
    assert stored["result"]["success"] is call.passed is True and stored["result"]["completion"] is True
    criteria = stored["result"]["extensions"][f"{BASE}/xapi/extensions/criteria"]
    verdicts = [c for turn in call.turns for c in turn.verdict["criteria"]]
    assert criteria and sum(c["judged"] for c in criteria) == len(verdicts)
    assert sum(c["passed"] for c in criteria) == sum(c["passed"] for c in verdicts)
    assert {c["key"] for c in criteria} == {c["key"] for c in verdicts}

    trainer = make_user(role="trainer")
    key = call.turns[0].verdict["criteria"][0]["key"]
    roleplay.override_criterion(call, 1, key, False, "开场白不完整", trainer)
    db.session.commit()
    jobs.run_pending()
    machine, rescored = recorded()
    stored = lrs.statement(rescored.id)
    assert stored["context"]["statement"] == {"objectType": "StatementRef", "id": machine.id}
    assert stored["result"]["score"]["scaled"] == round(call.score / 100, 4) < 1
    tally = {c["key"]: c for c in stored["result"]["extensions"][f"{BASE}/xapi/extensions/criteria"]}
    assert tally[key]["passed"] == {c["key"]: c for c in criteria}[key]["passed"] - 1


def test_an_issued_certificate_arrives_as_earned(lrs, make_user, monkeypatch):
    kind = PostsKind()
    files = read_content_root(ROOT)
    kind.import_items(kind.parse(kind.discover(files), files)[0])
    db.session.commit()
    records = StubRecords()
    monkeypatch.setattr(certification, "trainee_records", records)
    trainee, post = make_user(), db.session.get(Post, "telemarketer")
    certification.assign_post(trainee, post, None, None)
    db.session.commit()
    records.complete(trainee, post)
    (certificate,) = certification.issue_due_certificates(trainee.id)
    db.session.commit()
    (statement,) = recorded()
    jobs.run_pending()
    stored = lrs.statement(statement.id)
    assert stored["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    assert stored["object"]["id"] == f"{BASE}/xapi/certificate/{certificate.number}"


def test_a_statement_made_while_the_lrs_is_down_arrives_once_after_it_restarts(lrs, make_user, client, auth):
    install()
    trainee, admin = make_user(), make_user(role="admin")
    lrs.halt()
    try:
        graded_attempt(trainee, right=True)
        jobs.run_pending()
        (statement,) = recorded()
        assert statement.state == "failing" and statement.attempts == 1 and "ConnectError" in statement.last_error
        auth.login(admin)
        page = client.get("/admin/learning-records/").get_data(as_text=True)
        assert statement.id in page and "ConnectError" in page
        jobs.run_pending()
        assert recorded()[0].attempts == 1  # backing off: not due again yet
    finally:
        lrs.start()
    jobs.run_pending(now=utcnow() + timedelta(hours=1))
    (statement,) = recorded()
    assert statement.state == "sent" and statement.attempts == 2
    jobs.run_pending(now=utcnow() + timedelta(days=30))
    assert recorded()[0].attempts == 2
    assert lrs.statement_ids().count(statement.id) == 1
    assert lrs.statement(statement.id)["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"


def test_status_is_for_administrators(app, client, auth, make_user):
    auth.login(make_user(role="trainer"))
    assert client.get("/admin/learning-records/").status_code == 403
    assert "learning-records-panel" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(make_user(role="admin"))
    assert 'id="lrs-off"' in client.get("/admin/learning-records/").get_data(as_text=True)
    assert "learning-records-panel" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("base_url", ["", "academy.example.cn"])
def test_an_lrs_without_the_platform_url_stops_the_start(make_app, base_url):
    with pytest.raises(RuntimeError, match="HOTLINE_PUBLIC_BASE_URL"):
        make_app(LRS_URL="http://127.0.0.1:9/xAPI/", PUBLIC_BASE_URL=base_url)
