"""What a roster import changes, without a database."""
from webapp.access import Role
from webapp.accounts.roster import parse_roster
from webapp.accounts.roster_plan import Account, plan_import
from webapp.accounts.rules import SYSTEM


def accounts(*specs) -> dict[str, Account]:
    return {no: Account(index, no, name, "人力资源部", team, role, True)
            for index, (no, name, team, role) in enumerate(specs, start=1)}


EXISTING = accounts(("admin", "系统管理员", "", "admin"), ("hr01", "李娜", "", "hr"),
                    ("t1001", "张伟", "一班", "trainee"))


def plan(text: str, actor, existing=EXISTING, active_admins=1):
    rows, problems = parse_roster(text.encode())
    assert problems == []
    return plan_import(rows, existing, actor, active_admins)


def test_hr_rows_asking_for_another_role_or_touching_other_roles_are_refused_at_their_line():
    _plan, problems = plan("工号,姓名,部门,角色\n"
                           "t1001,张伟,人力资源部,学员\n"
                           "hr01,李娜,人力资源部,admin\n"
                           "n9001,新人,客服,admin\n"
                           "admin,系统管理员,人力资源部,trainee\n"
                           "n9002,新人二,客服,\n", Role.HR)
    assert [(p.row_number, p.params.get("role")) for p in problems] == [(3, "hr"), (4, "admin"), (5, "admin")]


def test_hr_creates_and_updates_trainees():
    result, problems = plan("工号,姓名,部门,班组\nt1001,张伟,客服二部,二班\nn9001,新人,客服,\n", Role.HR)
    assert problems == []
    assert [(row.employee_no, role) for row, role in result.create] == [("n9001", Role.TRAINEE)]
    assert [(row.employee_no, changes) for row, _account, changes in result.update] == [
        ("t1001", {"department": ("人力资源部", "客服二部"), "team": ("一班", "二班")})]


def test_a_roster_without_a_team_or_role_column_keeps_both():
    result, problems = plan("工号,姓名,部门\nt1001,张伟,人力资源部\n", Role.HR)
    assert problems == [] and [row.employee_no for row, _account in result.unchanged] == ["t1001"]


def test_the_administrator_does_everything_but_demote_the_last_administrator():
    result, problems = plan("工号,姓名,部门,角色\nhr01,李娜,人力资源部,admin\nn9001,新人,客服,hr\n", Role.ADMIN)
    assert problems == [] and result.update[0][2] == {"role": ("hr", "admin")} and not result.takes_admin_role
    _result, problems = plan("工号,姓名,部门,角色\nadmin,系统管理员,人力资源部,trainee\n", SYSTEM)
    assert [p.row_number for p in problems] == [2]


def test_rows_apply_in_order_so_appointing_first_allows_a_demotion():
    result, problems = plan("工号,姓名,部门,角色\nhr01,李娜,人力资源部,admin\nadmin,系统管理员,人力资源部,trainee\n",
                            Role.ADMIN)
    assert problems == [] and result.takes_admin_role  # the importer then counts on locked rows
    _result, problems = plan("工号,姓名,部门,角色\nadmin,系统管理员,人力资源部,trainee\nhr01,李娜,人力资源部,admin\n",
                             Role.ADMIN)
    assert [p.row_number for p in problems] == [2]
