"""The LRS client against a real Ralph: every kind of statement is accepted as built, a repeat is
stored once, and refusals and outages are errors that name the cause."""
from datetime import date, datetime

import pytest

from tests.xapi.lrs_server import PASSWORD, USERNAME
from webapp.xapi import statements as xapi
from webapp.xapi.lrs import Lrs, LrsError

PLATFORM = xapi.Platform("https://academy.example.cn")
LEARNER = xapi.Learner(7, "t1001")
AT = datetime(2026, 3, 1, 8, 30, 15)


def every_kind() -> list[dict]:
    criteria = [xapi.CriterionTally("greeting", "问候", "requirement", 3, 2)]
    return [
        xapi.lesson_completed(PLATFORM, LEARNER, xapi.Named("l1", "开场白"), xapi.Named("m1", "服务规范", "Service"), AT),
        xapi.quiz_graded(PLATFORM, LEARNER, xapi.Named("q1", "测验", "Quiz"), 41, 1, 92.5, 80, True, AT),
        xapi.quiz_graded(PLATFORM, LEARNER, xapi.Named("q1", "测验", "Quiz"), 42, 2, 30, 80, False, AT),
        xapi.call_scored(PLATFORM, LEARNER, xapi.Named("s1", "停机投诉", "Suspension"), 9, "practice", 70, True, True,
                         criteria, AT, datetime(2026, 3, 1, 8, 40)),
        xapi.certificate_issued(PLATFORM, LEARNER, xapi.Named("agent", "热线坐席", "Hotline agent"), 3, "HA-1", 1,
                                date(2027, 3, 1), AT),
    ]


def test_every_kind_of_statement_is_stored_once_even_when_sent_twice(ralph):
    lrs = Lrs(ralph.endpoint, USERNAME, PASSWORD)
    statements = every_kind()
    for statement in statements + statements:
        lrs.put(statement)
    for statement in statements:
        stored = ralph.statement(statement["id"])
        assert {key: stored[key] for key in statement} == statement  # the LRS adds stored and authority
    stored_ids = ralph.statement_ids()
    assert all(stored_ids.count(statement["id"]) == 1 for statement in statements)


def test_wrong_password_is_an_error_with_the_status(ralph):
    with pytest.raises(LrsError, match="HTTP 401"):
        Lrs(ralph.endpoint, USERNAME, "wrong").put(every_kind()[0])


def test_unreachable_lrs_is_an_error(ralph):
    with pytest.raises(LrsError, match="ConnectError"):
        Lrs("http://127.0.0.1:9/xAPI/", USERNAME, PASSWORD).put(every_kind()[0])
