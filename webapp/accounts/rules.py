"""Who may give, change or take away a role, and who may edit or deactivate an account (pure).

Every path that creates an account, changes a role or deactivates someone — the admin pages, the
web roster import, the command line — asks these functions, so the rules live here only:

- an administrator (and the system: command-line operators already hold the server) manages
  every account and every role;
- HR manages trainees only: it creates and updates trainee accounts, and neither grants nor
  removes any other role, nor edits an account that holds one;
- nobody demotes or deactivates the last active administrator;
- only administrators issue (and so see) temporary passwords.
"""
from webapp.access import Role
from webapp.accounts.roster import N_

#: The actor of command-line changes.
SYSTEM = "system"


class Refused(Exception):
    """A change the rules forbid. ``message`` is an English msgid with %(name)s placeholders."""

    def __init__(self, message: str, params: dict | None = None):
        super().__init__(message)
        self.message, self.params = message, params or {}

    def __str__(self) -> str:
        return self.message % self.params


def may_manage(actor: str, role: Role | str) -> bool:
    """May ``actor`` (a role or SYSTEM) edit accounts that hold ``role``, grant it or remove it?"""
    return actor in (Role.ADMIN, SYSTEM) or (actor == Role.HR and role == Role.TRAINEE)


def check_account_change(actor: str, target_role: Role | str) -> None:
    """Editing the name, department or team of an existing account."""
    if not may_manage(actor, target_role):
        raise Refused(N_("only an administrator may change an account with the %(role)s role"), {"role": Role(target_role).value})


def check_role_change(actor: str, current: Role | str | None, new: Role | str, *, target_active: bool = True,
                      active_admins: int) -> None:
    """``current`` is None for an account being created; ``active_admins`` counts the active
    administrators now, the target included."""
    if current == new:
        return
    for role in (current, new):
        if role is not None and not may_manage(actor, role):
            raise Refused(N_("only an administrator may grant or remove the %(role)s role"), {"role": Role(role).value})
    if current == Role.ADMIN and target_active and active_admins <= 1:
        raise Refused(N_("the last active administrator keeps the administrator role"))


def check_deactivation(actor: str, target_role: Role | str, *, is_self: bool, active_admins: int) -> None:
    if is_self:
        raise Refused(N_("you cannot deactivate your own account"))
    check_account_change(actor, target_role)
    if target_role == Role.ADMIN and active_admins <= 1:
        raise Refused(N_("the last active administrator cannot be deactivated"))


def check_password_issue(actor: str) -> None:
    """Whoever issues a temporary password sees it, so only administrators do (HR's roster import
    creates accounts without one)."""
    if actor not in (Role.ADMIN, SYSTEM):
        raise Refused(N_("only an administrator may issue passwords"))
