"""The statements' shape, built by the pure functions (no app, no LRS)."""
import uuid
from datetime import date, datetime
from types import SimpleNamespace

import pytest

from webapp.xapi import statements as xapi

PLATFORM = xapi.Platform("https://academy.example.cn/")
LEARNER = xapi.Learner(7, "t1001")
AT = datetime(2026, 3, 1, 8, 30, 15, 123456)


def test_actor_is_an_account_on_the_platform_never_an_email():
    statement = xapi.lesson_completed(PLATFORM, LEARNER, xapi.Named("l1", "开场白"), xapi.Named("m1", "服务规范", "Service"), AT)
    assert statement["actor"] == {"objectType": "Agent",
                                  "account": {"homePage": "https://academy.example.cn", "name": "t1001"}}
    assert "mbox" not in str(statement)


def test_lesson_completed():
    statement = xapi.lesson_completed(PLATFORM, LEARNER, xapi.Named("l1", "开场白"), xapi.Named("m1", "服务规范", "Service"), AT)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["object"] == {
        "objectType": "Activity", "id": "https://academy.example.cn/xapi/lesson/l1",
        "definition": {"type": "http://adlnet.gov/expapi/activities/lesson", "name": {"zh-CN": "开场白"}},
    }
    parent, = statement["context"]["contextActivities"]["parent"]
    assert parent["definition"] == {"type": "http://adlnet.gov/expapi/activities/course",
                                    "name": {"zh-CN": "服务规范", "en-US": "Service"}}
    assert statement["result"] == {"completion": True}
    assert statement["timestamp"] == "2026-03-01T08:30:15.123Z"
    assert statement["version"] == "1.0.3"


@pytest.mark.parametrize("passed, verb", [(True, "passed"), (False, "failed")])
def test_quiz_passed_or_failed_with_scaled_score_and_mastery_score(passed, verb):
    statement = xapi.quiz_graded(PLATFORM, LEARNER, xapi.Named("q1", "测验", "Quiz"), 41, 2, 62.5, 80, passed, AT)
    assert statement["verb"]["id"] == f"http://adlnet.gov/expapi/verbs/{verb}"
    assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert statement["result"] == {"score": {"scaled": 0.625, "raw": 62.5, "min": 0, "max": 100},
                                   "success": passed, "completion": True}
    extensions = statement["context"]["extensions"]
    assert extensions["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] == 0.8
    assert extensions["https://academy.example.cn/xapi/extensions/attempt-number"] == 2


def test_call_scored_with_per_criterion_results():
    turns = [
        [SimpleNamespace(key="greeting", label="问候", kind="requirement", passed=True, critical=False),
         SimpleNamespace(key="violation.blame", label="推诿", kind="violation", passed=True, critical=True)],
        [SimpleNamespace(key="greeting", label="问候", kind="requirement", passed=False, critical=False),
         SimpleNamespace(key="violation.blame", label="推诿", kind="violation", passed=False, critical=True)],
    ]
    criteria = xapi.tally_criteria(c for turn in turns for c in turn)
    statement = xapi.call_scored(PLATFORM, LEARNER, xapi.Named("s1", "停机投诉", "Suspension"), 9, "assessment",
                                 55.0, False, False, criteria, AT, datetime(2026, 3, 1, 8, 34, 0))
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/scored"
    assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/simulation"
    result = statement["result"]
    assert result["score"]["scaled"] == 0.55 and result["success"] is False and result["completion"] is False
    assert result["duration"] == "PT224.9S"
    assert result["extensions"]["https://academy.example.cn/xapi/extensions/criteria"] == [
        {"key": "greeting", "label": "问候", "kind": "requirement", "judged": 2, "passed": 1, "critical": False},
        {"key": "violation.blame", "label": "推诿", "kind": "violation", "judged": 2, "passed": 1, "critical": True},
    ]
    assert statement["context"]["extensions"] == {"https://academy.example.cn/xapi/extensions/call-mode": "assessment"}


def test_an_override_is_a_new_statement_referring_to_the_machines():
    build = lambda override=None: xapi.call_scored(  # noqa: E731
        PLATFORM, LEARNER, xapi.Named("s1", "停机投诉"), 9, "assessment", 80.0, True, True, [], AT,
        datetime(2026, 3, 1, 8, 34, 0), override)
    machine, rescored = build(), build((5, datetime(2026, 3, 2, 10, 0, 0)))
    assert rescored["id"] not in (machine["id"], build((6, AT))["id"])
    assert rescored["context"]["statement"] == {"objectType": "StatementRef", "id": machine["id"]}
    assert rescored["timestamp"] == "2026-03-02T10:00:00.000Z"
    assert "statement" not in machine["context"]


def test_certificate_earned():
    statement = xapi.certificate_issued(PLATFORM, LEARNER, xapi.Named("hotline-agent", "热线坐席", "Hotline agent"),
                                        3, "HA-2026-000003", 1, date(2027, 3, 1), AT)
    assert statement["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    assert statement["object"]["id"] == "https://academy.example.cn/xapi/certificate/HA-2026-000003"
    assert statement["object"]["definition"]["type"] == "http://id.tincanapi.com/activitytype/certificate"
    assert statement["context"]["contextActivities"]["parent"][0]["id"] == "https://academy.example.cn/xapi/post/hotline-agent"
    assert statement["context"]["extensions"]["https://academy.example.cn/xapi/extensions/valid-until"] == "2027-03-01"


def test_ids_are_uuids_derived_from_the_event():
    build = lambda platform, attempt_id: xapi.quiz_graded(  # noqa: E731
        platform, LEARNER, xapi.Named("q1", "测验"), attempt_id, 1, 90, 80, True, AT)["id"]
    first = build(PLATFORM, 41)
    assert uuid.UUID(first).version == 5
    assert build(PLATFORM, 41) == first  # a retry sends the same id
    assert build(PLATFORM, 42) != first
    assert build(xapi.Platform("https://other.example.cn"), 41) != first


def test_activity_ids_escape_the_content_id():
    assert PLATFORM.iri("lesson", "a b/c") == "https://academy.example.cn/xapi/lesson/a%20b%2Fc"


@pytest.mark.parametrize("build, message", [
    (lambda: xapi.Platform("academy.example.cn"), "platform URL"),
    (lambda: xapi.quiz_graded(PLATFORM, LEARNER, xapi.Named("q", "q"), 1, 1, 120, 80, True, AT), "score"),
])
def test_bad_values_name_what_is_wrong(build, message):
    with pytest.raises(xapi.StatementError, match=message):
        build()
