"""Role-play services on the database: versions, idempotent replies, mood, overrides, results,
reviewed calls, calibration and the bench's impact on stored calls."""
from datetime import datetime, timedelta

import pytest

from tests.conftest import ROOT
from tests.roleplay.fake_scorer import fake_score
from tests.roleplay.played import NO_STAFF_NUMBER, finished_call, reviewed
from webapp.content.registry import read_content_root
from webapp.audit.models import AuditEntry
from webapp.extensions import db
from webapp.roleplay import services
from webapp.roleplay.calibration import Agreement
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
    files = read_content_root(ROOT)
    parsed, _ = kind.parse(kind.discover(files), files)
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
    norms, _ = norms_kind.parse(norms_kind.discover(files), files)
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


# --- reviewed calls, calibration, bench impact -----------------------------------------------------

def test_marking_a_call_reviewed_is_once_audited_and_needs_an_ended_call(app, make_user, roleplay_content):
    trainee, trainer, other = make_user(), make_user(role="trainer", name="王芳"), make_user(role="trainer")
    call = finished_call(trainee, first_reply=NO_STAFF_NUMBER)
    services.override_criterion(call, 1, "self_identification", True, "录音里报了工号", trainer)
    assert services.mark_reviewed(call, trainer) is True
    db.session.commit()
    assert call.reviewed and call.reviewed_by == trainer and call.reviewed_at is not None
    first_at = call.reviewed_at
    assert services.mark_reviewed(call, other) is False  # the first trainer wins
    db.session.commit()
    assert call.reviewed_by == trainer and call.reviewed_at == first_at
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "roleplay.review")).all()
    assert len(entries) == 1 and entries[0].target == f"call:{call.id}" and entries[0].actor_id == trainer.id
    assert entries[0].details["overrides"] == [{"turn": 1, "criterion": "self_identification", "passed": True}]
    assert entries[0].details["passed"] is True
    in_progress = services.start_call(trainee.id, "unexpected-fee", "practice")
    with pytest.raises(services.RoleplayError):
        services.mark_reviewed(in_progress, trainer)


def test_calibration_compares_machine_and_trainer_on_reviewed_calls_only(app, make_user, roleplay_content):
    trainee, trainer = make_user(), make_user(role="trainer")
    clean = reviewed(finished_call(trainee), trainer, datetime(2026, 3, 10, 2, 0))
    # 17:00 UTC on 31 March is 1 April in Shanghai (the app's time zone): an April review
    rescued = reviewed(finished_call(trainee, first_reply=NO_STAFF_NUMBER), trainer, datetime(2026, 3, 31, 17, 0),
                       [(1, "self_identification", True)])
    strict = reviewed(finished_call(trainee), trainer, datetime(2026, 4, 20, 9, 0), [(1, "self_identification", False)])
    dismissed = reviewed(finished_call(trainee, "cannot-hear-you", first_reply="这不归我们管。"), trainer,
                         datetime(2026, 4, 21, 9, 0), [(1, "violation.forbidden_phrase", True)])
    finished_call(trainee, first_reply=NO_STAFF_NUMBER)  # not reviewed: not counted
    assert dismissed.state == services.FAILED and len(dismissed.turns) == 1

    report = services.calibration(threshold=0.6, min_n=3)
    rows = {row.criterion: row for row in report.criteria}
    assert report.months == ("2026-03", "2026-04")
    # staff number: (✔,✔) clean, (✘,✔) rescued, (✔,✘) strict, (✘,✘) the rude reply
    staff = rows["self_identification"]
    assert staff.overall.n == 4 and staff.overall.agreed == 2
    assert staff.overall.kappa == 0.0 and staff.flagged  # p_o = .5 = p_e
    assert staff.month("2026-03").n == 1 and staff.month("2026-04").n == 3
    forbidden = rows["violation.forbidden_phrase"]
    # every reviewed turn (3 × 5 + 1) rates each violation category; the one found was dismissed
    assert (forbidden.overall.n, forbidden.overall.agreed, forbidden.overall.kappa) == (16, 15, None)
    assert not forbidden.flagged
    greeting = rows["greeting"]  # met in the three full calls, missed by the rude reply: both agree
    assert (greeting.overall.n, greeting.overall.agreed, greeting.overall.kappa) == (4, 4, 1.0)
    key_points = rows["key_point"]
    per_scenario = [row for row in report.key_points if row.key_point.scenario_id == "unexpected-fee"]
    assert sum(row.overall.n for row in per_scenario) == 3 * 7
    failed_turn = services.scenario_of(dismissed.scenario_version).turns[0]
    assert key_points.overall.n == 3 * 7 + sum(r.is_key_point for r in failed_turn.requirements)  # + the failed turn's
    assert {row.key_point.turn for row in per_scenario} == {1, 2, 3, 4}
    assert report.flagged == (staff,)
    assert services.ended_calls_query(unreviewed=True).whereclause is not None
    assert {call.id for call in db.session.scalars(services.ended_calls_query(unreviewed=True))}.isdisjoint(
        {clean.id, rescued.id, strict.id, dismissed.id})


def test_calibration_reads_the_thresholds_from_the_configuration(app, make_user, roleplay_content):
    trainee, trainer = make_user(), make_user(role="trainer")
    reviewed(finished_call(trainee), trainer, datetime(2026, 3, 10))
    reviewed(finished_call(trainee, first_reply=NO_STAFF_NUMBER), trainer, datetime(2026, 3, 11),
             [(1, "self_identification", True)])
    assert (services.calibration().threshold, services.calibration().min_n) == (0.6, 10)
    app.config.update(CALIBRATION_KAPPA=0.9, CALIBRATION_MIN_N=1)
    report = services.calibration()
    assert (report.threshold, report.min_n) == (0.9, 1)
    assert services.calibration() is report  # kept until something changes


def test_calibration_follows_new_reviews_and_later_overrides(app, make_user, roleplay_content):
    trainee, trainer = make_user(), make_user(role="trainer")
    first = reviewed(finished_call(trainee), trainer)

    def staff() -> Agreement:
        return {row.criterion: row for row in services.calibration().criteria}["self_identification"].overall

    assert staff() == Agreement(1, 1, 1, 1)
    reviewed(finished_call(trainee, first_reply=NO_STAFF_NUMBER), trainer)
    assert staff() == Agreement(2, 2, 1, 1)
    services.override_criterion(first, 1, "self_identification", False, "没听清工号", trainer)  # after the review
    db.session.commit()
    assert staff() == Agreement(2, 1, 1, 0)
    finished_call(trainee, first_reply=NO_STAFF_NUMBER)  # not reviewed
    assert staff() == Agreement(2, 1, 1, 0)


def test_bench_impact_replays_stored_calls_with_a_draft_without_storing(app, make_user, roleplay_content):
    trainee, trainer = make_user(), make_user(role="trainer")
    good = finished_call(trainee)
    rude = reviewed(finished_call(trainee, first_reply="您好，中国电信10000号，工号1024为您服务，这不归我们管。请问您要查询的手机号码是多少？"),
                    trainer, services.utcnow(), [(1, "violation.forbidden_phrase", True)])
    assert rude.state == services.FAILED and good.passed
    finished_call(trainee, "cannot-hear-you")  # another scenario: not replayed
    in_progress = services.start_call(trainee.id, "unexpected-fee", "practice")
    db.session.commit()
    counts = {model: db.session.scalar(db.select(db.func.count(model.id))) for model in (CallTurn, VerdictOverride)}
    scenario = services.scenario_of(services.current_version_of("unexpected-fee"))

    same, calls = services.bench_impact(scenario, services.scorer_for(services.current_norms_version()))
    assert same.checked == 2 and same.changed == () and set(calls) == {good.id, rude.id}
    assert in_progress.id not in calls

    def lenient(text):  # a draft that no longer knows the forbidden phrase
        verdict = services.scorer_for(services.current_norms_version())(text)
        verdict.violations[:] = [hit for hit in verdict.violations if hit.category != "forbidden_phrase"]
        return verdict

    impact, _ = services.bench_impact(scenario, lenient)
    assert [item.call_id for item in impact.changed] == [rude.id]
    item = impact.changed[0]
    # the stored call ended at turn 1 (critical), so the replay runs out of replies there
    assert (item.before.failed_reason, item.after.failed_reason) == ("critical_violation", "incomplete")
    assert not item.outcome_changed and impact.outcome_changes == 0 and len(item.changes) == 1
    change = item.changes[0]
    assert (change.before, change.after, change.trainer, change.toward_trainer) == (False, True, True, True)
    assert impact.toward_trainer == 1 and impact.away_from_trainer == 0

    limited, calls = services.bench_impact(scenario, fake_score, limit=1)
    assert limited.checked == 1 and limited.limited and list(calls) == [rude.id]  # the latest call
    assert {model: db.session.scalar(db.select(db.func.count(model.id))) for model in counts} == counts
    assert rude.critical is False and rude.turns[0].verdict["criteria"][-1]["machine_passed"] is False


def test_the_end_of_a_call_and_each_override_are_sent(app, make_user, roleplay_content):
    from webapp.registry import call_finished, verdict_overridden

    seen = []
    receiver = lambda sender, **kwargs: seen.append(kwargs)  # noqa: E731
    call_finished.connect(receiver)
    verdict_overridden.connect(receiver)
    try:
        call = finished_call(make_user())
        override = services.override_criterion(call, 1, call.turns[0].verdict["criteria"][0]["key"], False, "复核",
                                               make_user(role="trainer"))
    finally:
        call_finished.disconnect(receiver)
        verdict_overridden.disconnect(receiver)
    assert seen == [{"call": call}, {"call": call, "override": override}]


def test_a_trainer_adds_a_violation_the_machine_missed(app, make_user, roleplay_content):
    trainee, trainer = make_user(), make_user(role="trainer")
    call = finished_call(trainee)
    assert call.passed and not any(c.key == "violation.forbidden_phrase" for c in services.call_result(call).turns[1].criteria)
    services.override_criterion(call, 2, "violation.forbidden_phrase", False, "语气生硬，等于说“不归我管”", trainer)
    db.session.commit()
    added = services.call_result(call).turns[1].criterion("violation.forbidden_phrase")
    assert (added.machine_passed, added.passed, added.critical) == (True, False, True)
    assert call.passed is False and services.call_result(call).failed_reason == "critical_violation"
    with pytest.raises(services.RoleplayError):
        services.override_criterion(call, 2, "violation.no_such_category", False, "?", trainer)
    # taken back: the call passes again
    services.override_criterion(call, 2, "violation.forbidden_phrase", True, "复听后确认语气正常", trainer)
    db.session.commit()
    assert call.passed is True
