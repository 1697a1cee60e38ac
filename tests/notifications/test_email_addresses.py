"""Where e-mail addresses come from: the roster import's 邮箱/email column (the admin's edit page
is in test_views)."""
from webapp.accounts import importer
from webapp.accounts.models import User
from webapp.accounts.roster import parse_roster
from webapp.extensions import db


def emails() -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(db.select(User.employee_no, User.email)).all())


def test_the_email_column_is_read_checked_and_may_be_missing():
    rows, problems = parse_roster("工号,姓名,部门,邮箱\nA1,张三,营业厅,zhang@corp.cn\nA2,李四,营业厅,\n"
                                  "A3,王五,营业厅,-\nA4,赵六,营业厅,13800138000\n".encode())
    assert [row.email for row in rows] == ["zhang@corp.cn", None, ""]
    assert [(problem.row_number, problem.params) for problem in problems] == [(5, {"email": "13800138000"})]
    rows, problems = parse_roster("employee_no,name,department\nA1,张三,营业厅\n".encode())
    assert problems == [] and rows[0].email is None


def test_import_sets_keeps_and_clears_addresses(app, make_user):
    admin = make_user(role="admin")
    result = importer.import_roster("工号,姓名,部门,email\nA1,张三,营业厅,zhang@corp.cn\nA2,李四,营业厅,li@corp.cn\n"
                                    .encode(), actor=admin)
    db.session.commit()
    assert result.problems == [] and result.created == 2
    assert emails()["A1"] == "zhang@corp.cn"
    result = importer.import_roster("工号,姓名,部门,邮箱\nA1,张三,营业厅,\nA2,李四,营业厅,-\n".encode(), actor=admin)
    db.session.commit()
    assert (result.updated, result.unchanged) == (1, 1)
    assert (emails()["A1"], emails()["A2"]) == ("zhang@corp.cn", "")
