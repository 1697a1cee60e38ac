import pytest

from webapp import create_app
from webapp.accounts import services
from webapp.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


def test_users_create(runner):
    result = runner.invoke(args=["users", "create", "--employee-no", "C001", "--name", "钱七", "--department", "客服",
                                 "--role", "trainer", "--password", "long-password"])
    assert result.exit_code == 0, result.output
    assert services.find_user("C001").role == "trainer"


def test_users_import_all_or_nothing_with_row_numbers(runner, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("工号,姓名,部门,角色\nC001,钱七,客服,学员\nC002,孙八,,学员\nC003,周九,客服,老板\n".encode("gb18030"))
    result = runner.invoke(args=["users", "import", str(roster)])
    assert result.exit_code == 1
    assert "row 3:" in result.output and "row 4:" in result.output
    assert services.find_user("C001") is None
    roster.write_bytes("employee_no,name,department,role\nC001,Qian Qi,Hotline,trainee\n".encode())
    assert runner.invoke(args=["users", "import", str(roster)]).exit_code == 0
    again = runner.invoke(args=["users", "import", str(roster)])
    assert "0 created, 0 updated, 1 unchanged" in again.output


def test_demo_load_creates_every_role_once(runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and DEMO_PASSWORD in first.output
    runner.invoke(args=["demo", "load"])
    roles = {services.find_user(account[0]).role for account in DEMO_ACCOUNTS}
    assert roles == {"trainee", "trainer", "hr", "admin"}


@pytest.mark.parametrize("args", [["content", "stats"], ["users", "import", "ROSTER"], ["quizzes", "close-overdue"],
                                  ["certification", "issue"]])
def test_every_command_on_an_unmigrated_database_says_to_upgrade(tmp_path, args):
    """A fresh database (no `flask db upgrade` yet): one clear line, never a SQL traceback."""
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_no,name,department,role\nC001,Qian Qi,Hotline,trainee\n", encoding="utf-8")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/fresh.db"})
    result = app.test_cli_runner().invoke(args=[str(roster) if arg == "ROSTER" else arg for arg in args])
    assert result.exit_code == 1
    assert "run `flask db upgrade` first" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
