"""Calls played to their end through the services, and reviewed by a trainer (database tests)."""
from datetime import datetime

from webapp.extensions import db
from webapp.roleplay import services

NO_STAFF_NUMBER = "您好，请问您要查询的手机号码是多少？"  # unexpected-fee turn 1 without the staff number


def finished_call(trainee, scenario_id="unexpected-fee", first_reply=None, mode="assessment"):
    """The scenario's model replies (the first one replaced when given) until the call ends."""
    call = services.start_call(trainee.id, scenario_id, mode)
    replies = [turn.model_reply for turn in services.scenario_of(call.scenario_version).turns]
    if first_reply is not None:
        replies[0] = first_reply
    for index, text in enumerate(replies, start=1):
        if not call.in_progress:
            break
        services.submit_reply(call, index, text)
    db.session.commit()
    return call


def reviewed(call, trainer, at: datetime | None = None, overrides=()):
    """Override ``(turn, criterion, passed)`` items, mark the call reviewed, dated ``at`` if given."""
    for turn, criterion, passed in overrides:
        services.override_criterion(call, turn, criterion, passed, "复核", trainer)
    assert services.mark_reviewed(call, trainer)
    if at is not None:
        call.reviewed_at = at
    db.session.commit()
    return call


def disagreeing_reviews(trainee, trainer) -> list:
    """Four reviewed unexpected-fee calls on which machine and trainer split evenly on the staff
    number (κ = 0 on 4 judgements), in March and April 2026 (Shanghai time)."""
    return [
        reviewed(finished_call(trainee), trainer, datetime(2026, 3, 10, 2, 0)),
        reviewed(finished_call(trainee, first_reply=NO_STAFF_NUMBER), trainer, datetime(2026, 3, 31, 17, 0),
                 [(1, "self_identification", True)]),
        reviewed(finished_call(trainee), trainer, datetime(2026, 4, 20, 9, 0), [(1, "self_identification", False)]),
        reviewed(finished_call(trainee, first_reply=NO_STAFF_NUMBER), trainer, datetime(2026, 4, 21, 9, 0)),
    ]
