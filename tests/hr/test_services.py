"""Roster import assigns posts; the CLI export streams the same rows; the demo has every state."""
import csv
import io
from datetime import date

from webapp.accounts import importer
from webapp.accounts import services as accounts
from webapp.certification.engine import State
from webapp.certification.services import local_today
from webapp.certification.models import PostAssignment
from webapp.extensions import db
from webapp.hr import services, tallies
from webapp.hr.services import RosterFilters, parse_date


def test_parse_date_accepts_what_excel_users_type():
    assert parse_date("2026-03-31") == parse_date("2026/3/31") == parse_date("2026年3月31日") == date(2026, 3, 31)
    assert parse_date("2026-02-30") is None and parse_date("next week") is None and parse_date("") is None
    assert parse_date("0001-01-01") is None and parse_date("9999-12-31") is None  # no day before or after


def test_filters_from_query_values_ignore_nonsense():
    filters = RosterFilters.from_args({"status": "happy", "issued_from": "2026-01-01", "expires_to": "x",
                                       "department": " 营业厅 "})
    assert filters == RosterFilters(department="营业厅", issued_from=date(2026, 1, 1))
    assert filters.as_args() == {"department": "营业厅", "issued_from": "2026-01-01"}


def test_roster_import_assigns_posts_with_due_dates(app, posts):
    roster = ("工号,姓名,部门,岗位,截止日期\n"
              "r001,赵一,客服一部,10000号客服代表,2026/12/31\n"
              "r002,钱二,营业厅,hall-consultant,\n"
              "r003,孙三,营业厅,,\n").encode("utf-8-sig")
    result = importer.import_roster(roster)
    db.session.commit()
    assert result.problems == []
    assignments = {(a.user.employee_no, a.post_id, a.due_date) for a in db.session.scalars(db.select(PostAssignment))}
    assert assignments == {("r001", "hotline-agent", date(2026, 12, 31)), ("r002", "hall-consultant", None)}


def test_roster_import_rejects_unknown_posts_and_dates(app, posts):
    roster = ("工号,姓名,部门,岗位,截止日期\n"
              "r001,赵一,客服一部,10000号客服代表,下个月\n"
              "r002,钱二,营业厅,保安,\n"
              "r003,孙三,营业厅,,2026-01-01\n").encode("utf-8")
    result = importer.import_roster(roster)
    assert [problem.row_number for problem in result.problems] == [2, 3, 4]
    assert accounts.find_user("r001") is None and db.session.scalar(db.select(PostAssignment)) is None


def test_cli_export_writes_every_format(app, runner, posts, tmp_path):
    runner.invoke(args=["demo", "load"])
    for export_format in ("csv", "json", "xlsx"):
        output = tmp_path / f"roster.{export_format}"
        result = runner.invoke(args=["hr", "export", "--format", export_format, "--status", "expired",
                                     "--base-url", "https://academy.example.cn/", "--output", str(output)])
        assert result.exit_code == 0, result.output
        assert output.stat().st_size > 0
    data = (tmp_path / "roster.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 1 + 5  # header + one per demo department
    assert b",expired," in data and data.count(b",https://academy.example.cn/verify/") == 5
    bad = runner.invoke(args=["hr", "export", "--format", "csv", "--issued-from", "yesterday",
                              "--output", str(tmp_path / "x.csv")])
    assert bad.exit_code != 0


def test_cli_export_needs_a_public_address_for_verify_urls(app, runner, posts, tmp_path):
    """No silent relative paths: --base-url, else HOTLINE_PUBLIC_BASE_URL, else an explicit --relative-urls."""
    runner.invoke(args=["demo", "load"])
    output = tmp_path / "roster.csv"
    app.config["PUBLIC_BASE_URL"] = ""
    refused = runner.invoke(args=["hr", "export", "--format", "csv", "--output", str(output)])
    assert refused.exit_code != 0 and "--base-url" in refused.output and not output.exists()
    not_absolute = runner.invoke(args=["hr", "export", "--format", "csv", "--base-url", "academy.example.cn",
                                       "--output", str(output)])
    assert not_absolute.exit_code != 0 and not output.exists()

    relative = runner.invoke(args=["hr", "export", "--format", "csv", "--status", "certified", "--relative-urls",
                                   "--output", str(output)])
    assert relative.exit_code == 0, relative.output
    urls = [row["verify_url"] for row in csv.DictReader(io.StringIO(output.read_text("utf-8-sig")))]
    assert len(urls) == 5 and all(url.startswith("/verify/") for url in urls)

    app.config["PUBLIC_BASE_URL"] = "https://hr.example.cn"
    configured = runner.invoke(args=["hr", "export", "--format", "csv", "--status", "certified",
                                     "--output", str(output)])
    assert configured.exit_code == 0, configured.output
    urls = [row["verify_url"] for row in csv.DictReader(io.StringIO(output.read_text("utf-8-sig")))]
    assert all(url.startswith("https://hr.example.cn/verify/") for url in urls)


def test_demo_has_every_state_in_several_departments(app, runner, posts):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    runner.invoke(args=["demo", "load"])  # idempotent
    entries = list(services.roster_entries(RosterFilters(), local_today()))
    states = {entry.state for entry in entries}
    assert states == set(State)
    departments_with_all = {d for d in {e.department for e in entries}
                            if {e.state for e in entries if e.department == d} == set(State)}
    assert len(departments_with_all) >= 5


def test_certification_cli_issues_on_demand(app, runner, make_user, posts, records):
    from webapp.certification import services as certification

    trainee = make_user()
    certification.assign_post(trainee, posts["telemarketer"], None, None)
    db.session.commit()
    records.complete(trainee, posts["telemarketer"])
    result = runner.invoke(args=["certification", "issue"])
    assert result.exit_code == 0 and "1 certificate(s) issued" in result.output


def test_date_filters_use_local_days(app, make_user, posts, records):
    """Issued at 2026-03-31 23:30 UTC is 2026-04-01 07:30 in Shanghai: it belongs to April 1st."""
    from datetime import datetime

    from webapp.certification import services as certification
    from webapp.certification.models import Certificate

    trainee = make_user(department="时区测试部")
    certification.assign_post(trainee, posts["telemarketer"], None, None)
    db.session.commit()
    records.complete(trainee, posts["telemarketer"])
    (certificate,) = certification.issue_due_certificates(trainee.id)
    certificate.issued_at = datetime(2026, 3, 31, 23, 30)
    db.session.commit()
    assert certification.utc_start_of(date(2026, 4, 1)) == datetime(2026, 3, 31, 16, 0)

    def found(**dates) -> list[str]:
        filters = RosterFilters(department="时区测试部", **{k: date.fromisoformat(v) for k, v in dates.items()})
        return [entry.certificate_no for entry in services.roster_entries(filters, local_today())]

    assert found(issued_from="2026-04-01", issued_to="2026-04-01") == [certificate.number]
    assert found(issued_to="2026-03-31") == []
    (entry,) = services.roster_entries(RosterFilters(department="时区测试部"), local_today())
    assert entry.issued_on == date(2026, 4, 1)


def test_audit_pages_walk_by_keyset_both_ways_and_the_count_stops_at_the_cap(app):
    from webapp.audit.services import record

    for number in range(25):
        record("user.create", f"user:k{number:03d}", {})
        record("post.assign", f"user:k{number:03d}", {})
    db.session.commit()
    only = services.AuditFilters(action="user.")
    targets = lambda page: [entry.target for entry in page.entries]  # noqa: E731
    newest = services.audit_page(only, None, None, 10, cap=20)
    assert targets(newest) == [f"user:k{number:03d}" for number in range(24, 14, -1)]
    assert newest.newer is None and newest.matching == 21  # 25 match: "more than 20"
    middle = services.audit_page(only, newest.older, None, 10)
    oldest = services.audit_page(only, middle.older, None, 10)
    assert targets(oldest) == [f"user:k{number:03d}" for number in range(4, -1, -1)] and oldest.older is None
    assert targets(services.audit_page(only, None, oldest.newer, 10)) == targets(middle)
    assert services.audit_page(only, None, middle.newer, 10).newer is None  # back on the newest page


def test_local_dates_of_an_export_match_local_date_across_a_change_of_offset(app):
    from datetime import datetime, timedelta

    from webapp.certification.services import local_date

    app.config["BABEL_DEFAULT_TIMEZONE"] = "America/St_Johns"  # DST changes at 05:30 UTC, half hours off
    local_day = tallies.local_dates()
    moments = [datetime(2026, 3, 8, 0, 0) + timedelta(minutes=15 * step) for step in range(4 * 48)]
    assert [local_day(moment) for moment in moments] == [local_date(moment) for moment in moments]


def test_roster_aggregates_are_kept_until_a_commit_writes_what_they_read(app, posts):
    """Assigning (ORM), a department changed by a bulk statement (the roster import's way) and a
    rolled-back change: the counts and shares follow each commit, and only commits."""
    from sqlalchemy import event, update

    from webapp.accounts.models import User
    from webapp.certification import services as certification

    def shares():
        page = services.roster_page(RosterFilters(), local_today(), 1, 50)
        return {share.department: share.assigned for share in page.departments}

    def statements_of(call):
        seen = []

        def count(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            return call(), len(seen)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    first = accounts.create_user("f001", "冯一", "客服一部", "trainee", "x-password-1")
    certification.assign_post(first, posts["hotline-agent"], None, None)
    db.session.commit()
    assert shares() == {"客服一部": 1}
    kept, _first_cost = statements_of(lambda: services.status_counts(local_today()))
    assert statements_of(lambda: services.status_counts(local_today())) == (kept, 1)  # the stamp only
    second = accounts.create_user("f002", "冯二", "营业厅", "trainee", "x-password-1")
    certification.assign_post(second, posts["hall-consultant"], None, None)
    db.session.commit()
    assert shares() == {"客服一部": 1, "营业厅": 1}
    assert sum(services.status_counts(local_today()).values()) == 2
    db.session.execute(update(User), [{"id": second.id, "department": "客服一部"}])
    db.session.commit()
    assert shares() == {"客服一部": 2}
    db.session.execute(update(User), [{"id": second.id, "department": "不会保存"}])
    db.session.rollback()
    assert shares() == {"客服一部": 2}
