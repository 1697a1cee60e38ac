"""The roster tallies equal a full recount of the assignments after every kind of write that
changes a standing, and the roster's figures added up from them equal the ones computed from the
assignments, on the tally day and on later days (due dates pass, certificates expire)."""
from collections import Counter
from datetime import timedelta

from sqlalchemy import update

from webapp import jobs
from webapp.accounts.models import User
from webapp.certification import engine, services
from webapp.certification.models import PostAssignment
from webapp.extensions import db
from webapp.hr import services as hr
from webapp.hr import tallies
from webapp.hr.models import RosterTally, RosterTallyDay
from webapp.hr.services import RosterFilters


def recounted(day):
    """Every assignment counted from scratch, as the tallies would count it on ``day``."""
    return +tallies._counted(db.session.execute(tallies._assignments(db.true(), day)), tallies.local_dates())


def stored():
    rows = db.session.execute(db.select(RosterTally.department, RosterTally.post_id, RosterTally.state,
                                        RosterTally.issued_month, RosterTally.expires_month, RosterTally.assignments))
    found = Counter()
    for *key, count in rows:
        found[tuple(key)] += count
    return found


def assert_tallies_are_true(day):
    """The stored rows equal a recount on the tally day; the roster's figures added up from them
    on ``day`` equal those computed from the assignments, for every kind of filter they answer."""
    db.session.expire_all()
    assert stored() == recounted(db.session.get(RosterTallyDay, 1).day)
    departments = db.session.scalars(db.select(User.department).distinct()).all()
    filter_sets = [RosterFilters(), RosterFilters(post="hotline-agent"),
                   *(RosterFilters(status=state.value) for state in engine.State),
                   *(RosterFilters(department=name) for name in departments),
                   RosterFilters(department="客服一部", post="hotline-agent", status="certified")]
    for filters in filter_sets:
        months = (hr._month(day, -11), hr._month(day, 13))
        from_tallies = hr._summed(tallies.tallied(day, months, filters.department, filters.post), filters.status, day)
        assert from_tallies == (*hr._counts_and_shares(filters, day), hr._month_bars(filters, day)), filters


def test_the_tallies_follow_every_write_that_changes_a_standing(app, make_user, posts, records, today):
    hr_user = make_user(role="hr", employee_no="hr0001")
    people = [make_user(employee_no=f"t{n:03d}", department=("客服一部", "客服二部", "营业厅")[n % 3]) for n in range(9)]
    services.assign_post(people[0], posts["hotline-agent"], today + timedelta(days=20), hr_user)
    db.session.commit()
    assert tallies.tallied(today, (today, today)) is None  # not counted yet: the roster reads the assignments
    tallies.bring_to(db.session, today)
    db.session.commit()
    assert_tallies_are_true(today)

    for person in people[1:6]:  # assignment, one overdue already
        services.assign_post(person, posts["hotline-agent"], today - timedelta(days=person.id % 2), hr_user)
    services.assign_post(people[6], posts["hall-consultant"], None, hr_user)
    db.session.commit()
    assert_tallies_are_true(today)

    for person in people[:3]:  # an attempt graded: progress recorded issues the earned certificate
        records.complete(person, posts["hotline-agent"])
        services.on_progress_recorded(None, user_id=person.id)
    db.session.commit()
    assert_tallies_are_true(today)

    (certificate,) = services.certificates_of(people[1].id, "hotline-agent")  # revocation (a Core UPDATE)
    services.revoke_certificate(certificate, hr_user, "违规")
    db.session.commit()
    assert_tallies_are_true(today)

    services.assign_recertification(db.session.scalar(db.select(PostAssignment).where(
        PostAssignment.user_id == people[2].id)), hr_user, "内容更新")
    db.session.commit()
    assert_tallies_are_true(today)

    people[0].department = "营业厅"  # a trainee moves (ORM), then several at once (the roster import's way)
    db.session.commit()
    assert_tallies_are_true(today)
    db.session.execute(update(User), [{"id": people[3].id, "department": "客服一部"},
                                      {"id": people[4].id, "department": "新部门"}])
    db.session.commit()
    assert_tallies_are_true(today)

    hr._assign_in_bulk({(people[7].id, "hotline-agent"): ("t007", today + timedelta(days=5)),
                        (people[8].id, "hall-consultant"): ("t008", None)}, hr_user)  # roster import
    db.session.commit()
    assert_tallies_are_true(today)

    before = stored()
    services.assign_post(people[8], posts["hotline-agent"], today, hr_user)
    db.session.rollback()
    assert stored() == before  # a rolled-back write changes nothing


def test_the_tallies_count_the_day_a_due_date_passes_or_a_certificate_expires(app, make_user, posts, records,
                                                                           today):
    hr_user = make_user(role="hr", employee_no="hr0001")
    people = [make_user(employee_no=f"t{n:03d}", department=("客服一部", "营业厅")[n % 2]) for n in range(4)]
    for n, person in enumerate(people):
        services.assign_post(person, posts["hotline-agent"], today + timedelta(days=3 + n), hr_user)
    db.session.commit()
    records.complete(people[0], posts["hotline-agent"])
    services.issue_due_certificates(people[0].id)
    db.session.commit()
    tallies.bring_to(db.session, today)
    db.session.commit()
    expiry = db.session.scalar(db.select(PostAssignment.state_later_on).where(PostAssignment.user_id == people[0].id)) \
        or db.session.scalar(db.select(PostAssignment.state_next_on).where(PostAssignment.user_id == people[0].id))
    later_days = [today + timedelta(days=5), expiry, expiry + timedelta(days=1)]
    assert len({tuple(hr.status_counts(day).items()) for day in [today, *later_days]}) >= 3  # states do move
    for day in later_days:  # a reader on a later day adds what changed since the tally day
        assert_tallies_are_true(day)

    tallies.bring_to(db.session, later_days[0])  # the hourly job after midnight
    db.session.commit()
    assert db.session.get(RosterTallyDay, 1).day == later_days[0]
    assert_tallies_are_true(later_days[0])
    services.assign_post(people[1], posts["hall-consultant"], None, hr_user)  # counted on the tally day
    db.session.commit()
    for day in [today, *later_days]:
        assert_tallies_are_true(day)
    tallies.bring_to(db.session, later_days[2])  # past the expiry: the job adds what changed
    db.session.commit()
    assert_tallies_are_true(later_days[2])


def test_the_job_workers_count_the_tallies_the_first_time_without_anyone_asking(app, make_user, posts, today):
    services.assign_post(make_user(department="客服一部"), posts["hotline-agent"], today + timedelta(days=3), None)
    db.session.commit()
    jobs.run_pending()
    assert db.session.get(RosterTallyDay, 1).day == today
    assert_tallies_are_true(today)
