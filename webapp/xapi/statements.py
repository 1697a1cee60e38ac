"""xAPI 1.0.3 statements for what a trainee does on the platform (pure: no Flask, no database).

Vocabulary (docs: README "Learning records"):

- verbs from the ADL vocabulary (``http://adlnet.gov/expapi/verbs/…``): completed (lesson),
  passed / failed (quiz), scored (role-play call); a certificate is ``earned``, from the xAPI
  registry (``http://id.tincanapi.com/verb/earned``), since ADL has no verb for receiving one;
- activity types: ADL lesson, assessment (quiz), simulation (role-play call), course (module,
  parent of a lesson), and the registry's certificate;
- the actor is an account (homePage = the platform URL, name = employee number), never an e-mail;
- a quiz's pass mark is cmi5's ``masteryscore`` context extension (scaled, like cmi5 defines it);
- a call's per-criterion results go in ``result.extensions``: a SubStatement describes an intended
  or hypothetical experience (xAPI 1.0.3, "When the Object is a Statement"), not a part of a result,
  and neither ADL nor cmi5 defines per-criterion results. Our extension IRIs live under the
  platform's own URL;
- a trainer's override is a new ``scored`` statement referring to the machine's one.

Statement ids are UUIDv5 of the platform URL and a key naming the event (e.g. ``quiz-attempt:17``),
so every retry sends the same id and the LRS keeps one statement.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import quote

XAPI_VERSION = "1.0.3"

ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"
EARNED = "http://id.tincanapi.com/verb/earned"
CERTIFICATE_TYPE = "http://id.tincanapi.com/activitytype/certificate"
CMI5_MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"

VERB_NAMES = {
    "completed": ("completed", "完成了"),
    "passed": ("passed", "通过了"),
    "failed": ("failed", "未通过"),
    "scored": ("scored", "得分"),
    "earned": ("earned", "获得了"),
}


class StatementError(ValueError):
    """Values that cannot make a valid statement (a score outside 0–100, a bad platform URL)."""


@dataclass(frozen=True)
class Platform:
    """Who records: its public URL is the actors' homePage and the root of every IRI we mint."""

    home_page: str
    name: str = "Hotline Academy"

    def __post_init__(self):
        if not self.home_page.startswith(("https://", "http://")):
            raise StatementError(f"platform URL must start with http:// or https://: {self.home_page!r}")
        object.__setattr__(self, "home_page", self.home_page.rstrip("/"))

    def iri(self, *parts: str) -> str:
        return "/".join([self.home_page, "xapi", *(quote(part, safe="") for part in parts)])


@dataclass(frozen=True)
class Learner:
    user_id: int  # keys events: an employee number can be corrected later
    employee_no: str


@dataclass(frozen=True)
class Named:
    """A thing with a stable id and its title in Chinese and, where it has one, English."""

    id: str
    title_zh: str
    title_en: str = ""


@dataclass(frozen=True)
class CriterionTally:
    """One role-play criterion over a whole call: judged in ``judged`` turns, passed in ``passed``."""

    key: str
    label: str
    kind: str  # "requirement" | "violation"
    judged: int
    passed: int
    critical: bool = False  # a critical violation was upheld: it failed the call


def tally_criteria(criteria: Iterable) -> list[CriterionTally]:
    """Per-criterion totals of a call from its turns' criteria (objects with key, label, kind,
    passed, critical), in the order the criteria first came up."""
    tallies: dict[str, CriterionTally] = {}
    for c in criteria:
        before = tallies.get(c.key) or CriterionTally(c.key, c.label, c.kind, 0, 0)
        tallies[c.key] = replace(before, judged=before.judged + 1, passed=before.passed + int(c.passed),
                                 critical=before.critical or (c.critical and not c.passed))
    return list(tallies.values())


def statement_id(platform: Platform, event_key: str) -> str:
    return str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, platform.home_page), event_key))


def lesson_completed(platform: Platform, learner: Learner, lesson: Named, module: Named, at: datetime) -> dict:
    return _statement(
        platform, f"lesson:{learner.user_id}:{lesson.id}", learner, "completed",
        _activity(platform.iri("lesson", lesson.id), "lesson", lesson),
        at, result={"completion": True},
        parents=[_activity(platform.iri("module", module.id), "course", module)],
    )


def quiz_graded(platform: Platform, learner: Learner, quiz: Named, attempt_id: int, attempt_number: int,
                score: float, pass_mark: float, passed: bool, at: datetime) -> dict:
    """A graded quiz attempt: passed or failed, with its score (percent) and the pass mark that counted."""
    verb = "passed" if passed else "failed"
    return _statement(
        platform, f"quiz-attempt:{attempt_id}", learner, verb,
        _activity(platform.iri("quiz", quiz.id), "assessment", quiz),
        at, result={"score": _score(score), "success": passed, "completion": True},
        extensions={CMI5_MASTERY_SCORE: _scaled(pass_mark),
                    platform.iri("extensions", "attempt-number"): attempt_number},
    )


def call_scored(platform: Platform, learner: Learner, scenario: Named, call_id: int, mode: str,
                score: float, passed: bool, completed: bool, criteria: list[CriterionTally],
                started_at: datetime, finished_at: datetime, override: tuple[int, datetime] | None = None) -> dict:
    """A scored role-play call: its score, success and duration, and how each criterion fared.

    A trainer's override (its id and time) rescores the call: statements are immutable, so that is
    a new statement pointing at the machine's (``context.statement``), which stays true of its time.
    """
    key = f"call:{call_id}"
    statement = _statement(
        platform, key if override is None else f"{key}:override:{override[0]}", learner, "scored",
        _activity(platform.iri("scenario", scenario.id), "simulation", scenario),
        finished_at if override is None else override[1],
        result={
            "score": _score(score), "success": passed, "completion": completed,
            "duration": _duration(finished_at - started_at),
            "extensions": {platform.iri("extensions", "criteria"): [
                {"key": c.key, "label": c.label, "kind": c.kind, "judged": c.judged, "passed": c.passed,
                 "critical": c.critical} for c in criteria
            ]},
        },
        extensions={platform.iri("extensions", "call-mode"): mode},
    )
    if override is not None:
        statement["context"]["statement"] = {"objectType": "StatementRef", "id": statement_id(platform, key)}
    return statement


def certificate_issued(platform: Platform, learner: Learner, post: Named, certificate_id: int, number: str,
                       cycle: int, valid_until: date, at: datetime) -> dict:
    certificate = Named(number, f"{post.title_zh}岗位认证证书", f"{post.title_en} certificate")
    return _statement(
        platform, f"certificate:{certificate_id}", learner, "earned",
        _activity(platform.iri("certificate", number), CERTIFICATE_TYPE, certificate),
        at,
        parents=[_activity(platform.iri("post", post.id), "course", post)],
        extensions={platform.iri("extensions", "certification-cycle"): cycle,
                    platform.iri("extensions", "valid-until"): valid_until.isoformat()},
    )


def _statement(platform: Platform, event_key: str, learner: Learner, verb: str, activity: dict,
               at: datetime, result: dict | None = None, parents: list[dict] | None = None,
               extensions: dict | None = None) -> dict:
    en, zh = VERB_NAMES[verb]
    context: dict = {"platform": platform.name, "language": "zh-CN"}
    if parents:
        context["contextActivities"] = {"parent": parents}
    if extensions:
        context["extensions"] = extensions
    statement = {
        "id": statement_id(platform, event_key),
        "version": XAPI_VERSION,
        "actor": {"objectType": "Agent", "account": {"homePage": platform.home_page, "name": learner.employee_no}},
        "verb": {"id": EARNED if verb == "earned" else ADL_VERB + verb, "display": {"en-US": en, "zh-CN": zh}},
        "object": activity,
        "context": context,
        "timestamp": _timestamp(at),
    }
    if result is not None:
        statement["result"] = result
    return statement


def _activity(iri: str, activity_type: str, named: Named) -> dict:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {
            "type": activity_type if "://" in activity_type else ADL_ACTIVITY + activity_type,
            "name": {"zh-CN": named.title_zh} | ({"en-US": named.title_en} if named.title_en else {}),
        },
    }


def _scaled(percent: float) -> float:
    if not 0 <= percent <= 100:
        raise StatementError(f"score must be between 0 and 100: {percent}")
    return round(percent / 100, 4)


def _score(percent: float) -> dict:
    return {"scaled": _scaled(percent), "raw": round(percent, 2), "min": 0, "max": 100}


def _timestamp(at: datetime) -> str:
    """Stored datetimes are naive UTC (webapp.clock); xAPI wants an offset."""
    if at.tzinfo is not None:
        raise StatementError("timestamps are naive UTC datetimes")
    return at.isoformat(timespec="milliseconds") + "Z"


def _duration(elapsed) -> str:
    return f"PT{max(elapsed.total_seconds(), 0):.1f}S"
