from datetime import timedelta

from webapp.accounts import services, throttle
from webapp.accounts.models import LoginThrottle, User
from webapp.accounts.roster import RowProblem
from webapp.audit.models import AuditEntry
from webapp.extensions import db
from webapp.registry import roster_imported

from tests.conftest import TEST_PASSWORD


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


ROSTER = "工号,姓名,部门,角色\nA001,张三,10000号客服中心,学员\nA002,李四,营业厅,培训师\n".encode("utf-8-sig")


def test_roster_import_creates_then_updates_without_duplicates(app):
    first = services.import_roster(ROSTER)
    assert first.problems == [] and len(first.created) == 2
    assert all(user.must_change_password for user, _password in first.created)
    again = services.import_roster(ROSTER)
    assert (len(again.created), again.updated, again.unchanged) == (0, 0, 2)
    changed = services.import_roster("工号,姓名,部门,角色\nA001,张三,营业厅,学员\n".encode())
    assert changed.updated == 1
    assert count(User) == 2
    assert services.find_user("A001").department == "营业厅"


def test_roster_import_is_all_or_nothing(app):
    bad = "工号,姓名,部门,角色\nA001,张三,客服,学员\nA002,李四,客服,厨师\n".encode()
    result = services.import_roster(bad)
    assert [p.row_number for p in result.problems] == [3]
    assert count(User) == 0 and count(AuditEntry) == 0


def test_a_listener_can_reject_rows_and_nothing_is_kept(app):
    def reject_second_row(sender, rows):
        return [RowProblem(rows[1].row_number, "unknown post")]

    roster_imported.connect(reject_second_row)
    try:
        result = services.import_roster(ROSTER)
    finally:
        roster_imported.disconnect(reject_second_row)
    assert [str(p) for p in result.problems] == ["row 3: unknown post"]
    assert result.created == [] and count(User) == 0


def let_waits_pass():
    for row in db.session.execute(db.select(LoginThrottle)).scalars():
        row.last_failure_at -= timedelta(hours=1)
    db.session.commit()


def test_failed_sign_ins_are_slowed_then_refused_and_success_clears_them(app, make_user):
    user = make_user()
    for _ in range(throttle.FREE_FAILURES):
        assert services.authenticate(user.employee_no, "wrong", "10.0.0.1").user is None
    slowed = services.authenticate(user.employee_no, TEST_PASSWORD, "10.0.0.1")
    assert slowed.user is None and slowed.retry_after_seconds > 0 and not slowed.locked_out
    let_waits_pass()
    assert services.authenticate(user.employee_no, TEST_PASSWORD, "10.0.0.1").user == user
    assert count(LoginThrottle) == 0


def test_one_address_guessing_many_accounts_is_throttled(app, make_user):
    victim = make_user()
    for number in range(throttle.LOCKOUT_FAILURES - 1):
        services.authenticate(f"nobody{number}", "guess", "10.9.9.9")
        let_waits_pass()  # refused attempts do not count: a patient attacker still reaches lockout
    services.authenticate("nobody", "guess", "10.9.9.9")
    refused = services.authenticate(victim.employee_no, TEST_PASSWORD, "10.9.9.9")
    assert refused.user is None and refused.locked_out
    assert services.authenticate(victim.employee_no, TEST_PASSWORD, "10.0.0.2").user == victim


def test_inactive_users_cannot_sign_in(app, make_user):
    user = make_user(active=False)
    assert services.authenticate(user.employee_no, TEST_PASSWORD, "10.0.0.1").user is None


def test_reset_password_forces_a_change(app, make_user):
    admin, user = make_user(role="admin"), make_user()
    password = services.reset_password(user, admin)
    db.session.commit()
    assert user.must_change_password
    assert services.authenticate(user.employee_no, password, "10.0.0.1").user == user
    services.change_own_password(user, password, "a-brand-new-one")
    assert not user.must_change_password
