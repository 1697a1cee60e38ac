"""The account rules, without an app: who grants, removes and edits which roles."""
import pytest

from webapp.access import Role
from webapp.accounts import rules
from webapp.accounts.rules import SYSTEM, Refused

ADMIN, HR, TRAINER, TRAINEE = Role.ADMIN, Role.HR, Role.TRAINER, Role.TRAINEE


@pytest.mark.parametrize("actor", [ADMIN, SYSTEM])
@pytest.mark.parametrize("current", [None, *Role])
@pytest.mark.parametrize("new", list(Role))
def test_administrators_and_the_system_change_any_role(actor, current, new):
    rules.check_role_change(actor, current, new, active_admins=2)
    if current is not None:
        rules.check_account_change(actor, current)


@pytest.mark.parametrize("current, new", [(None, ADMIN), (None, HR), (None, TRAINER), (HR, ADMIN),
                                          (TRAINEE, ADMIN), (TRAINEE, TRAINER), (ADMIN, TRAINEE), (TRAINER, TRAINEE)])
def test_hr_neither_grants_nor_removes_any_role_but_trainee(current, new):
    with pytest.raises(Refused, match="only an administrator may grant or remove"):
        rules.check_role_change(HR, current, new, active_admins=2)


def test_hr_creates_and_keeps_trainees_and_edits_only_their_accounts():
    rules.check_role_change(HR, None, TRAINEE, active_admins=1)
    rules.check_role_change(HR, TRAINEE, TRAINEE, active_admins=1)
    rules.check_account_change(HR, TRAINEE)
    for role in (TRAINER, HR, ADMIN):
        with pytest.raises(Refused, match=f"account with the {role.value} role"):
            rules.check_account_change(HR, role)


@pytest.mark.parametrize("actor", [TRAINER, TRAINEE])
def test_trainers_and_trainees_change_nothing(actor):
    with pytest.raises(Refused):
        rules.check_role_change(actor, None, TRAINEE, active_admins=1)
    with pytest.raises(Refused):
        rules.check_account_change(actor, TRAINEE)


@pytest.mark.parametrize("actor", [ADMIN, SYSTEM])
def test_nobody_demotes_or_deactivates_the_last_active_administrator(actor):
    with pytest.raises(Refused, match="last active administrator"):
        rules.check_role_change(actor, ADMIN, TRAINEE, active_admins=1)
    with pytest.raises(Refused, match="last active administrator"):
        rules.check_deactivation(actor, ADMIN, is_self=False, active_admins=1)
    rules.check_role_change(actor, ADMIN, TRAINEE, active_admins=2)
    rules.check_role_change(actor, ADMIN, TRAINEE, target_active=False, active_admins=1)  # not one of them
    rules.check_deactivation(actor, ADMIN, is_self=False, active_admins=2)


def test_nobody_deactivates_themselves():
    with pytest.raises(Refused, match="your own account"):
        rules.check_deactivation(ADMIN, ADMIN, is_self=True, active_admins=5)


def test_only_administrators_issue_passwords():
    rules.check_password_issue(ADMIN)
    rules.check_password_issue(SYSTEM)
    for actor in (HR, TRAINER, TRAINEE):
        with pytest.raises(Refused):
            rules.check_password_issue(actor)


def test_a_refusal_reads_as_text_and_keeps_its_msgid():
    refusal = Refused("only an administrator may grant or remove the %(role)s role", {"role": "admin"})
    assert str(refusal) == "only an administrator may grant or remove the admin role"
    assert refusal.params == {"role": "admin"}
