"""Role-play services on the database: versions, idempotent replies, mood, overrides, results."""
from datetime import timedelta

import pytest

from tests.conftest import ROOT
from webapp.audit.models import AuditEntry
from webapp.extensions import db
from webapp.roleplay import services
from webapp.roleplay.kinds import NormsKind, ScenariosKind
from webapp.roleplay.models import CallTurn, NormsSet, RoleplayScenario, ScenarioVersion, VerdictOverride
from webapp.roleplay.scenarios import parse_scenario

RUDE = "这不归我们管。"


def model_replies(call):
    return [turn.model_reply for turn in services.scenario_of(call.scenario_version).turns]


def play(call, replies):
    for index, text in enumerate(replies, start=1):
        services.submit_reply(call, index, text)
    db.session.commit()


def test_import_versions_by_hash_and_reimport_is_a_no_op(app, roleplay_content):
    kind = ScenariosKind()
    parsed, _ = kind.parse(kind.discover(ROOT), ROOT)
    assert kind.import_items(parsed) == {"created": 0, "updated": 0, "unchanged": len(parsed)}
    item = db.session.scalar(db.select(RoleplayScenario).where(RoleplayScenario.scenario_id == "unexpected-fee"))
    original = item.current_version
    edited, _ = parse_scenario("unexpected-fee.md", original.source.replace("工号1024", "工号2048"))
    assert kind.import_items([edited]) == {"created": 0, "updated": 1, "unchanged": 0}
    assert item.current_version.content_hash == edited.content_hash != original.content_hash
    reverted, _ = parse_scenario("unexpected-fee.md", original.source)
    kind.import_items([reverted])
    db.session.flush()
    assert item.current_version_id == original.id  # a revert points back, no third version
    assert db.session.scalar(db.select(db.func.count(ScenarioVersion.id)).where(
        ScenarioVersion.scenario_id == "unexpected-fee")) == 2
    norms_kind = NormsKind()
    norms, _ = norms_kind.parse(norms_kind.discover(ROOT), ROOT)
    assert norms_kind.import_items(norms) == {"created": 0, "updated": 0, "unchanged": 1}
    assert db.session.scalar(db.select(NormsSet)).current_version.content_hash == norms[0][0].version


def test_a_call_records_its_versions_and_plays_to_a_pass(app, make_user, roleplay_content):
    trainee = make_user()
    call = services.start_call(trainee.id, "unexpected-fee", "assessment")
    play(call, model_replies(call))
    assert call.state == "finished" and call.passed and call.score == 100.0 and not call.critical
    assert call.scenario_version == services.current_version_of("unexpected-fee")
    assert call.norms_version == services.current_norms_version()
    assert [turn.index for turn in call.turns] == [1, 2, 3, 4, 5]
    assert call.turns[0].verdict["criteria"][0]["evidence"][0]["text"] == "您好"


def test_a_retried_reply_is_stored_once_and_the_first_arrival_wins(app, make_user, roleplay_content):
    call = services.start_call(make_user().id, "unexpected-fee", "practice")
    first = services.submit_reply(call, 1, "您好，工号1024为您服务。请问您的手机号码是多少？")
    again = services.submit_reply(call, 1, "a different text sent by a second tab")
    db.session.commit()
    assert again.id == first.id and again.reply.startswith("您好")
    assert db.session.scalar(db.select(db.func.count(CallTurn.id))) == 1
    with pytest.raises(services.RoleplayError):
        services.submit_reply(call, 3, "skipping ahead")


def test_reply_time_is_measured_on_the_server_from_the_served_line(app, make_user, roleplay_content):
    call = services.start_call(make_user().id, "unexpected-fee", "practice")
    call.line_served_at -= timedelta(seconds=95)  # the trainee took 95 s (limit 60)
    turn = services.submit_reply(call, 1, "您好，中国电信10000号，工号1024为您服务。请问您要查询的手机号码是多少？")
    assert 95 <= turn.seconds < 97
    assert turn.verdict["timing"]["late_penalty"] == 6 and turn.points == 24
    assert call.mood == 2  # waiting annoys the customer


def test_rudeness_loses_the_customer_and_fails_the_call(app, make_user, roleplay_content):
    call = services.start_call(make_user().id, "wants-manager", "practice")  # 激动型, starts at 3
    services.submit_reply(call, 1, "你说吧。")
    db.session.commit()
    assert call.state == "failed" and call.mood == 4 and call.critical  # 你 is critical here
    assert not call.passed


def test_overrides_keep_the_machine_verdict_rescore_and_are_audited(app, make_user, roleplay_content):
    trainee, trainer = make_user(), make_user(role="trainer")
    call = services.start_call(trainee.id, "unexpected-fee", "assessment")
    play(call, [RUDE])
    assert call.state == "failed" and call.critical and call.score == 0
    with pytest.raises(services.RoleplayError):
        services.override_criterion(call, 1, "violation.forbidden_phrase", True, "  ", trainer)
    services.override_criterion(call, 1, "violation.forbidden_phrase", True, "客户原话被误识别", trainer)
    db.session.commit()
    assert not call.critical and not call.passed  # the call still ended after the first turn
    override = db.session.scalar(db.select(VerdictOverride))
    assert (override.machine_passed, override.passed, override.trainer_id) == (False, True, trainer.id)
    assert call.turns[0].verdict["criteria"][-1]["machine_passed"] is False  # stored verdict untouched
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "roleplay.override"))
    assert entry.target == f"call:{call.id}" and entry.details["reason"] == "客户原话被误识别"
    assert entry.details["passed_before"] is False


def test_scenario_results_take_the_best_assessment_call(app, make_user, roleplay_content):
    trainee = make_user()
    practice = services.start_call(trainee.id, "unexpected-fee", "practice")
    play(practice, model_replies(practice))
    assert services.scenario_results(trainee.id) == {}  # practice does not count
    failed = services.start_call(trainee.id, "unexpected-fee", "assessment")
    play(failed, [RUDE])
    passed = services.start_call(trainee.id, "unexpected-fee", "assessment")
    play(passed, model_replies(passed))
    result = services.scenario_results(trainee.id)["unexpected-fee"]
    assert (result.best_score, result.passed, result.critical) == (100.0, True, False)
    assert result.tags == ["资费", "账单"] and result.scenario_hash == passed.scenario_version.content_hash
    assert result.finished_at == passed.finished_at
