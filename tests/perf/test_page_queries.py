"""Pages that summarise stay a fixed number of SQL statements whatever the data (no N+1), and a
GET page writes nothing. Counted with an engine event on the whole demo site (tests/site.py)."""
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from tests.site import seed, signed_in
from webapp.access import Role
from webapp.accounts.services import create_user
from webapp.audit.services import record
from webapp.certification import services as certification
from webapp.certification.models import Post
from webapp.clock import utcnow
from webapp.courses import services as courses
from webapp.courses.models import Lesson
from webapp.extensions import db
from webapp.quizzes import services as quizzes
from webapp.quizzes.models import GRADED, IN_PROGRESS, Attempt, Quiz

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def statements():
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.lstrip().split(None, 1)[0].upper())


    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _pages(ids: dict) -> list[tuple[str, Role, str]]:
    return [
        ("attempt page", Role.TRAINEE, f"/quizzes/attempts/{ids['open_attempt']}"),
        ("trainee home", Role.TRAINEE, "/"),
        ("certification page", Role.TRAINEE, "/certification/"),
        ("result page", Role.TRAINEE, f"/quizzes/attempts/{ids['graded_attempt']}/result"),
        ("item statistics", Role.TRAINER, f"/quizzes/manage/{ids['quiz']}/items"),
        ("trainer home", Role.TRAINER, "/"),
        ("trainer attempts list", Role.TRAINER, f"/quizzes/manage/{ids['quiz']}/attempts"),
        ("review queue", Role.TRAINER, "/roleplay/review"),
        ("HR home", Role.HR, "/"),
        ("HR roster", Role.HR, "/hr/"),
        ("HR roster, one status", Role.HR, "/hr/?status=certified"),
        ("audit log", Role.HR, "/hr/audit"),
    ]


def _count(app, users: dict, pages) -> dict[str, list[str]]:
    found = {}
    for name, role, url in pages:
        client = signed_in(app, users[role])
        warm = client.get(url)  # the first request fills per-process caches
        assert warm.status_code == 200, (name, warm.status_code, warm.headers.get("Location"))
        db.session.remove()  # test requests share the fixture's session: start as a server's would, empty
        with statements() as seen:
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
        found[name] = seen
    return found


def _graded_attempt(user_id: int, quiz: Quiz) -> int:
    attempt = quizzes.start_attempt(user_id, quiz, quizzes.clock())
    quizzes.finish_attempt(attempt, quizzes.clock())
    return attempt.id


def _more_of_everything(quiz_id: str, trainee_id: int, round_: int) -> None:
    """Five more trainees with a post and a graded attempt, audit entries, and four more lessons the
    trainee completed: whatever a page lists or counts grows."""
    lessons = db.session.scalars(db.select(Lesson).where(Lesson.retired_at.is_(None)).order_by(Lesson.id)
                                 .offset(4 * round_).limit(4)).all()
    for lesson in lessons:
        courses.mark_complete(trainee_id, lesson)
    post, quiz = db.session.get(Post, "hotline-agent"), db.session.get(Quiz, quiz_id)
    for number in range(5 * round_, 5 * round_ + 5):
        user = create_user(f"g{number:03d}", f"加压{number}", f"加压部{number % 3}", Role.TRAINEE, "x-password-1")
        certification.assign_post(user, post, utcnow().date() + timedelta(days=30), None)
        _graded_attempt(user.id, quiz)
        record("user.create", f"user:g{number:03d}", {"n": number})
    db.session.commit()


def test_summary_pages_issue_the_same_statements_at_any_size_and_no_writes_on_get(app):
    users = seed(app)
    trainee = users[Role.TRAINEE]
    open_attempt = db.session.scalar(db.select(Attempt).where(Attempt.user_id == trainee,
                                                              Attempt.state == IN_PROGRESS))
    quiz = open_attempt.quiz
    other_quiz = db.session.scalars(db.select(Quiz).where(Quiz.id != quiz.id).order_by(Quiz.id)).first()
    ids = {"open_attempt": open_attempt.id, "quiz": quiz.id, "graded_attempt": _graded_attempt(trainee, other_quiz)}
    pages = _pages(ids)
    _more_of_everything(ids["quiz"], trainee, 0)  # some of everything: eager loads run
    before = _count(app, users, pages)
    _more_of_everything(ids["quiz"], trainee, 1)
    after = _count(app, users, pages)
    writes = {name: [verb for verb in seen if verb in WRITES] for name, seen in after.items()}
    assert not any(writes.values()), f"GET pages that write: {writes}"
    counts = {name: (len(before[name]), len(after[name])) for name in before}
    assert all(small == large for small, large in counts.values()), f"statements before → after growing: {counts}"
    assert all(large <= CEILINGS[name] for name, (_small, large) in counts.items()), str(counts)


#: Statements per request, measured with some of everything (the header's unread-notifications
#: count is read with the signed-in user); a new per-row lookup breaks them.
CEILINGS = {
    "attempt page": 1, "trainee home": 21, "certification page": 14, "result page": 12, "item statistics": 7,
    "trainer home": 10, "trainer attempts list": 5, "review queue": 9, "HR home": 3, "HR roster": 25,
    "HR roster, one status": 23, "audit log": 5,
}


def test_static_files_cost_no_statement(app):
    """A page's stylesheets and scripts are served without loading the signed-in user."""
    users = seed(app)
    client = signed_in(app, users[Role.TRAINEE])
    client.get("/").close()
    db.session.remove()
    with statements() as seen:
        for url in ("/static/app.css", "/static/app.js", "/quizzes/static/quizzes.css"):
            response = client.get(url)
            assert response.status_code == 200, url
            response.close()
    assert seen == []
