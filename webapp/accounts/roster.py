"""Parsing HR roster CSV files exported from Excel (pure: bytes in, rows and problems out).

Excel on Chinese Windows writes GB18030 ("CSV"), or UTF-8 with a BOM ("CSV UTF-8"); headers may be
Chinese or English. Every problem carries the spreadsheet row number (the header is row 1) so HR
can fix the file and import it again.
"""
import csv
import io
import re
from dataclasses import dataclass, field

from webapp.access import Role

HEADER_ALIASES = {
    "employee_no": {"工号", "员工号", "员工编号", "employee_no", "employee number", "employee"},
    "name": {"姓名", "name"},
    "department": {"部门", "department", "dept"},
    "team": {"班组", "团队", "team"},
    "role": {"角色", "role"},
    "post": {"岗位", "post"},
    "due_date": {"截止日期", "完成期限", "due_date", "due date"},
    "email": {"邮箱", "电子邮箱", "email", "e-mail"},
}
REQUIRED_COLUMNS = ("employee_no", "name", "department")

ROLE_ALIASES = {
    Role.TRAINEE: {"trainee", "学员", "客服代表", "受训人员"},
    Role.TRAINER: {"trainer", "培训师", "讲师"},
    Role.HR: {"hr", "人力资源", "人事"},
    Role.ADMIN: {"admin", "管理员"},
}


def N_(message: str) -> str:
    """Marks a message for translation without translating it here (this module has no Flask)."""
    return message


EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
#: Enough to catch a name or a phone number typed into the e-mail column; the mail server decides the rest.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: A team (or e-mail) cell with only this empties the account's team (e-mail); an empty cell keeps it.
CLEAR_TEAM = "-"
#: Longest cell per column, in characters.
MAX_LENGTH = {"employee_no": 32, "name": 100, "department": 100, "team": 100, "role": 20, "post": 100,
              "due_date": 40, "email": 254}
#: Longest line read at all: the csv module refuses longer fields (field_size_limit) with an error
#: that names neither line nor column, so they are reported here first.
MAX_LINE = 128 * 1024


@dataclass
class RosterRow:
    row_number: int
    employee_no: str
    name: str
    department: str
    #: None keeps the account's team: no 班组 column, or an empty cell. CLEAR_TEAM empties it.
    team: str | None
    #: None keeps the account's role (a new account is a trainee): no 角色 column, or an empty cell.
    role: Role | None
    #: Optional columns other domains consume (post, due_date), as written in the file.
    extra: dict[str, str] = field(default_factory=dict)
    #: None keeps the account's e-mail address (no 邮箱 column, or an empty cell); "" removes it.
    email: str | None = None
    user_id: int | None = None  # set by the importer once the row is saved


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    #: An English msgid with %(name)s placeholders; the web page shows it translated.
    message: str
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.message % self.params

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.text}"


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, since GB18030 would also accept many UTF-8 byte runs."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _canonical_header(text: str) -> str | None:
    wanted = text.strip().lower()
    for column, aliases in HEADER_ALIASES.items():
        if wanted in aliases:
            return column
    return None


def _parse_role(text: str) -> Role | None:
    wanted = text.strip().lower()
    for role, aliases in ROLE_ALIASES.items():
        if wanted in aliases:
            return role
    return None


def _column_label(header: list[str], index: int) -> str:
    return header[index].strip() if index < len(header) and header[index].strip() else f"#{index + 1}"


def _unreadable_lines(text: str) -> list[RowProblem]:
    """NUL characters (a binary or UTF-16 file) and lines too long for the csv module, by line
    number and column (counted by commas: such lines are rarely quoted)."""
    if "\x00" not in text and len(text) <= MAX_LINE:
        return []
    lines = text.split("\n")
    header = lines[0].split(",")
    problems = []
    for line_number, line in enumerate(lines, start=1):
        if "\x00" in line:
            column = line[:line.index("\x00")].count(",")
            problems.append(RowProblem(line_number, N_(
                "column %(column)s contains a NUL character: is this a CSV text file?"),
                {"column": _column_label(header, column)}))
        elif len(line) > MAX_LINE:
            cells = line.split(",")
            column = max(range(len(cells)), key=lambda index: len(cells[index]))
            problems.append(RowProblem(line_number, N_("column %(column)s is longer than 128 KB"),
                                       {"column": _column_label(header, column)}))
        if len(problems) >= 20:
            break
    return problems


def parse_roster(data: bytes) -> tuple[list[RosterRow], list[RowProblem]]:
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return [], [RowProblem(1, N_("the file is neither UTF-8 nor GB18030 text"))]
    problems = _unreadable_lines(text)
    if problems:
        return [], problems
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            return [], [RowProblem(1, N_("the file is empty"))]
        columns = [_canonical_header(cell) for cell in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            return [], [RowProblem(1, N_("missing column(s): %(columns)s"), {"columns": ", ".join(missing)})]
        rows, problems = _parse_rows(reader, header, columns)
    except csv.Error as error:  # e.g. a quoted cell spanning lines beyond the csv field limit
        return [], [RowProblem(reader.line_num, N_("the file cannot be read as CSV here: %(reason)s"),
                               {"reason": str(error)})]
    return rows, problems


def _parse_rows(reader, header: list[str], columns: list[str | None]) -> tuple[list[RosterRow], list[RowProblem]]:
    label = {column: header[index].strip() for index, column in enumerate(columns) if column}
    rows: list[RosterRow] = []
    problems: list[RowProblem] = []
    first_row_of: dict[str, int] = {}
    for row_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # Excel leaves blank lines at the end
        values = {column: cell.strip() for column, cell in zip(columns, cells) if column}
        too_long = [column for column, value in values.items() if len(value) > MAX_LENGTH[column]]
        if too_long:
            problems.extend(RowProblem(row_number, N_("%(column)s is longer than %(max)d characters"),
                                       {"column": label[column], "max": MAX_LENGTH[column]}) for column in too_long)
            continue
        row_problems = []
        employee_no = values.get("employee_no", "")
        if not EMPLOYEE_NO.match(employee_no):
            row_problems.append(RowProblem(row_number, N_(
                "employee number is empty or has characters other than letters, digits, . _ -")))
        elif employee_no in first_row_of:
            row_problems.append(RowProblem(row_number, N_("employee number %(no)s already appears in row %(row)d"),
                                           {"no": employee_no, "row": first_row_of[employee_no]}))
        else:
            first_row_of[employee_no] = row_number
        name = values.get("name", "")
        if not name:
            row_problems.append(RowProblem(row_number, N_("name is empty")))
        department = values.get("department", "")
        if not department:
            row_problems.append(RowProblem(row_number, N_("department is empty")))
        role_text = values.get("role", "")
        role = _parse_role(role_text) if role_text else None
        if role_text and role is None:
            row_problems.append(RowProblem(row_number, N_(
                "unknown role %(role)s (trainee/学员, trainer/培训师, hr/人事, admin/管理员)"), {"role": role_text}))
        email_text = values.get("email", "")
        if email_text and email_text != CLEAR_TEAM and not EMAIL.match(email_text):
            row_problems.append(RowProblem(row_number, N_("e-mail address %(email)s is not valid"),
                                           {"email": email_text}))
        problems.extend(row_problems)
        if not row_problems:
            team_text = values.get("team", "")
            team = "" if team_text == CLEAR_TEAM else (team_text or None)
            extra = {key: values[key] for key in ("post", "due_date") if values.get(key)}
            email = "" if email_text == CLEAR_TEAM else (email_text or None)
            rows.append(RosterRow(row_number, employee_no, name, department, team, role, extra, email))
    return rows, problems
