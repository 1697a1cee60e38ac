"""The first HR view after a write that changes a standing adds up the roster tallies: a fixed
number of statements whatever the size, none of them reading the assignments to count them, and
no write on GET."""
from datetime import timedelta

from sqlalchemy import event

from tests.perf.test_page_queries import WRITES, _more_of_everything
from tests.site import seed, signed_in
from webapp.access import Role
from webapp.accounts.models import User
from webapp.certification import services as certification
from webapp.certification.models import Post
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.hr import tallies
from webapp.quizzes.models import Quiz

PAGES = {"HR home": "/", "HR roster": "/hr/", "HR roster, one status": "/hr/?status=certified"}
#: Statements of that first view (the header's, the stamp, the tallies, one page of the roster).
CEILINGS = {"HR home": 3, "HR roster": 24, "HR roster, one status": 22}


def _first_views_after_a_write(app, hr_id: int, trainee_id: int) -> dict[str, list[str]]:
    seen, found = [], {}

    def before(_conn, _cursor, statement, *_rest):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        for name, url in PAGES.items():
            client = signed_in(app, hr_id)
            assert client.get(url).status_code == 200  # fills the other per-process caches
            certification.assign_post(db.session.get(User, trainee_id), db.session.get(Post, "hotline-agent"),
                                      utcnow().date() + timedelta(days=7 + len(found)), None)
            db.session.commit()
            db.session.remove()  # as a server's next request: an empty session
            seen.clear()
            assert client.get(url).status_code == 200
            found[name] = list(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return found


def test_the_first_hr_views_after_a_write_add_up_the_tallies(app):
    users = seed(app)
    trainee, quiz = users[Role.TRAINEE], db.session.scalars(db.select(Quiz.id).order_by(Quiz.id)).first()
    _more_of_everything(quiz, trainee, 0)
    tallies.bring_to(db.session, certification.local_today())
    db.session.commit()
    before = _first_views_after_a_write(app, users[Role.HR], trainee)
    _more_of_everything(quiz, trainee, 1)
    after = _first_views_after_a_write(app, users[Role.HR], trainee)

    for name, statements in after.items():
        verbs = [text.lstrip().split(None, 1)[0].upper() for text in statements]
        assert not [verb for verb in verbs if verb in WRITES], name
        assert len(statements) == len(before[name]) <= CEILINGS[name], (name, len(before[name]), len(statements))
        assert any("roster_tallies" in text for text in statements), name
        counting = [text for text in statements if "GROUP BY users.department" in text or "sum(CASE" in text]
        assert counting == [], name  # no aggregate over the assignments
