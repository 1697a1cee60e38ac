"""Extension points through which domains plug into the shell without editing shared files.

Each domain's ``init_app(app)`` registers its navigation entries, home-page panels and demo
loaders here; the portal and ``flask demo load`` read them back. Signals let one domain react to
another without an import cycle (courses/quizzes/roleplay → certification; accounts → posts; every
domain event → notifications, learning records, webhooks).
"""
from dataclasses import dataclass, field
from typing import Any, Callable

from blinker import Namespace
from flask import Flask

_signals = Namespace()

#: Sent with ``user_id=`` after a lesson completion, graded quiz or finished call is committed.
progress_recorded = _signals.signal("progress-recorded")

#: Sent by the roster importer before it commits, with ``rows=[RosterRow, ...]`` (accounts already
#: written, ``row.user_id`` set) and ``actor=`` (the importing User, None from the command line).
#: Receivers return a list of ``webapp.accounts.roster.RowProblem`` (message = English msgid
#: marked with ``N_``, params); any problem rolls the whole import back. Rosters run to 100,000
#: rows: write in bulk, not row by row.
roster_imported = _signals.signal("roster-imported")

# Domain events. Each is sent INSIDE the emitting transaction, before its commit, so that what a
# receiver adds to the session (typically ``webapp.jobs.enqueue``) commits or rolls back with the
# event itself: no notification for a rollback, no lost one for a commit. Receivers never commit.

#: ``certificate=`` (Certificate) just issued.
certificate_issued = _signals.signal("certificate-issued")
#: ``certificate=``, ``actor=`` (User), ``reason=`` (str).
certificate_revoked = _signals.signal("certificate-revoked")
#: ``assignment_ids=`` (list of PostAssignment ids, new or given a new due date; a roster import
#: sends them all at once, up to 100,000), ``actor=`` (User or None from the command line).
post_assigned = _signals.signal("post-assigned")
#: ``attempt=`` (quiz Attempt, graded: score and passed set).
attempt_graded = _signals.signal("attempt-graded")
#: ``call=`` (role-play Call that has just ended and been scored).
call_finished = _signals.signal("call-finished")
#: ``user_id=``, ``lesson=`` (Lesson) completed for the first time.
lesson_completed = _signals.signal("lesson-completed")
#: ``call=``, ``override=`` (VerdictOverride) a trainer's verdict on one criterion.
verdict_overridden = _signals.signal("verdict-overridden")


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy_gettext string, translated when rendered
    roles: frozenset[str]
    order: int


@dataclass(frozen=True)
class HomePanel:
    template: str
    roles: frozenset[str]
    order: int
    context: Callable[[], dict] | None = None  # extra template variables, computed per request


@dataclass(frozen=True)
class TraineePlan:
    """What certification tells the activity domains about a trainee's posts. They cannot import
    certification (it imports them to read their records), so it registers these here."""

    post_rules: Callable[[int], Any]  # user id → the PostRules of the trainee's posts
    next_step_url: Callable[[int], str | None]  # user id → the page of the plan's next step


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home_panels: list[HomePanel] = field(default_factory=list)
    demo_loaders: list[tuple[int, Callable[[], None]]] = field(default_factory=list)
    plan: TraineePlan | None = None
    user_extras: dict[str, Any] = field(default_factory=dict)


def registry(app: Flask) -> Registry:
    return app.extensions.setdefault("hotline", Registry())


def add_nav(app: Flask, endpoint: str, label, roles, order: int) -> None:
    registry(app).nav.append(NavItem(endpoint, label, frozenset(roles), order))
    registry(app).nav.sort(key=lambda item: item.order)


def add_home_panel(app: Flask, template: str, roles, order: int, context=None) -> None:
    registry(app).home_panels.append(HomePanel(template, frozenset(roles), order, context))
    registry(app).home_panels.sort(key=lambda panel: panel.order)


def add_user_extra(app: Flask, name: str, expression) -> None:
    """A per-user value every page shows (the header's unread count), read in the same statement
    as the signed-in user rather than one of its own: ``expression`` is a scalar SQL expression
    correlated to ``users.id``; the request finds its value in ``g.<name>``."""
    registry(app).user_extras[name] = expression


def set_trainee_plan(app: Flask, plan: TraineePlan) -> None:
    registry(app).plan = plan


def trainee_plan(app: Flask) -> TraineePlan:
    plan = registry(app).plan
    if plan is None:
        raise LookupError("no domain registered the trainee plan (the certification domain is missing)")
    return plan


def add_demo_loader(app: Flask, loader: Callable[[], None], order: int) -> None:
    """Loaders run in ``order`` inside ``flask demo load``, after the demo accounts exist."""
    registry(app).demo_loaders.append((order, loader))
    registry(app).demo_loaders.sort(key=lambda entry: entry[0])
