"""Two nodes publishing the same file at the same instant: one wins, the other gets the conflict.

Each thread has its own app context, session and database connection, as two nodes would; a
barrier holds both until both have checked their change against the same published version, so
the race is not left to timing. Runs on SQLite and on PostgreSQL (HOTLINE_TEST_DB=postgresql)."""
import threading

from webapp.accounts.models import User
from webapp.content import changes
from webapp.content.models import ContentRevision
from webapp.content.services import published_text
from webapp.extensions import db

OPENING = "courses/greeting-basics/01-opening.md"


def race(app, monkeypatch, *actions) -> list:
    """Run each action (in its own app context) at once, released together after their checks;
    the outcome of each: "done" or the Conflict it raised."""
    db.session.remove()
    both_checked = threading.Barrier(len(actions), timeout=30)
    check_files = changes.check_files

    def checked_then_wait(changed):
        problems = check_files(changed)
        both_checked.wait()
        return problems

    monkeypatch.setattr(changes, "check_files", checked_then_wait)
    outcomes = [None] * len(actions)

    def run(position, action):
        with app.app_context():
            try:
                action()
                outcomes[position] = "done"
            except changes.Conflict as conflict:
                outcomes[position] = conflict
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def drafted(make_user, number, phrase, original):
    author = make_user(role="trainer", employee_no=f"trainer{number}")
    changes.save_draft(author, OPENING, original.replace("接起电话先问好", phrase), changes.text_hash(original))
    return author.id


def test_of_two_simultaneous_publishes_over_one_version_the_second_gets_the_conflict(app, make_user, monkeypatch):
    original = published_text(OPENING)
    authors = {drafted(make_user, "01", "甲节点的问好", original): "甲节点的问好",
               drafted(make_user, "02", "乙节点的问好", original): "乙节点的问好"}
    revisions = db.session.scalar(db.select(db.func.count(ContentRevision.id)))

    def publish(author_id):
        return lambda: changes.submit(db.session.get(User, author_id), [OPENING], "同时发布")

    outcomes = dict(zip(authors, race(app, monkeypatch, *(publish(author_id) for author_id in authors))))

    [winner] = [author_id for author_id, outcome in outcomes.items() if outcome == "done"]
    [conflict] = [outcome for outcome in outcomes.values() if outcome != "done"]
    assert conflict.path == OPENING and conflict.base == original
    assert authors[winner] in conflict.current  # the diff shows what the winner published
    assert authors[winner] in published_text(OPENING)
    assert db.session.scalar(db.select(db.func.count(ContentRevision.id))) == revisions + 1
    loser = next(author_id for author_id in authors if author_id != winner)
    assert changes.draft_of(db.session.get(User, loser), OPENING) is not None  # the loser's draft stays


def test_a_rollback_racing_a_publish_does_not_both_win(app, make_user, monkeypatch):
    original = published_text(OPENING)
    trainer = make_user(role="trainer", employee_no="trainer01")
    changes.save_draft(trainer, OPENING, original.replace("接起电话先问好", "先问好"), changes.text_hash(original))
    changes.submit(trainer, [OPENING], "改短")
    older_id, trainer_id = changes.history(OPENING)[1].id, trainer.id
    changes.save_draft(trainer, OPENING, published_text(OPENING) + "\n补充一句。\n", changes.text_hash(published_text(OPENING)))
    revisions = db.session.scalar(db.select(db.func.count(ContentRevision.id)))

    outcomes = race(app, monkeypatch,
                    lambda: changes.submit(db.session.get(User, trainer_id), [OPENING], "补充"),
                    lambda: changes.rollback(db.session.get(ContentRevision, older_id), db.session.get(User, trainer_id),
                                             "改回去"))

    assert sorted(outcome == "done" for outcome in outcomes) == [False, True], outcomes
    assert db.session.scalar(db.select(db.func.count(ContentRevision.id))) == revisions + 1


def test_the_publish_page_answers_a_conflict_with_409_and_what_the_other_published(client, make_user, auth):
    original = published_text(OPENING)
    first, second = drafted(make_user, "01", "甲节点的问好", original), drafted(make_user, "02", "乙节点的问好", original)
    changes.submit(db.session.get(User, first), [OPENING], "甲先发布")
    auth.login(db.session.get(User, second))
    page = client.post("/authoring/publish", data={"paths": [OPENING], "message": "乙后发布", "significant": "no"})
    html = page.get_data(as_text=True)
    assert page.status_code == 409 and 'id="conflict"' in html and "甲节点的问好" in html
    assert "乙节点的问好" not in published_text(OPENING)
