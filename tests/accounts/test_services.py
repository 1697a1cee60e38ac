"""Role changes, deactivation and first passwords through the services (admin pages, CLI)."""
import pytest

from webapp.accounts import importer, services
from webapp.accounts.rules import Refused
from webapp.audit.models import AuditEntry
from webapp.extensions import db

from tests.conftest import TEST_PASSWORD


def test_role_changes_follow_the_rules_and_are_audited(app, make_user):
    admin, hr, trainee = make_user(role="admin"), make_user(role="hr"), make_user()
    with pytest.raises(Refused):
        services.change_role(trainee, "admin", hr)
    assert services.change_role(trainee, "trainer", admin)
    db.session.commit()
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.role")).one()
    assert (entry.target, entry.details, entry.actor_id) == (
        f"user:{trainee.employee_no}", {"from": "trainee", "to": "trainer"}, admin.id)
    assert not services.change_role(trainee, "trainer", admin)  # no change, no entry


def test_the_last_active_administrator_cannot_be_demoted_or_deactivated(app, make_user):
    admin = make_user(role="admin")
    with pytest.raises(Refused, match="last active administrator"):
        services.change_role(admin, "trainee", admin)
    db.session.rollback()
    make_user(role="admin", active=False)  # an inactive administrator does not count
    with pytest.raises(Refused, match="last active administrator"):
        services.change_role(admin, "hr", None)
    db.session.rollback()
    second = make_user(role="admin")
    with pytest.raises(Refused, match="your own account"):
        services.set_active(admin, False, admin)
    db.session.rollback()
    services.set_active(second, False, admin)
    db.session.commit()
    with pytest.raises(Refused, match="last active administrator"):
        services.change_role(admin, "trainee", None)


def test_creating_an_account_with_a_role_follows_the_same_rule(app, make_user):
    hr = make_user(role="hr")
    with pytest.raises(Refused):
        services.create_user("X1", "某人", "客服", "admin", TEST_PASSWORD, actor=hr)
    assert services.create_user("X2", "某人", "客服", "trainee", TEST_PASSWORD, actor=hr).role == "trainee"


def test_only_an_administrator_issues_first_passwords_once(app, make_user):
    admin, hr = make_user(role="admin"), make_user(role="hr")
    importer.import_roster("工号,姓名,部门\nA001,张三,客服\nA002,李四,营业厅\n".encode(), actor=hr)
    db.session.commit()
    with pytest.raises(Refused):
        services.issue_first_passwords(None, hr)
    assert services.first_passwords_by_department() == [("客服", 1), ("营业厅", 1)]
    issued = services.issue_first_passwords("客服", admin)
    db.session.commit()
    assert [user.employee_no for user, _password in issued] == ["A001"]
    user, password = issued[0]
    assert services.authenticate("A001", password, "10.0.0.1").user == user and user.must_change_password
    assert services.issue_first_passwords("客服", admin) == []  # already issued: not shown again


def test_reset_password_forces_a_change(app, make_user):
    admin, user = make_user(role="admin"), make_user()
    password = services.issue_password(user, admin)
    db.session.commit()
    assert user.must_change_password
    assert services.authenticate(user.employee_no, password, "10.0.0.1").user == user
    services.change_own_password(user, password, "a-brand-new-one")
    assert not user.must_change_password
