import pytest

from webapp.access import Role
from webapp.accounts.roster import MAX_LINE, parse_roster

CHINESE = "工号,姓名,部门,班组,角色,岗位\nA001,张三,10000号客服中心,一班,学员,hotline-agent\nA002,李四,营业厅,,培训师,\n"
ENGLISH = "employee_no,name,department,role\nA001,Zhang San,Hotline,trainee\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_reads_the_encodings_excel_writes(encoding):
    rows, problems = parse_roster(CHINESE.encode(encoding))
    assert problems == []
    assert [(row.employee_no, row.name, row.department, row.team, row.role) for row in rows] == [
        ("A001", "张三", "10000号客服中心", "一班", Role.TRAINEE),
        ("A002", "李四", "营业厅", None, Role.TRAINER),
    ]
    assert rows[0].extra == {"post": "hotline-agent"} and rows[1].extra == {}


def test_english_headers_and_row_numbers_count_the_header_as_row_one():
    rows, problems = parse_roster(ENGLISH.encode())
    assert problems == [] and rows[0].row_number == 2 and rows[0].role is Role.TRAINEE


def test_missing_columns_and_empty_cells_keep_values_and_a_dash_clears_the_team():
    rows, _problems = parse_roster("工号,姓名,部门\nA001,张三,客服\n".encode())
    assert (rows[0].team, rows[0].role) == (None, None)
    rows, _problems = parse_roster("工号,姓名,部门,班组,角色\nA001,张三,客服,,\nA002,李四,客服,-,学员\n".encode())
    assert [(row.team, row.role) for row in rows] == [(None, None), ("", Role.TRAINEE)]


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


def test_cells_longer_than_their_column_allows_are_named():
    rows, problems = parse_roster(f"工号,姓名,部门\nA001,{'张' * 101},客服\n".encode())
    assert rows == [] and [str(p) for p in problems] == ["row 2: 姓名 is longer than 100 characters"]


def test_a_nul_byte_is_reported_at_its_line_and_column():
    rows, problems = parse_roster("工号,姓名,部门\nA001,张三,客服\nA002,李\x00四,客服\n".encode())
    assert rows == [] and [str(p) for p in problems] == [
        "row 3: column 姓名 contains a NUL character: is this a CSV text file?"]


def test_a_field_over_128_kb_is_reported_at_its_line_and_column_not_raised():
    rows, problems = parse_roster(f"工号,姓名,部门\nA001,张三,{'x' * (MAX_LINE + 1)}\n".encode())
    assert rows == [] and [str(p) for p in problems] == ["row 2: column 部门 is longer than 128 KB"]


def test_a_quoted_field_over_the_csv_limit_across_lines_is_a_problem_not_a_crash():
    cell = "\n".join(["y" * 60_000] * 3)
    rows, problems = parse_roster(f'工号,姓名,部门\nA001,张三,"{cell}"\n'.encode())
    assert rows == [] and problems[0].row_number >= 2 and "cannot be read as CSV" in problems[0].text


def test_missing_required_column_is_reported_on_the_header_row():
    rows, problems = parse_roster("姓名,部门\n张三,客服\n".encode())
    assert rows == [] and problems[0].row_number == 1 and "employee_no" in problems[0].text


def test_empty_file():
    assert parse_roster(b"")[1][0].text == "the file is empty"
