"""What importing a parsed roster changes, and which rows the account rules refuse (pure).

A row creates an account or updates one. It never changes what the file does not say: without a
班组 (team), 角色 (role) or 邮箱 (e-mail) column, or with an empty cell, the account keeps its team,
role and e-mail (a new account gets none and the trainee role); a team or e-mail cell of "-" empties it. Rows
apply in file order, so a file that demotes one administrator and appoints another must appoint
first.
"""
from dataclasses import dataclass, field

from webapp.access import Role
from webapp.accounts import rules
from webapp.accounts.roster import RosterRow, RowProblem

#: Fields a roster row may change, in the order the audit log lists them.
ROSTER_FIELDS = ("name", "department", "team", "role", "email")


@dataclass(frozen=True)
class Account:
    """An existing account, as much of it as the plan needs."""

    id: int
    employee_no: str
    name: str
    department: str
    team: str
    role: str
    active: bool
    email: str = ""


@dataclass
class Plan:
    create: list[tuple[RosterRow, Role]] = field(default_factory=list)
    #: (row, account, {field: (old, new)}) for accounts the row changes.
    update: list[tuple[RosterRow, Account, dict[str, tuple[str, str]]]] = field(default_factory=list)
    unchanged: list[tuple[RosterRow, Account]] = field(default_factory=list)

    @property
    def takes_admin_role(self) -> bool:
        return any(changes.get("role", (None,))[0] == Role.ADMIN for _row, _account, changes in self.update)


def wanted_values(row: RosterRow) -> dict[str, str]:
    """The fields this row sets; the others keep their value."""
    wanted = {"name": row.name, "department": row.department}
    if row.team is not None:
        wanted["team"] = row.team
    if row.role is not None:
        wanted["role"] = row.role.value
    if row.email is not None:
        wanted["email"] = row.email
    return wanted


def plan_import(rows: list[RosterRow], existing: dict[str, Account], actor: str,
                active_admins: int) -> tuple[Plan, list[RowProblem]]:
    """``actor`` is the importer's role or rules.SYSTEM; ``active_admins`` counts them before the import."""
    plan, problems = Plan(), []
    for row in rows:
        account = existing.get(row.employee_no)
        try:
            if account is None:
                role = row.role or Role.TRAINEE
                rules.check_role_change(actor, None, role, active_admins=active_admins)
                plan.create.append((row, role))
                active_admins += role == Role.ADMIN
                continue
            rules.check_account_change(actor, account.role)
            wanted = wanted_values(row)
            rules.check_role_change(actor, account.role, wanted.get("role", account.role),
                                    target_active=account.active, active_admins=active_admins)
        except rules.Refused as refusal:
            problems.append(RowProblem(row.row_number, refusal.message, refusal.params))
            continue
        changes = {name: (getattr(account, name), wanted[name]) for name in ROSTER_FIELDS
                   if name in wanted and getattr(account, name) != wanted[name]}
        if "role" in changes and account.active:
            active_admins += (wanted["role"] == Role.ADMIN) - (account.role == Role.ADMIN)
        if changes:
            plan.update.append((row, account, changes))
        else:
            plan.unchanged.append((row, account))
    return plan, problems
