import pytest

from webapp.access import Role
from webapp.accounts.roster import parse_roster

CHINESE = "工号,姓名,部门,班组,角色,岗位\nA001,张三,10000号客服中心,一班,学员,hotline-agent\nA002,李四,营业厅,,培训师,\n"
ENGLISH = "employee_no,name,department,role\nA001,Zhang San,Hotline,trainee\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_reads_the_encodings_excel_writes(encoding):
    rows, problems = parse_roster(CHINESE.encode(encoding))
    assert problems == []
    assert [(row.employee_no, row.name, row.department, row.team, row.role) for row in rows] == [
        ("A001", "张三", "10000号客服中心", "一班", Role.TRAINEE),
        ("A002", "李四", "营业厅", "", Role.TRAINER),
    ]
    assert rows[0].extra == {"post": "hotline-agent"} and rows[1].extra == {}


def test_english_headers_and_row_numbers_count_the_header_as_row_one():
    rows, problems = parse_roster(ENGLISH.encode())
    assert problems == [] and rows[0].row_number == 2 and rows[0].role is Role.TRAINEE


def test_every_bad_row_is_reported_with_its_number_and_reason():
    data = ("工号,姓名,部门,角色\n"
            "A001,张三,客服,学员\n"
            ",无工号,客服,学员\n"
            "A001,重复,客服,学员\n"
            "A003,,客服,学员\n"
            "A004,王五,客服,厨师\n"
            "\n").encode("gb18030")
    rows, problems = parse_roster(data)
    assert [(p.row_number, p.text.split()[0]) for p in problems] == [
        (3, "employee"), (4, "employee"), (5, "name"), (6, "unknown")]
    assert str(problems[1]) == "row 4: employee number A001 already appears in row 2"
    assert [row.employee_no for row in rows] == ["A001"]


def test_missing_required_column_is_reported_on_the_header_row():
    rows, problems = parse_roster("姓名,部门\n张三,客服\n".encode())
    assert rows == [] and problems[0].row_number == 1 and "employee_no" in problems[0].text


def test_empty_file():
    assert parse_roster(b"")[1][0].text == "the file is empty"
