"""HR roster: filters, counts, charts, exports in three formats, revoke, assign, audit log."""
import csv
import io
import json
from datetime import timedelta

import openpyxl

from webapp.audit.models import AuditEntry
from webapp.certification import services
from webapp.certification.models import Certificate, PostAssignment
from webapp.extensions import db
from webapp.hr.export import COLUMNS


def roster_fixture(make_user, posts, records, today):
    """Hotline: one certified (客服一部), one overdue (客服一部); hall: one revoked (营业厅)."""
    hr = make_user(role="hr", employee_no="hr0001", name="人事李娜")
    certified = make_user(employee_no="a001", name="张小明", department="客服一部")
    overdue = make_user(employee_no="a002", name="=SUM(A1)", department="客服一部")
    revoked = make_user(employee_no="b001", name="陈静", department="营业厅")
    services.assign_post(certified, posts["hotline-agent"], None, hr)
    services.assign_post(overdue, posts["hotline-agent"], today - timedelta(days=3), hr)
    services.assign_post(revoked, posts["hall-consultant"], None, hr)
    db.session.commit()
    records.complete(certified, posts["hotline-agent"])
    records.complete(revoked, posts["hall-consultant"])
    services.issue_due_certificates(certified.id)
    (to_revoke,) = services.issue_due_certificates(revoked.id)
    services.revoke_certificate(to_revoke, hr, "+违规操作")
    db.session.commit()
    return hr


def test_roster_counts_filters_and_charts(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    page = client.get("/hr/").get_data(as_text=True)
    for employee_no, state in (("a001", "certified"), ("a002", "overdue"), ("b001", "revoked")):
        assert f'data-employee-no="{employee_no}" data-post=' in page
        assert f'data-employee-no="{employee_no}" data-post="' in page and f'data-state="{state}"' in page
    assert 'data-department="客服一部"' in page and "1/2 (50%)" in page
    assert f'data-month="{today:%Y-%m}"' in page

    filtered = client.get("/hr/?department=客服一部&status=overdue").get_data(as_text=True)
    assert 'data-employee-no="a002"' in filtered
    assert 'data-employee-no="a001"' not in filtered and 'data-employee-no="b001"' not in filtered
    # the counts ignore the status filter so that every status stays one click away
    assert 'data-state="certified">' in filtered

    by_post = client.get("/hr/?post=hall-consultant").get_data(as_text=True)
    assert 'data-employee-no="b001"' in by_post and 'data-employee-no="a001"' not in by_post
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert 'data-employee-no="a001"' not in client.get(f"/hr/?issued_from={tomorrow}").get_data(as_text=True)
    expiry = (today + timedelta(days=800)).isoformat()
    assert 'data-employee-no="a001"' in client.get(f"/hr/?expires_to={expiry}").get_data(as_text=True)


def test_csv_export_follows_the_filters(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    response = client.get("/hr/roster/export.csv?department=客服一部&headers=machine")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    assert [(row["employee_no"], row["status"]) for row in rows] == [("a001", "certified"), ("a002", "overdue")]
    certified = rows[0]
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.revoked_at.is_(None)))
    assert certified["certificate_no"] == certificate.number and certified["post"] == "10000号客服代表"
    assert certified["verify_url"] == f"http://localhost/verify/{certificate.code}"
    assert certified["last_exam_score"] == "85.0" and certified["valid_until"] == certificate.valid_until.isoformat()
    assert rows[1]["name"] == "'=SUM(A1)"  # formula-injection guard
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "roster.export"))
    assert entry.details == {"format": "csv", "filters": {"department": "客服一部"}, "headers": "machine"}


def test_json_and_xlsx_exports(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    parsed = json.loads(client.get("/hr/roster/export.json?status=revoked").data)
    assert [(row["employee_no"], row["revocation_reason"]) for row in parsed] == [("b001", "+违规操作")]
    xlsx = client.get("/hr/roster/export.xlsx?headers=machine")
    assert xlsx.status_code == 200
    data = xlsx.data
    xlsx.close()  # closes the temporary file the response was sent from
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = list(sheet.values)
    assert values[0] == COLUMNS and [row[0] for row in values[1:]] == ["a001", "a002", "b001"]
    assert client.get("/hr/roster/export.pdf").status_code == 404


def test_assign_a_post_with_a_due_date(client, auth, make_user, posts, today):
    auth.login(make_user(role="hr"))
    trainee = make_user(employee_no="c001")
    due = today + timedelta(days=14)
    response = client.post("/hr/assign", data={"employee_no": "c001", "post": "telemarketer", "due_date": due.isoformat()})
    assert response.status_code == 302
    assignment = db.session.scalar(db.select(PostAssignment))
    assert (assignment.user_id, assignment.post_id, assignment.due_date) == (trainee.id, "telemarketer", due)
    bad = client.post("/hr/assign", data={"employee_no": "nobody", "post": "telemarketer"})
    assert "没有使用该工号的学员" in bad.get_data(as_text=True)


def test_revoke_through_the_form_then_the_public_page_says_revoked(client, auth, make_user, posts, records, today):
    hr = roster_fixture(make_user, posts, records, today)
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.revoked_at.is_(None)))
    auth.login(hr)
    assert client.post(f"/hr/certificates/{certificate.id}/revoke", data={"reason": ""}).status_code == 200
    response = client.post(f"/hr/certificates/{certificate.id}/revoke", data={"reason": "冒名顶替考试"})
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.revocation_reason == "冒名顶替考试"
    assert 'data-validity="revoked"' in client.get(f"/verify/{certificate.code}").get_data(as_text=True)


def test_recertify_button(client, auth, make_user, posts, records, today):
    hr = roster_fixture(make_user, posts, records, today)
    assignment = db.session.scalar(db.select(PostAssignment).join(Certificate, Certificate.user_id == PostAssignment.user_id)
                                   .where(Certificate.revoked_at.is_(None)))
    auth.login(hr)
    client.post(f"/hr/assignments/{assignment.id}/recertify", data={"note": "内容更新"})
    assert 'data-employee-no="a001"' in client.get("/hr/?status=expiring").get_data(as_text=True)


def test_audit_log_filters(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    page = client.get("/hr/audit?action=certificate.revoke").get_data(as_text=True)
    assert 'data-action="certificate.revoke"' in page and 'data-action="certificate.issue"' not in page
    assert "人事李娜" in page
    by_actor = client.get("/hr/audit?actor=nobody-like-this").get_data(as_text=True)
    assert "没有符合筛选条件的记录" in by_actor


def test_trainees_cannot_reach_hr_pages(client, auth, make_user):
    auth.login(make_user())
    for url in ("/hr/", "/hr/roster/export.csv", "/hr/assign", "/hr/audit"):
        assert client.get(url).status_code == 403


def test_hr_home_panel_counts(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    page = client.get("/").get_data(as_text=True)
    assert 'id="hr-panel"' in page


def test_combined_filters_agree_on_the_page_and_in_every_export(client, auth, make_user, posts, records, today):
    """department + post + status + issue/expiry ranges narrow together, identically everywhere."""
    auth.login(roster_fixture(make_user, posts, records, today))
    day, later = today.isoformat(), (today + timedelta(days=800)).isoformat()
    cases = {
        f"department=客服一部&post=hotline-agent&status=certified&issued_from={day}&issued_to={day}"
        f"&expires_from={day}&expires_to={later}": ["a001"],
        "department=客服一部&status=revoked": [],
        "post=hall-consultant&status=revoked": ["b001"],
        f"department=营业厅&issued_from={(today + timedelta(days=1)).isoformat()}": [],
        "post=hotline-agent&status=overdue": ["a002"],
        f"expires_to={later}": ["a001", "b001"],  # a date range leaves out those without a certificate
    }
    for query, expected in cases.items():
        page = client.get(f"/hr/?{query}").get_data(as_text=True)
        assert [e for e in ("a001", "a002", "b001") if f'data-employee-no="{e}"' in page] == expected, query
        csv_data = client.get(f"/hr/roster/export.csv?{query}&headers=machine").data.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(csv_data)))
        assert [row["employee_no"] for row in rows] == expected, query
        assert [row["employee_no"] for row in json.loads(client.get(f"/hr/roster/export.json?{query}").data)] == expected
        response = client.get(f"/hr/roster/export.xlsx?{query}")
        data = response.data
        response.close()
        sheet_rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.values)[1:]
        assert [row[0] for row in sheet_rows] == expected, query


def test_audit_log_filters_combine(client, auth, make_user, posts, records, today):
    auth.login(roster_fixture(make_user, posts, records, today))
    client.get("/hr/roster/export.csv?department=营业厅")
    day = today.isoformat()
    page = client.get(f"/hr/audit?action=certificate.&target=HA-&since={day}&until={day}").get_data(as_text=True)
    assert page.count('data-action="certificate.issue"') == 2 and page.count('data-action="certificate.revoke"') == 1
    assert 'data-action="roster.export"' not in page and 'data-action="post.assign"' not in page
    exports = client.get("/hr/audit?action=roster.export&actor=人事李娜").get_data(as_text=True)
    assert exports.count('data-action="roster.export"') == 1 and "营业厅" in exports
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert 'data-action=' not in client.get(f"/hr/audit?since={tomorrow}").get_data(as_text=True)


def test_csv_download_guards_in_sql_as_the_generic_writer_does_in_python(client, auth, make_user, posts, records,
                                                                          today):
    from webapp.hr import export, services as hr

    auth.login(roster_fixture(make_user, posts, records, today))
    services.assign_post(make_user(employee_no="-c001", name="@某人", department="=部门"), posts["hotline-agent"], None,
                         None)
    db.session.commit()
    downloaded = client.get("/hr/roster/export.csv?headers=machine").data.decode("utf-8")
    with client.application.test_request_context():
        written = "".join(export.csv_chunks(hr.export_rows(hr.RosterFilters(), services.local_today(),
                                                           services.verify_url_prefix())))
    assert downloaded == written
    assert all(cell in downloaded for cell in ("'+违规操作", "'=SUM(A1)", "'-c001", "'@某人", "'=部门"))
