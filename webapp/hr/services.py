"""The certification roster for HR: filters, counts, charts and paging in SQL on the states the
engine stored on each assignment (certification.standings), exports streamed from one query,
roster-import assignments and the audit log query. Shared by the views and the CLI."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import insert, update

from webapp.accounts.models import User
from webapp.accounts.roster import N_, RowProblem
from webapp.audit.models import AuditEntry
from webapp.audit.services import record_many
from webapp.certification import engine, standings
from webapp.certification.models import Certificate, Post, PostAssignment, RequirementOverride, certificate_number
from webapp.certification.services import (
    assignment_of, definition_of, local_date, posts_in_order, trainee_records_of, utc_start_of,
)
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.queries import COUNT_CAP, capped_count, distinct_values, stream_tuples
from webapp.registry import post_assigned

from . import freshness, tallies
from .export import COLUMNS as EXPORT_COLUMNS
from .export import FORMULA_TRIGGERS

STREAM_BATCH = 2000
EXPORT_BATCH = 5000  # rows per fetch and per CSV chunk
ROSTER_CHUNK = 5000  # user ids per IN (...) query
HOLDING = (engine.State.CERTIFIED, engine.State.EXPIRING)  # hold a valid certificate
DATE_IN_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str | None) -> date | None:
    """2026-03-31, 2026/3/31, 2026.3.31 or 2026年3月31日; None when empty, not a date, or the
    calendar's first or last day (filters compute the day after and a local day's UTC start)."""
    match = DATE_IN_TEXT.match(text or "")
    if not match:
        return None
    try:
        day = date(*map(int, match.groups()))
    except ValueError:
        return None
    return day if date.min < day < date.max else None


# --- filters ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterFilters:
    search: str = ""  # part of a name or an employee number (工号)
    department: str = ""
    post: str = ""
    status: str = ""  # an engine.State value
    issued_from: date | None = None
    issued_to: date | None = None
    expires_from: date | None = None
    expires_to: date | None = None
    user_ids: tuple[int, ...] = ()  # only these users (the HR API's roster page)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RosterFilters:
        """From query-string or CLI values; unknown statuses and malformed dates are ignored."""
        status = args.get("status") or ""
        return cls(
            search=(args.get("search") or "").strip(),
            department=(args.get("department") or "").strip(),
            post=(args.get("post") or "").strip(),
            status=status if status in set(engine.State) else "",
            **{name: parse_date(args.get(name)) for name in
               ("issued_from", "issued_to", "expires_from", "expires_to")},
        )

    def as_args(self) -> dict[str, str]:
        """The non-empty filters as query-string values (links keep the current filters)."""
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        return {name: value.isoformat() if isinstance(value, date) else value
                for name, value in values.items() if value}


# --- the roster -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterEntry:
    assignment_id: int
    user_id: int
    employee_no: str
    name: str
    department: str
    post_id: str
    post_title: str
    due_date: date | None
    state: engine.State
    certificate_id: int | None
    certificate_no: str
    code: str
    issued_on: date | None
    valid_until: date | None
    exam_score: float | None
    roleplay_average: float | None
    revocation_reason: str
    overrides: int = 0  # active requirement overrides (met by override)


def _filtered(query, filters: RosterFilters, today: date, status: bool = True):
    """The roster's filters as SQL (the status on ``today`` from the stored state timeline)."""
    if filters.search:
        query = query.where(User.name.contains(filters.search, autoescape=True)
                            | User.employee_no.contains(filters.search, autoescape=True))
    if filters.department:
        query = query.where(User.department == filters.department)
    if filters.user_ids:
        query = query.where(User.id.in_(filters.user_ids))
    if filters.post:
        query = query.where(PostAssignment.post_id == filters.post)
    if filters.issued_from:
        query = query.where(Certificate.issued_at >= utc_start_of(filters.issued_from))
    if filters.issued_to:
        query = query.where(Certificate.issued_at < utc_start_of(filters.issued_to + timedelta(days=1)))
    if filters.expires_from:
        query = query.where(Certificate.valid_until >= filters.expires_from)
    if filters.expires_to:
        query = query.where(Certificate.valid_until <= filters.expires_to)
    if status and filters.status:
        query = query.where(standings.state_on(today) == filters.status)
    return query


def _joined(query, filters: RosterFilters, people: bool = True, certificates: bool = True):
    """Assignments with their trainee and latest certificate (stored on the row by standings);
    a count whose filters name neither reads the assignments alone."""
    query = query.select_from(PostAssignment)
    if people or filters.search or filters.department:
        query = query.join(User, User.id == PostAssignment.user_id)
    if certificates or filters.issued_from or filters.issued_to or filters.expires_from or filters.expires_to:
        query = query.outerjoin(Certificate, Certificate.id == PostAssignment.certificate_id)
    return query


def _roster_query(filters: RosterFilters, today: date):
    query = _joined(db.select(
        PostAssignment.id.label("assignment_id"), PostAssignment.due_date, standings.state_on(today).label("state"),
        User.id.label("user_id"), User.employee_no, User.name, User.department, Post.id.label("post_id"),
        Post.title_zh, Certificate.id.label("certificate_id"), Certificate.code, Certificate.issued_at,
        Certificate.valid_until, Certificate.exam_score, Certificate.roleplay_average,
        Certificate.revocation_reason), filters).join(Post, Post.id == PostAssignment.post_id)
    return _filtered(query, filters, today).order_by(User.department, User.employee_no, PostAssignment.post_id)


def _entry(row) -> RosterEntry:
    held = row.certificate_id is not None
    return RosterEntry(
        assignment_id=row.assignment_id, user_id=row.user_id, employee_no=row.employee_no, name=row.name,
        department=row.department, post_id=row.post_id, post_title=row.title_zh, due_date=row.due_date,
        state=engine.State(row.state), certificate_id=row.certificate_id,
        certificate_no=certificate_number(row.issued_at, row.certificate_id) if held else "",
        code=row.code or "", issued_on=local_date(row.issued_at) if held else None,
        valid_until=row.valid_until, exam_score=row.exam_score, roleplay_average=row.roleplay_average,
        revocation_reason=row.revocation_reason or "",
    )


def roster_entries(filters: RosterFilters, today: date) -> Iterator[RosterEntry]:
    """Every assignment matching the filters, streamed from a server-side cursor."""
    rows = db.session.execute(_roster_query(filters, today).execution_options(yield_per=STREAM_BATCH))
    return (_entry(row) for row in rows)


def _spreadsheet_text(column, guarded: bool):
    """SQL: the text column formula-guarded as export.guard_formula does (``guarded``), else as is."""
    if not guarded:
        return column
    return db.case((db.func.substr(column, 1, 1).in_(sorted(FORMULA_TRIGGERS)), "'" + column), else_=column)


def export_batches(filters: RosterFilters, today: date, verify_url_prefix: str,
                   status_labels: Mapping[str, str] | None = None, guarded: bool = False) -> Iterator[list[tuple]]:
    """The export's fixed columns (webapp.hr.export.COLUMNS) of every matching assignment, in
    batches of plain tuples streamed from the database (``queries.stream_tuples``); statuses as
    ``status_labels`` name them (default: the codes). ``guarded``: for a spreadsheet, the text
    people typed is formula-guarded by the query (the other columns are made here, never a formula)."""
    labels, local_day = status_labels or {}, tallies.local_dates()
    text = [_spreadsheet_text(column, guarded) for column in (User.employee_no, User.name, User.department,
                                                               Post.title_zh, Certificate.revocation_reason)]
    query = _roster_query(filters, today).with_only_columns(
        *text, standings.state_on(today), Certificate.id, Certificate.issued_at, Certificate.valid_until,
        Certificate.exam_score, Certificate.roleplay_average, Certificate.code)
    for rows in stream_tuples(query, EXPORT_BATCH):
        yield [(employee_no, name, department, post, labels.get(state, state),
                certificate_number(issued_at, certificate_id) if certificate_id else "",
                local_day(issued_at) if certificate_id else None, valid_until, exam_score, roleplay_average,
                verify_url_prefix + code if code else "", reason or "")
               for (employee_no, name, department, post, reason, state, certificate_id, issued_at, valid_until,
                    exam_score, roleplay_average, code) in rows]


def export_rows(filters: RosterFilters, today: date, verify_url_prefix: str,
                status_labels: Mapping[str, str] | None = None) -> Iterator[dict]:
    """``export_batches`` as one dict per assignment (the JSON and XLSX writers)."""
    for batch in export_batches(filters, today, verify_url_prefix, status_labels):
        yield from (dict(zip(EXPORT_COLUMNS, values)) for values in batch)


# --- the roster page: counts, charts and one page of entries, each one aggregate query --------

@dataclass(frozen=True)
class DepartmentShare:
    department: str
    assigned: int
    holding: int

    @property
    def percent(self) -> int:
        return round(100 * self.holding / self.assigned) if self.assigned else 0


@dataclass(frozen=True)
class MonthBar:
    month: date  # first day
    issued: int
    expiring: int


@dataclass
class RosterPage:
    entries: list[RosterEntry] = field(default_factory=list)
    matching: int = 0
    counts: Counter = field(default_factory=Counter)  # per state, whatever the status filter
    departments: list[DepartmentShare] = field(default_factory=list)
    months: list[MonthBar] = field(default_factory=list)

    @property
    def busiest_month(self) -> int:
        return max([1] + [max(bar.issued, bar.expiring) for bar in self.months])


def _month(day: date, offset: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def _tally(*criteria):
    """SQL: how many rows of the group meet the criteria (one column of a conditional aggregate:
    grouping by a CASE instead makes the planner expect a group per row and sort them all)."""
    return db.func.sum(db.case((db.and_(*criteria), 1), else_=0))


def _by_department(share: DepartmentShare) -> str:
    """Shares in one order however they were counted (not the database's collation)."""
    return share.department


def _counts_and_shares(filters: RosterFilters, today: date) -> tuple[Counter, list[DepartmentShare]]:
    """The counts per state (whatever the status filter) and the department shares (with it),
    from one scan grouped by department."""
    state = standings.state_on(today)
    query = _joined(db.select(User.department, *(_tally(state == name.value) for name in engine.State)), filters,
                    certificates=False)
    query = _filtered(query, filters, today, status=False).group_by(User.department)
    counts, shares = Counter(), []
    for department, *per_state in db.session.execute(query):
        by_state = dict(zip(engine.State, per_state))
        counts.update(by_state)
        shown = [name for name in engine.State if not filters.status or name == filters.status]
        assigned = sum(by_state[name] for name in shown)
        if assigned:
            shares.append(DepartmentShare(department, assigned, sum(by_state[name] for name in shown if name in HOLDING)))
    return +counts, sorted(shares, key=_by_department)


def _month_bars(filters: RosterFilters, today: date) -> list[MonthBar]:
    """Certificates issued per local month (the last 12) and expiring per month (the next 12, not
    revoked), as the columns of one aggregate row."""
    months = _months(today)
    bounds = [*months, _month(today, 13)]
    starts = [utc_start_of(month) for month in bounds]
    not_revoked = standings.state_on(today) != engine.State.REVOKED.value
    issued = [_tally(Certificate.issued_at >= start, Certificate.issued_at < end)
              for start, end in zip(starts, starts[1:])]
    expiring = [_tally(Certificate.valid_until >= start, Certificate.valid_until < end, not_revoked)
                for start, end in zip(bounds, bounds[1:])]
    query = _filtered(_joined(db.select(*issued, *expiring), filters, people=False), filters, today).where(
        ((Certificate.issued_at >= starts[0]) & (Certificate.issued_at < starts[-1]))
        | ((Certificate.valid_until >= bounds[0]) & (Certificate.valid_until < bounds[-1])))
    row = [count or 0 for count in db.session.execute(query).one()]
    return [MonthBar(month, row[index], row[len(months) + index]) for index, month in enumerate(months)]


def _answered_by_tallies(filters: RosterFilters) -> bool:
    """The tallies are per department, post and state: other filters need the assignments."""
    return not (filters.search or filters.user_ids or filters.issued_from or filters.issued_to
                or filters.expires_from or filters.expires_to)


def _months(today: date) -> list[date]:
    """The first days of the months the bars show: the last 12 and the next 12."""
    return [_month(today, offset) for offset in range(-11, 13)]


def _summed(sums: tallies.Sums, status: str, today: date) -> tuple[Counter, list[DepartmentShare], list[MonthBar]]:
    """What ``_counts_and_shares`` and ``_month_bars`` answer, added up from the tallies."""
    counts, shares = Counter(), {}
    for (department, state), count in (+sums.by_department).items():
        counts[engine.State(state)] += count
        if not status or state == status:
            assigned, holding = shares.get(department, (0, 0))
            shares[department] = (assigned + count, holding + (count if state in HOLDING else 0))
    issued, expiring = Counter(), Counter()
    for (state, month), count in sums.issued.items():
        if not status or state == status:
            issued[month] += count
    for (state, month), count in sums.expiring.items():
        if (not status or state == status) and state != engine.State.REVOKED:
            expiring[month] += count
    return (+counts, sorted((DepartmentShare(department, *share) for department, share in shares.items()),
                            key=_by_department),
            [MonthBar(month, issued[month], expiring[month]) for month in _months(today)])


def _kept_aggregates(filters: RosterFilters, today: date) -> tuple[Counter, list[DepartmentShare], list[MonthBar]]:
    """The counts, shares and bars: from the tallies when they answer the filters, else from the
    assignments; kept by this process while the roster stamp has not changed."""
    def compute():
        months = (_month(today, -11), _month(today, 13))
        found = tallies.tallied(today, months, filters.department, filters.post) if _answered_by_tallies(filters) else None
        if found is None:
            return (*_counts_and_shares(filters, today), _month_bars(filters, today))
        return _summed(found, filters.status, today)

    return freshness.cached(("roster", filters, today), compute)


def _with_overrides(entries: list[RosterEntry]) -> list[RosterEntry]:
    """Active requirement overrides of the people on one page (met by override)."""
    if not entries:
        return entries
    counts = dict(((user_id, post_id), count) for user_id, post_id, count in db.session.execute(
        db.select(RequirementOverride.user_id, RequirementOverride.post_id, db.func.count())
        .where(RequirementOverride.user_id.in_({entry.user_id for entry in entries}),
               RequirementOverride.revoked_at.is_(None))
        .group_by(RequirementOverride.user_id, RequirementOverride.post_id)))
    return [replace(entry, overrides=counts.get((entry.user_id, entry.post_id), 0)) for entry in entries]


def roster_page(filters: RosterFilters, today: date, page: int, per_page: int) -> RosterPage:
    counts, departments, months = _kept_aggregates(filters, today)
    result = RosterPage(counts=counts, departments=departments, months=months)
    result.matching = sum(share.assigned for share in result.departments)
    rows = db.session.execute(_roster_query(filters, today).limit(per_page).offset((page - 1) * per_page))
    result.entries = _with_overrides([_entry(row) for row in rows])
    return result


def progress_by_assignment(entries: list[RosterEntry], today: date) -> dict[int, float]:
    """How far each person on a roster page is toward their post (0..1), as the trainee's own
    dashboard computes it (engine.evaluate), with everyone's records read together."""
    assignments = db.session.scalars(db.select(PostAssignment).where(
        PostAssignment.id.in_([entry.assignment_id for entry in entries]))).all()
    user_ids = {assignment.user_id for assignment in assignments}
    records = trainee_records_of(user_ids)
    events = standings.events_of(db.session, user_ids, overrides=True)
    definitions = {post.id: definition_of(post) for post in posts_in_order()}
    return {assignment.id: engine.evaluate(definitions[assignment.post_id], records[assignment.user_id],
                                           events.get((assignment.user_id, assignment.post_id), []),
                                           assignment_of(assignment), today).progress
            for assignment in assignments}


# --- roster import: the 岗位 / 截止日期 columns ---------------------------------------------------

def _post_by_name() -> dict[str, Post]:
    found = {}
    for post in posts_in_order():
        found.update({post.id: post, post.title_zh: post, post.title_en.lower(): post})
    return found


def assign_from_roster(sender, rows, actor=None, **_extra) -> list[RowProblem]:
    """Receiver of ``webapp.registry.roster_imported``: assign the post named in each row."""
    posts, problems, wanted = _post_by_name(), [], {}
    for row in rows:
        post_text, due_text = row.extra.get("post", ""), row.extra.get("due_date", "")
        if not post_text:
            if due_text:
                problems.append(RowProblem(row.row_number, N_("a due date needs a post in the same row")))
            continue
        post = posts.get(post_text) or posts.get(post_text.lower())
        due_date = parse_date(due_text)
        if post is None:
            problems.append(RowProblem(row.row_number, N_("unknown post %(post)s"), {"post": post_text}))
        elif due_text and due_date is None:
            problems.append(RowProblem(row.row_number, N_("due date %(text)s is not a date such as 2026-03-31"),
                                       {"text": due_text}))
        else:
            wanted[row.user_id, post.id] = (row.employee_no, due_date)
    if not problems:  # any problem rolls the whole import back: nothing to write
        _assign_in_bulk(wanted, actor)
    return problems


def _assign_in_bulk(wanted: dict[tuple[int, str], tuple[str, date | None]], actor: User | None) -> None:
    """What ``certification.services.assign_post`` does for one row, for a whole roster in a few
    statements (a roster may hold 100,000 rows). A row repeating an assignment as it stands
    (same post, same due date) changes nothing, so re-importing a roster is not 100,000 new
    assignments in the audit log."""
    now, existing = utcnow(), _assignments_of({user_id for user_id, _post_id in wanted})
    assigned_by_id = actor.id if actor is not None else None
    changed = {key: value for key, value in wanted.items() if key not in existing or existing[key][1] != value[1]}
    new = [{"user_id": user_id, "post_id": post_id, "due_date": due_date, "assigned_at": now,
            "assigned_by_id": assigned_by_id}
           for (user_id, post_id), (_employee_no, due_date) in changed.items() if (user_id, post_id) not in existing]
    again = [{"id": existing[key][0], "due_date": due_date, "assigned_at": now, "assigned_by_id": assigned_by_id}
             for key, (_employee_no, due_date) in changed.items() if key in existing]
    if new:
        db.session.execute(insert(PostAssignment.__table__), new)
    if again:
        db.session.execute(update(PostAssignment), again)
    standings.refresh(changed)  # the bulk statements bypass the ORM's hooks
    record_many((("post.assign", f"user:{employee_no}",
                  {"post": post_id, "due_date": due_date.isoformat() if due_date else None})
                 for (_user_id, post_id), (employee_no, due_date) in changed.items()), actor=actor)
    if changed:
        ids = _assignments_of({user_id for user_id, _post_id in changed})
        post_assigned.send(current_app._get_current_object(), assignment_ids=[ids[key][0] for key in changed],
                           actor=actor)


def _assignments_of(user_ids: set[int]) -> dict[tuple[int, str], tuple[int, date | None]]:
    """(user id, post id) → (assignment id, due date) of these users, in chunks of a roster."""
    found, user_ids = {}, sorted(user_ids)
    for start in range(0, len(user_ids), ROSTER_CHUNK):
        query = (db.select(PostAssignment.id, PostAssignment.user_id, PostAssignment.post_id, PostAssignment.due_date)
                 .where(PostAssignment.user_id.in_(user_ids[start:start + ROSTER_CHUNK])))
        found.update({(user_id, post_id): (id_, due) for id_, user_id, post_id, due in db.session.execute(query)})
    return found


# --- audit log --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilters:
    action: str = ""  # prefix, e.g. "certificate." or "certificate.revoke"
    actor: str = ""  # part of the actor's employee number or name
    target: str = ""  # part of the target
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilters:
        return cls((args.get("action") or "").strip(), (args.get("actor") or "").strip(),
                   (args.get("target") or "").strip(), parse_date(args.get("since")), parse_date(args.get("until")))


def audit_query(filters: AuditFilters):
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters.action:
        query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    if filters.actor:
        query = query.where(AuditEntry.actor_label.contains(filters.actor, autoescape=True))
    if filters.target:
        query = query.where(AuditEntry.target.contains(filters.target, autoescape=True))
    if filters.since:
        query = query.where(AuditEntry.at >= utc_start_of(filters.since))
    if filters.until:
        query = query.where(AuditEntry.at < utc_start_of(filters.until + timedelta(days=1)))
    return query


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    newer: int | None  # the id to list entries after (the newer page), None on the newest page
    older: int | None  # the id to list entries before (the older page), None on the oldest page
    matching: int  # capped at cap + 1: "more than 10,000"


def audit_page(filters: AuditFilters, before: int | None, after: int | None, per_page: int,
               cap: int = COUNT_CAP) -> AuditPage:
    """One page of matching entries, newest first, by keyset (``before``/``after`` an entry id):
    a page deep in 500,000 entries costs what the first does. The count stops at ``cap``."""
    query = audit_query(filters)
    if after is not None:  # the newer page: the per_page entries just above ``after``, read upwards
        rows = list(db.session.scalars(query.where(AuditEntry.id > after).order_by(None)
                                       .order_by(AuditEntry.id).limit(per_page + 1)))
        more_newer, entries = len(rows) > per_page, rows[:per_page][::-1]
        more_older = True
    else:
        if before is not None:
            query = query.where(AuditEntry.id < before)
        rows = list(db.session.scalars(query.limit(per_page + 1)))
        more_older, entries = len(rows) > per_page, rows[:per_page]
        more_newer = before is not None
    return AuditPage(entries, entries[0].id if entries and more_newer else None,
                     entries[-1].id if entries and more_older else None, capped_count(audit_query(filters), cap))


def audit_actions() -> list[str]:
    return distinct_values(AuditEntry.action)


def status_counts(today: date) -> dict[engine.State, int]:
    """Every assignment per state (the HR home page): the unfiltered roster's counts."""
    counts = _kept_aggregates(RosterFilters(), today)[0]
    return {name: counts[name] for name in engine.State}
