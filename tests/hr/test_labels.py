"""HR's roster in words: localized export headers and statuses (machine ones on request), search
by name or 工号, progress per person, links to edit a trainee."""
import csv
import io
import json

import openpyxl

from webapp.audit.models import AuditEntry
from webapp.extensions import db
from webapp.hr.export import COLUMNS

from tests.hr.test_views import roster_fixture

CHINESE_HEADERS = ("工号", "姓名", "部门", "岗位", "状态", "证书编号", "发证日期", "有效期至", "结业考试成绩", "情景演练平均分",
                   "验证链接", "撤销原因")
ENGLISH_HEADERS = ("Employee number", "Name", "Department", "Post", "Status", "Certificate number", "Issued on",
                   "Valid until", "Final exam score", "Role-play average", "Verification link", "Revocation reason")


def csv_table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def xlsx_table(response) -> list[tuple]:
    data = response.data
    response.close()
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.values)


def test_exports_speak_chinese_in_the_chinese_interface(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    table = csv_table(client.get("/hr/roster/export.csv"))
    assert tuple(table[0]) == CHINESE_HEADERS
    assert [(row[0], row[4]) for row in table[1:]] == [("a001", "已认证"), ("a002", "已逾期"), ("b001", "已撤销")]
    sheet = xlsx_table(client.get("/hr/roster/export.xlsx"))
    assert sheet[0] == CHINESE_HEADERS and sheet[1][4] == "已认证"


def test_exports_speak_english_in_the_english_interface(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    client.post("/language/en")
    table = csv_table(client.get("/hr/roster/export.csv"))
    assert tuple(table[0]) == ENGLISH_HEADERS
    assert [row[4] for row in table[1:]] == ["Certified", "Past due", "Revoked"]
    sheet = xlsx_table(client.get("/hr/roster/export.xlsx?status=revoked"))
    assert sheet[0] == ENGLISH_HEADERS and [row[4] for row in sheet[1:]] == ["Revoked"]


def test_the_machine_option_keeps_column_names_and_codes_in_any_language(client, auth, make_user, posts, records,
                                                                          today):
    auth.login(roster_fixture(make_user, posts, records, today))
    for language in ("zh_CN", "en"):
        client.post(f"/language/{language}")
        table = csv_table(client.get("/hr/roster/export.csv?headers=machine"))
        assert tuple(table[0]) == COLUMNS and [row[4] for row in table[1:]] == ["certified", "overdue", "revoked"]
        sheet = xlsx_table(client.get("/hr/roster/export.xlsx?headers=machine"))
        assert sheet[0] == COLUMNS and sheet[1][4] == "certified"
        parsed = json.loads(client.get("/hr/roster/export.json").data)  # JSON is always for machines
        assert tuple(parsed[0]) == COLUMNS and parsed[0]["status"] == "certified"
    modes = [entry.details["headers"] for entry in db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "roster.export").order_by(AuditEntry.id))]
    assert modes == ["machine"] * 6


def test_the_roster_offers_both_kinds_of_export_visibly(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    page = client.get("/hr/?department=客服一部").get_data(as_text=True)
    assert 'id="export-csv" href="/hr/roster/export.csv?department=' in page
    assert 'id="export-csv-machine" href="/hr/roster/export.csv?headers=machine&amp;department=' in page
    assert "不随界面语言变化" in page


def test_roster_search_by_name_or_employee_number(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    for query, expected in (("张小", ["a001"]), ("b00", ["b001"]), ("a00", ["a001", "a002"]), ("无此人", [])):
        page = client.get("/hr/", query_string={"search": query}).get_data(as_text=True)
        assert [e for e in ("a001", "a002", "b001") if f'data-employee-no="{e}"' in page] == expected, query
        assert f'value="{query}"' in page
    table = csv_table(client.get("/hr/roster/export.csv", query_string={"search": "陈"}))
    assert [row[0] for row in table[1:]] == ["b001"]  # exports follow the search too


def test_the_roster_shows_progress_toward_the_post_per_person(client, auth, make_user, posts, records, today):
    hr = roster_fixture(make_user, posts, records, today)
    halfway = make_user(employee_no="a003", name="半程", department="客服一部")
    from webapp.certification import services
    services.assign_post(halfway, posts["hotline-agent"], None, hr)
    db.session.commit()
    auth.login(hr)
    page = client.get("/hr/").get_data(as_text=True)

    def progress(employee_no):
        row = page.split(f'data-employee-no="{employee_no}"')[1].split("</tr>")[0]
        return int(row.split('data-progress="')[1].split('"')[0])

    assert progress("a001") == 100 and progress("a003") == 0
    assert 0 <= progress("a002") < 100
    assert 'aria-label="10000号客服代表 的认证进度"' in page and "<th>进度</th>" in page


def test_hr_reaches_a_trainee_edit_form_from_the_roster(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    page = client.get("/hr/").get_data(as_text=True)
    row = page.split('data-employee-no="a001"')[1].split("</tr>")[0]
    link = row.split('class="edit-user" href="')[1].split('"')[0]
    assert 'id="edit-user-form"' in client.get(link).get_data(as_text=True)
