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


def test_of_two_simultaneous_publishes_over_one_version_the_second_gets_the_conflict(app, make_user, monkeypatch):
    original = published_text(OPENING)
    base = changes.text_hash(original)
    authors = {}
    for number, phrase in (("01", "甲节点的问好"), ("02", "乙节点的问好")):
        author = make_user(role="trainer", employee_no=f"trainer{number}")
        changes.save_draft(author, OPENING, original.replace("接起电话先问好", phrase), base)
        authors[author.id] = phrase
    revisions = db.session.scalar(db.select(db.func.count(ContentRevision.id)))
    db.session.remove()

    both_checked = threading.Barrier(2, timeout=30)
    check_files = changes.check_files

    def checked_then_wait(changed):
        problems = check_files(changed)
        both_checked.wait()
        return problems

    monkeypatch.setattr(changes, "check_files", checked_then_wait)
    outcomes = {}

    def publish(author_id):
        with app.app_context():
            try:
                changes.submit(db.session.get(User, author_id), [OPENING], "同时发布")
                outcomes[author_id] = "published"
            except changes.Conflict as conflict:
                outcomes[author_id] = conflict
            finally:
                db.session.remove()

    threads = [threading.Thread(target=publish, args=(author_id,)) for author_id in authors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(outcomes) == 2, outcomes
    [winner] = [author_id for author_id, outcome in outcomes.items() if outcome == "published"]
    [conflict] = [outcome for outcome in outcomes.values() if outcome != "published"]
    assert conflict.path == OPENING and conflict.base == original
    assert authors[winner] in conflict.current  # the diff shows what the winner published
    assert authors[winner] in published_text(OPENING)
    assert db.session.scalar(db.select(db.func.count(ContentRevision.id))) == revisions + 1
    loser = next(author_id for author_id in authors if author_id != winner)
    assert changes.draft_of(db.session.get(User, loser), OPENING) is not None  # the loser's draft stays
