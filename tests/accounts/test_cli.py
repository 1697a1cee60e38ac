"""The command line acts as the system: any role, but never a password at import."""
from webapp.accounts import services


def test_cli_import_shows_no_password_and_issue_passwords_prints_them_once(runner, tmp_path, make_user):
    make_user(role="admin", employee_no="admin")
    roster = tmp_path / "roster.csv"
    roster.write_bytes("工号,姓名,部门,角色\nC001,钱七,客服,培训师\nC002,孙八,营业厅,\n".encode("gb18030"))
    result = runner.invoke(args=["users", "import", str(roster)])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and "password:" not in result.output
    assert services.find_user("C001").role == "trainer" and not services.find_user("C001").has_password
    issued = runner.invoke(args=["users", "issue-passwords", "--department", "客服"])
    lines = [line.split("\t") for line in issued.stdout.splitlines()]
    assert [(line[0], line[2]) for line in lines] == [("C001", "客服")]
    assert services.authenticate("C001", lines[0][3], "127.0.0.1").user is not None
    again = runner.invoke(args=["users", "issue-passwords", "--department", "客服"])
    assert again.stdout == ""


def test_cli_import_cannot_demote_the_last_administrator(runner, tmp_path, make_user):
    make_user(role="admin", employee_no="admin")
    roster = tmp_path / "roster.csv"
    roster.write_bytes("工号,姓名,部门,角色\nadmin,管理员,信息中心,学员\n".encode())
    result = runner.invoke(args=["users", "import", str(roster)])
    assert result.exit_code == 1 and "row 2: the last active administrator" in result.output
    assert services.find_user("admin").role == "admin"
