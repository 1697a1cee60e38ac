"""A trainee is told when a trainer changed a verdict on their call: on the scorecard (by whom,
when, why) and as a notice on their home page and call list. Trainers see scenario titles."""
from datetime import timedelta

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.roleplay import services
from webapp.roleplay.models import VerdictOverride


def finished_assessment(trainee):
    call = services.start_call(trainee.id, "unexpected-fee", "assessment")
    replies = [turn.model_reply for turn in services.scenario_of(call.scenario_version).turns]
    replies[0] = "您好，请问您的号码是多少？"  # no staff number: the machine fails self-identification
    for index, text in enumerate(replies, start=1):
        services.submit_reply(call, index, text)
    db.session.commit()
    return call


def test_the_trainee_sees_who_changed_a_verdict_when_and_why(client, auth, make_user, roleplay_content):
    trainee, trainer = make_user(), make_user(role="trainer", name="王芳")
    call = finished_assessment(trainee)
    auth.login(trainee)
    assert 'id="override-summary"' not in client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    assert 'id="override-notice"' not in client.get("/").get_data(as_text=True)

    services.override_criterion(call, 1, "self_identification", True, "录音中报了工号，转写遗漏", trainer)
    db.session.commit()
    page = client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    summary = page.split('id="override-summary"')[1].split("</div>")[0]
    assert "培训师复核了这次通话，调整了 1 个评分项的结果" in summary
    assert "第 1 轮：通过（机器判定为未通过）" in summary
    assert "调整人：培训师 王芳" in summary and "理由：录音中报了工号，转写遗漏" in summary

    for url in ("/", "/roleplay/"):
        html = client.get(url).get_data(as_text=True)
        notice = html.split('id="override-notice"')[1].split("</div>")[0]
        assert "有 1 个评分被培训师调整" in notice, url
        assert f'href="/roleplay/calls/{call.id}/scorecard#override-summary"' in notice, url


def test_the_notice_counts_calls_and_ends_after_a_while(client, auth, make_user, roleplay_content):
    trainee, trainer = make_user(), make_user(role="trainer")
    first, second = finished_assessment(trainee), finished_assessment(trainee)
    services.override_criterion(first, 1, "self_identification", True, "复核一", trainer)
    services.override_criterion(first, 1, "self_identification", False, "复核二", trainer)
    services.override_criterion(second, 1, "self_identification", True, "复核三", trainer)
    db.session.commit()
    adjusted = services.recently_adjusted_calls(trainee.id, utcnow())
    assert [(entry.call.id, entry.overrides, entry.latest.reason) for entry in adjusted] == [
        (second.id, 1, "复核三"), (first.id, 2, "复核二")]
    auth.login(trainee)
    assert "有 2 个评分被培训师调整" in client.get("/roleplay/").get_data(as_text=True)
    later = utcnow() + timedelta(days=services.OVERRIDE_NOTICE_DAYS + 1)
    assert services.recently_adjusted_calls(trainee.id, later) == []
    assert services.recently_adjusted_calls(make_user().id, utcnow()) == []  # only one's own calls
    assert db.session.scalar(db.select(db.func.count(VerdictOverride.id))) == 3


def test_trainer_home_names_scenarios_by_title(client, auth, make_user, roleplay_content):
    finished_assessment(make_user(name="张伟"))
    auth.login(make_user(role="trainer"))
    panel = client.get("/").get_data(as_text=True).split('id="roleplay-review-panel"')[1].split("</section>")[0]
    title = services.current_version_of("unexpected-fee")
    assert services.scenario_of(title).title("zh_CN") in panel
    assert "· unexpected-fee ·" not in panel
