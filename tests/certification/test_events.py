"""Certification's domain events are sent inside the transaction that makes them true, so what a
receiver queues commits or rolls back with them; the periodic sweep issues what was earned."""
from contextlib import contextmanager
from datetime import timedelta

from webapp import jobs
from webapp.accounts import importer
from webapp.certification import services
from webapp.certification.models import Certificate, PostAssignment
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.registry import certificate_issued, certificate_revoked, post_assigned

jobs.handler("test.certification-event")(lambda payload: None)


@contextmanager
def queued_on(signal):
    """Each event queues a job, as notifications or webhooks would; yields the events' kwargs."""
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)
        jobs.enqueue("test.certification-event", {"n": len(seen)})

    signal.connect(receiver)
    try:
        yield seen
    finally:
        signal.disconnect(receiver)


def queued() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Job).where(Job.name == "test.certification-event"))


def test_assigning_sends_the_assignment_with_its_transaction(app, make_user, posts, today):
    hr, trainee = make_user(role="hr"), make_user()
    with queued_on(post_assigned) as seen:
        services.assign_post(trainee, posts["hotline-agent"], today + timedelta(days=30), hr)
        db.session.rollback()
        assert queued() == 0
        assignment = services.assign_post(trainee, posts["hotline-agent"], today + timedelta(days=30), hr)
        db.session.commit()
    assert seen[-1] == {"assignment_ids": [assignment.id], "actor": hr} and queued() == 1


def test_a_roster_sends_every_new_or_changed_assignment_at_once(app, posts):
    roster = "工号,姓名,部门,岗位,截止日期\nr001,赵一,客服一部,10000号客服代表,2026/12/31\nr002,钱二,营业厅,hall-consultant,\n"
    with queued_on(post_assigned) as seen:
        importer.import_roster(roster.encode())
        db.session.commit()
        importer.import_roster(roster.encode())  # the same roster again changes nothing
        db.session.commit()
    ids = set(db.session.scalars(db.select(PostAssignment.id)))
    assert len(seen) == 1 and set(seen[0]["assignment_ids"]) == ids and len(ids) == 2


def test_issue_and_revocation_are_sent(app, make_user, posts, records):
    hr, trainee = make_user(role="hr"), make_user()
    post = posts["telemarketer"]
    services.assign_post(trainee, post, None, hr)
    db.session.commit()
    records.complete(trainee, post)
    with queued_on(certificate_issued) as issued, queued_on(certificate_revoked) as revoked:
        (certificate,) = services.issue_due_certificates(trainee.id)
        assert issued == [{"certificate": certificate}] and queued() == 1
        services.revoke_certificate(certificate, hr, "离岗")
        db.session.commit()
    assert revoked == [{"certificate": certificate, "actor": hr, "reason": "离岗"}] and queued() == 2


def test_the_periodic_sweep_issues_what_was_earned_without_a_command(app, make_user, posts, records):
    trainee = make_user()
    post = posts["telemarketer"]
    services.assign_post(trainee, post, None, None)
    db.session.commit()
    records.complete(trainee, post)  # earned, but the issue after the completion never ran
    jobs.run_pending()
    assert [(c.user_id, c.post_id) for c in db.session.scalars(db.select(Certificate))] == [(trainee.id, post.id)]
