"""The audit log in words: each action key as a sentence ("exported the roster"), each detail as
a labelled field with a readable value ("Machine verdict: not passed"), targets named by kind.
The stored entries keep their keys (the hash chain covers them); only the page reads this."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from webapp.access import Role

from .labels import COLUMN_LABELS, MACHINE, STATE_LABELS

ACTIONS = {
    "api_token.create": _l("created an API token"),
    "api_token.revoke": _l("revoked an API token"),
    "certificate.issue": _l("issued a certificate"),
    "certificate.revoke": _l("revoked a certificate"),
    "certificate.recertification": _l("asked a holder to recertify"),
    "content.publish": _l("published the content"),
    "post.assign": _l("assigned a post"),
    "quizzes.export_responses": _l("exported quiz responses"),
    "requirement.override": _l("marked a requirement as met"),
    "requirement.override_revoke": _l("revoked a requirement override"),
    "roleplay.override": _l("overrode a role-play verdict"),
    "roleplay.review": _l("marked a role-play call as reviewed"),
    "roster.export": _l("exported the roster"),
    "roster.import": _l("imported a roster"),
    "user.activate": _l("reactivated an account"),
    "user.create": _l("created an account"),
    "user.deactivate": _l("deactivated an account"),
    "user.first_password": _l("issued a first password"),
    "user.reset_password": _l("reset a password"),
    "user.role": _l("changed a role"),
    "user.source": _l("moved an account to directory sign-in"),
    "user.unlock": _l("unlocked sign-ins"),
    "user.update": _l("edited an account"),
    "webhook.create": _l("added a webhook"),
    "webhook.deactivate": _l("deactivated a webhook"),
}

#: Target prefixes ("user:t1001") and the word for what they name.
TARGETS = {"user": _l("Account %(id)s"), "certificate": _l("Certificate %(id)s"), "call": _l("Call #%(id)s"),
           "api_token": _l("API token #%(id)s"), "webhook": _l("Webhook #%(id)s")}
WHOLE_TARGETS = {"roster": _l("Certification roster"), "users": _l("Accounts"), "content": _l("Content")}

FIELDS = {
    **COLUMN_LABELS,
    "format": _l("Format"), "filters": _l("Filters"), "headers": _l("Column headings"), "via": _l("Through"),
    "role": _l("Role"), "from": _l("Before"), "to": _l("After"), "team": _l("Team"), "due_date": _l("Due date"),
    "requirement": _l("Requirement"), "reason": _l("Reason"), "override": _l("Override no."),
    "user": _l("Employee number"), "cycle": _l("Certification cycle"), "note": _l("Note"),
    "counts": _l("Changes"), "rows": _l("Rows"), "created": _l("Created"), "updated": _l("Updated"),
    "unchanged": _l("Unchanged"), "retired": _l("Retired"), "turn": _l("Turn"), "criterion": _l("Criterion"),
    "machine_passed": _l("Machine verdict"), "passed": _l("Verdict"), "score": _l("Score"),
    "score_before": _l("Score before"), "score_after": _l("Score after"),
    "passed_before": _l("Result before"), "passed_after": _l("Result after"), "overrides": _l("Overrides"),
    "source": _l("Sign-in"), "search": _l("Search"), "issued_from": _l("Issued from"), "issued_to": _l("Issued until"),
    "expires_from": _l("Expires from"), "expires_to": _l("Expires until"),
    "scopes": _l("Scopes"), "expires_at": _l("Expires"), "url": _l("Receiver URL"), "events": _l("Events"),
}
VERDICT_FIELDS = {"machine_passed", "passed", "passed_before", "passed_after"}
SCORE_FIELDS = {"score", "score_before", "score_after"}
ROLES = {Role.TRAINEE: _l("Trainee"), Role.TRAINER: _l("Trainer"), Role.HR: _l("HR"), Role.ADMIN: _l("Administrator")}
HEADINGS = {MACHINE: _l("for other systems (fixed names and codes)"), "zh": _l("Chinese"), "en": _l("English")}
VIA = {"cli": _l("command line")}
PAIR = _l("%(label)s: %(value)s")
SEPARATOR = _l("; ")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: str


def action_sentence(action: str) -> str:
    return str(ACTIONS.get(action, action))


def target_text(target: str) -> str:
    kind, _colon, ident = target.partition(":")
    if ident and kind in TARGETS:
        return str(TARGETS[kind]) % {"id": ident}
    return str(WHOLE_TARGETS.get(target, target))


def value_text(key: str, value, action: str = "") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        if key in VERDICT_FIELDS:
            return str(_l("passed") if value else _l("not passed"))
        return str(_l("yes") if value else _l("no"))
    if key in SCORE_FIELDS and isinstance(value, (int, float)):
        return f"{value:.1f}%"
    if key == "role" or (action == "user.role" and key in ("from", "to")):
        return str(ROLES.get(value, value))
    if key == "status":
        return str(STATE_LABELS.get(value, value))
    if key == "headers":
        return str(HEADINGS.get(value, value))
    if key == "via":
        return str(VIA.get(value, value))
    if key == "format":
        return str(value).upper()
    if isinstance(value, Mapping):
        if set(value) == {"from", "to"}:  # an edited field: before → after
            return f"{value_text(key, value['from'], action)} → {value_text(key, value['to'], action)}"
        return str(SEPARATOR).join(str(PAIR) % {"label": field.label, "value": field.value}
                                   for field in fields(value, action)) or "—"
    if isinstance(value, list):
        return " / ".join(value_text(key, item, action) for item in value) or "—"
    return str(value)


def fields(details: Mapping, action: str = "") -> list[Field]:
    """The details of an entry as labelled fields, in stored order."""
    return [Field(key, str(FIELDS.get(key, key)), value_text(key, value, action)) for key, value in details.items()]
