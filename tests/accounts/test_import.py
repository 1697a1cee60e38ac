"""Roster import on a real database: the escalations HR must not reach, all-or-nothing, bulk."""
from datetime import timedelta

import pytest

from webapp import jobs
from webapp.accounts import importer, services
from webapp.accounts.models import RosterImportJob, User
from webapp.accounts.roster import RowProblem
from webapp.audit.models import AuditEntry
from webapp.audit.services import verify_chain
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.registry import roster_imported


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def snapshot() -> tuple:
    """Every column of every account, and the audit log's length."""
    db.session.expire_all()
    users = db.session.execute(db.select(User.__table__).order_by(User.id)).all()
    return [tuple(row) for row in users], count(AuditEntry)


def import_as(actor, text: str, encoding="utf-8-sig"):
    result = importer.import_roster(text.encode(encoding), actor=actor)
    db.session.commit()
    return result


ROSTER = "工号,姓名,部门,角色\nA001,张三,10000号客服中心,学员\nA002,李四,营业厅,培训师\n"


@pytest.fixture
def staff(make_user):
    """The demo's cast: one administrator, HR, a trainer and a trainee with a team."""
    return {"admin": make_user(role="admin", employee_no="admin", name="系统管理员", department="信息中心", team=""),
            "hr": make_user(role="hr", employee_no="hr01", name="李娜", department="人力资源部", team=""),
            "trainer": make_user(role="trainer", employee_no="trainer01", name="王芳", department="培训部"),
            "trainee": make_user(employee_no="t1001", name="张伟", department="10000号客服中心", team="一班")}


def test_roster_import_creates_then_updates_without_duplicates(app):
    first = import_as(None, ROSTER)
    assert first.problems == [] and first.created == 2
    created = services.find_user("A001")
    assert created.must_change_password and not created.has_password
    again = import_as(None, ROSTER)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = import_as(None, "工号,姓名,部门,角色\nA001,张三,营业厅,学员\n")
    assert changed.updated == 1
    assert count(User) == 2
    assert services.find_user("A001").department == "营业厅"
    assert verify_chain() is None


def test_roster_import_is_all_or_nothing(app):
    result = import_as(None, "工号,姓名,部门,角色\nA001,张三,客服,学员\nA002,李四,客服,厨师\n")
    assert [p.row_number for p in result.problems] == [3]
    assert count(User) == 0 and count(AuditEntry) == 0


def test_a_listener_can_reject_rows_and_nothing_is_kept(app):
    def reject_second_row(sender, rows, **_extra):
        return [RowProblem(rows[1].row_number, "unknown post")]

    roster_imported.connect(reject_second_row)
    try:
        result = import_as(None, ROSTER)
    finally:
        roster_imported.disconnect(reject_second_row)
    assert [str(p) for p in result.problems] == ["row 3: unknown post"]
    assert result.created == 0 and count(User) == 0 and count(AuditEntry) == 0


@pytest.mark.parametrize("line, message", [
    ("hr01,李娜,人力资源部,admin", "only an administrator may change an account with the hr role"),
    ("n9001,新管理员,人力资源部,admin", "only an administrator may grant or remove the admin role"),
    ("admin,系统管理员,信息中心,trainee", "only an administrator may change an account with the admin role"),
    ("trainer01,王芳,培训部,学员", "only an administrator may change an account with the trainer role"),
    ("t1001,张伟,10000号客服中心,培训师", "only an administrator may grant or remove the trainer role"),
    ("trainer01,王芳,培训部,", "only an administrator may change an account with the trainer role"),
])
def test_hr_escalations_are_refused_at_their_line_and_nothing_is_imported(app, staff, line, message):
    before = snapshot()
    roster = f"工号,姓名,部门,角色\nt1002,刘洋,10000号客服中心,学员\n{line}\n"
    result = import_as(staff["hr"], roster)
    assert [str(problem) for problem in result.problems] == [f"row 3: {message}"]
    assert snapshot() == before
    assert services.find_user("t1002") is None


def test_hr_creates_and_updates_trainees_and_sees_no_password(app, staff):
    result = import_as(staff["hr"], "工号,姓名,部门,班组,角色\nt1001,张伟,营业厅,,学员\nt1002,刘洋,营业厅,二班,\n")
    assert (result.problems, result.created, result.updated) == ([], 1, 1)
    assert not hasattr(result, "passwords")
    new = services.find_user("t1002")
    assert (new.role, new.team, new.password_hash, new.must_change_password) == ("trainee", "二班", None, True)
    assert services.find_user("t1001").team == "一班"  # an empty cell keeps the team


def test_a_roster_without_a_team_column_keeps_every_team_and_a_dash_clears_one(app, staff):
    import_as(staff["hr"], "工号,姓名,部门\nt1001,张伟,营业厅\n")
    trainee = services.find_user("t1001")
    assert (trainee.department, trainee.team) == ("营业厅", "一班")
    import_as(staff["hr"], "工号,姓名,部门,班组\nt1001,张伟,营业厅,-\n")
    assert services.find_user("t1001").team == ""


def test_the_administrator_can_still_do_everything_and_each_role_change_is_audited(app, staff):
    result = import_as(staff["admin"], "工号,姓名,部门,角色\nhr01,李娜,人力资源部,admin\n"
                                       "n9001,新讲师,培训部,trainer\nt1001,张伟,10000号客服中心,hr\n")
    assert result.problems == [] and (result.created, result.updated) == (1, 2)
    assert [services.find_user(no).role for no in ("hr01", "n9001", "t1001")] == ["admin", "trainer", "hr"]
    role_changes = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.role")
                                      .order_by(AuditEntry.id)).all()
    assert [(e.target, e.details, e.actor_id) for e in role_changes] == [
        ("user:hr01", {"from": "hr", "to": "admin"}, staff["admin"].id),
        ("user:t1001", {"from": "trainee", "to": "hr"}, staff["admin"].id)]
    assert verify_chain() is None


def test_no_import_demotes_the_last_active_administrator(app, staff):
    before = snapshot()
    for actor in (staff["admin"], None):
        result = import_as(actor, "工号,姓名,部门,角色\nadmin,系统管理员,信息中心,trainee\n")
        assert [str(p) for p in result.problems] == ["row 2: the last active administrator keeps the administrator role"]
    assert snapshot() == before


def test_a_big_roster_is_written_in_bulk(app, staff):
    lines = "".join(f"B{number:05d},学员{number},客服{number % 7},{number % 3}班\n" for number in range(3000))
    result = import_as(staff["hr"], "工号,姓名,部门,班组\n" + lines + "t1001,张伟,营业厅,\n")
    assert (result.created, result.updated) == (3000, 1)
    assert count(User) == 3004 and services.find_user("B02999").team == "2班"
    assert verify_chain() is None


def test_a_queued_import_survives_its_workers_death_and_is_written_once(make_app, make_user):
    """The job worker running a big import dies (node killed): the import is not lost, the
    queue hands it to another worker once the lease has passed, and it is written once."""
    app = make_app(ROSTER_BACKGROUND_LINES=10)
    with app.app_context():
        hr = make_user(role="hr")
        roster = "工号,姓名,部门\n" + "".join(f"W{n:03d},学员{n},客服\n" for n in range(40))
        job_id = importer.start_job(roster.encode(), "big.csv", hr).id
        now = utcnow()
        assert jobs.claim(now) is not None  # claimed by a worker that then dies without a word
        db.session.remove()
        later = now + importer.JOB_LOST_AFTER + timedelta(minutes=1)
        job = db.session.get(RosterImportJob, job_id)
        assert not importer.job_lost(job) and importer.running_job() == job  # still blocks a second import
        jobs.run_pending(now=later)
        db.session.expire_all()
        assert job.state == RosterImportJob.QUEUED  # the dead worker's lease still holds
        jobs.run_pending(now=now + importer.JOB_LEASE + timedelta(seconds=1))
        db.session.expire_all()
        assert (job.state, job.created, job.source) == (RosterImportJob.DONE, 40, None)
        assert db.session.scalar(db.select(db.func.count()).select_from(User).where(User.employee_no.like("W%"))) == 40
        jobs.run_pending(now=now + 2 * importer.JOB_LEASE)  # nothing runs it twice
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "roster.import")) == 1
        assert importer.running_job() is None
