"""Role-play pages through the test client: playing a call, feedback per mode, scorecard, review,
reviewed calls, calibration, bench (with its impact on stored calls)."""
from datetime import timedelta

from tests.roleplay.played import NO_STAFF_NUMBER, disagreeing_reviews, finished_call
from webapp.extensions import db
from webapp.registry import progress_recorded
from webapp.roleplay import services
from webapp.roleplay.models import Call, CallTurn

GREETING = "您好，中国电信10000号，工号1024为您服务。请问您要查询的手机号码是多少？"


def start(client, scenario_id="unexpected-fee", mode="practice") -> Call:
    response = client.post(f"/roleplay/{scenario_id}/start", data={"mode": mode})
    assert response.status_code == 302
    return db.session.scalar(db.select(Call).order_by(Call.id.desc()))


def test_trainee_plays_a_practice_call_with_feedback_and_mood(client, auth, make_user, roleplay_content):
    auth.login(make_user())
    assert "账单上多出的10元" in client.get("/roleplay/").get_data(as_text=True)
    call = start(client)
    page = client.get(f"/roleplay/calls/{call.id}").get_data(as_text=True)
    assert "我想问一下，我这个月的账单怎么多出来10块钱" in page and 'id="mood"' in page
    assert "坐席屏幕显示" in page and "来电提醒业务的月功能费，本月5日通过本机开通" in page  # the facts to state
    assert "坐席屏幕显示" in client.get("/roleplay/unexpected-fee/brief").get_data(as_text=True)
    client.post(f"/roleplay/calls/{call.id}/reply", data={"turn": 1, "text": GREETING})
    page = client.get(f"/roleplay/calls/{call.id}").get_data(as_text=True)
    assert 'data-turn="1"' in page and "30 / 30 分" in page


def test_assessment_hides_mood_and_feedback_until_the_scorecard(client, auth, make_user, roleplay_content):
    auth.login(make_user())
    call = start(client, mode="assessment")
    client.post(f"/roleplay/calls/{call.id}/reply", data={"turn": 1, "text": GREETING})
    page = client.get(f"/roleplay/calls/{call.id}").get_data(as_text=True)
    assert 'id="mood"' not in page and 'class="feedback"' not in page


def test_a_double_post_stores_one_reply_and_the_end_sends_progress_once(app, client, auth, make_user, roleplay_content):
    trainee = make_user()
    auth.login(trainee)
    call = start(client, mode="assessment")
    received = []
    progress_recorded.connect(lambda sender, user_id: received.append(user_id), app, weak=False)
    client.post(f"/roleplay/calls/{call.id}/reply", data={"turn": 1, "text": "这不归我们管。"})
    response = client.post(f"/roleplay/calls/{call.id}/reply", data={"turn": 1, "text": "这不归我们管。"})
    assert response.status_code == 302 and response.location.endswith(f"/roleplay/calls/{call.id}/scorecard")
    assert db.session.scalar(db.select(db.func.count(CallTurn.id))) == 1
    assert received == [trainee.id]
    page = client.get(response.location).get_data(as_text=True)
    assert '<mark class="evidence evidence-violation">不归我们管</mark>' in page
    assert "未通过：严重违规" in page


def test_calls_and_scorecards_are_private_to_their_trainee(client, auth, make_user, roleplay_content):
    owner = make_user()
    call = services.start_call(owner.id, "unexpected-fee", "practice")
    db.session.commit()
    auth.login(make_user())
    assert client.get(f"/roleplay/calls/{call.id}").status_code == 404
    assert client.post(f"/roleplay/calls/{call.id}/reply", data={"turn": 1, "text": "您好"}).status_code == 404
    assert client.get(f"/roleplay/calls/{call.id}/scorecard").status_code == 404


def test_trainer_reviews_and_overrides_with_a_required_reason(client, auth, make_user, roleplay_content):
    call = services.start_call(make_user().id, "unexpected-fee", "assessment")
    replies = [turn.model_reply for turn in services.scenario_of(call.scenario_version).turns]
    replies[0] = "您好，请问您的号码是多少？"  # no staff number
    for index, text in enumerate(replies, start=1):
        services.submit_reply(call, index, text)
    db.session.commit()
    assert call.score < 100
    auth.login(make_user(role="trainer"))
    assert f'data-call="{call.id}"' in client.get("/roleplay/review").get_data(as_text=True)
    data = {"turn": 1, "criterion": "self_identification", "passed": "1", "reason": ""}
    client.post(f"/roleplay/calls/{call.id}/override", data=data)
    assert services.overrides_of(call) == {}
    client.post(f"/roleplay/calls/{call.id}/override", data={**data, "reason": "录音中报了工号，转写遗漏"})
    assert services.overrides_of(call) == {(1, "self_identification"): True}
    assert call.score == 100.0
    page = client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    assert "已改判" in page and "录音中报了工号，转写遗漏" in page


def test_bench_scores_a_draft_without_storing_anything(client, auth, make_user, roleplay_content):
    auth.login(make_user(role="trainer"))
    page = client.post("/roleplay/bench", data={"scenario": "cannot-hear-you", "replies": "你好\n"}).get_data(as_text=True)
    assert 'id="bench-result"' in page and '<mark class="evidence evidence-violation">你</mark>' in page
    draft = services.current_version_of("cannot-hear-you").source.replace("customer_type: 困惑型", "customer_type: 暴躁型")
    page = client.post("/roleplay/bench", data={"scenario": "cannot-hear-you", "source": draft}).get_data(as_text=True)
    assert 'id="bench-problems"' in page and "customer_type" in page
    assert db.session.scalar(db.select(db.func.count(Call.id))) == 0


def test_home_panels_and_navigation(client, auth, make_user, roleplay_content):
    auth.login(make_user())
    page = client.get("/").get_data(as_text=True)
    assert 'id="optional-activities"' in page and "/roleplay/#cannot-hear-you" in page  # no post: all optional


def _finish(call, replies):
    for index, text in enumerate(replies, start=1):
        if not call.in_progress:
            break
        services.submit_reply(call, index, text)
    db.session.commit()


def test_scenario_rows_are_link_targets_for_certification(client, auth, make_user, roleplay_content):
    auth.login(make_user())
    page = client.get("/roleplay/").get_data(as_text=True)
    for scenario in services.current_scenarios():
        assert f'id="{scenario.id}"' in page


def test_scorecard_explains_a_lost_customer_and_records_versions(client, auth, make_user, roleplay_content):
    trainee = make_user()
    call = services.start_call(trainee.id, "wants-manager", "assessment")  # starts angry (3), 激动型
    _finish(call, ["请问您是哪个号码？什么时候断的？"])  # stacked questions: the customer is lost
    assert call.state == services.FAILED
    auth.login(trainee)
    page = client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    assert 'id="customer-lost"' in page and "要求找领导" in page
    assert call.scenario_version.content_hash[:12] not in page  # trainees are not shown version hashes
    auth.logout()
    auth.login(make_user(role="trainer"))
    page = client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    assert f'data-scenario-version="{call.scenario_version.content_hash}"' in page
    assert f'data-norms-version="{call.norms_version.content_hash}"' in page


def test_scorecard_shows_the_critical_reason_and_timing_penalties(client, auth, make_user, roleplay_content):
    trainee = make_user()
    call = services.start_call(trainee.id, "unexpected-fee", "practice")
    db.session.commit()
    call.line_served_at = call.line_served_at - timedelta(seconds=82)  # 22 s late (+ the time the test takes, under 8 s): two check-ins missed
    db.session.commit()
    turn = services.submit_reply(call, 1, GREETING)
    assert turn.verdict["timing"]["late_penalty"] == 4, turn.verdict["timing"]
    services.submit_reply(call, 2, "这不归我们管。")
    db.session.commit()
    auth.login(trainee)
    page = client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    assert 'id="critical-reason"' in page and "第2轮" in page and "服务禁语" in page
    assert 'id="timing-penalties"' in page and "共扣 4 分" in page
    assert "限时 60 秒" in page


def test_review_queue_filters_by_scenario_trainee_outcome_and_review(client, auth, make_user, roleplay_content):
    first, second = make_user(name="赵一"), make_user(name="钱二")
    good = services.start_call(first.id, "unexpected-fee", "assessment")
    _finish(good, [turn.model_reply for turn in services.scenario_of(good.scenario_version).turns])
    bad = services.start_call(second.id, "cannot-hear-you", "assessment")
    _finish(bad, ["这不归我们管。"])
    trainer = make_user(role="trainer")
    auth.login(trainer)

    def rows(query=""):
        page = client.get(f"/roleplay/review{query}").get_data(as_text=True)
        return {call.id for call in (good, bad) if f'data-call="{call.id}"' in page}

    assert rows() == {good.id, bad.id}
    assert rows("?scenario=cannot-hear-you") == {bad.id}
    assert rows("?trainee=赵") == {good.id}
    assert rows(f"?trainee={second.employee_no}") == {bad.id}
    assert rows("?outcome=passed") == {good.id} and rows("?outcome=failed") == {bad.id}
    services.override_criterion(bad, 1, "violation.forbidden_phrase", True, "录音复核", trainer)
    db.session.commit()
    assert rows("?unreviewed=1") == {good.id, bad.id}  # an override alone does not make a call reviewed
    services.mark_reviewed(bad, trainer)
    db.session.commit()
    assert rows("?unreviewed=1") == {good.id}
    page = client.get("/roleplay/review").get_data(as_text=True)
    assert page.count('class="badge badge-ok reviewed"') == 1 and page.count('class="badge badge-warn overridden"') == 1
    assert rows("?trainee=%25") == set()  # a LIKE wildcard is taken literally


def test_bench_tries_a_draft_of_the_norms_and_reply_times(client, auth, make_user, roleplay_content):
    auth.login(make_user(role="trainer"))
    norms = services.current_norms_version().source
    draft = norms.replace("  greeting:\n", "  greeting:\n", 1) + "\n# draft\n"
    page = client.post("/roleplay/bench", data={"scenario": "cannot-hear-you", "norms_source": draft, "seconds": "75",
                                                 "replies": "您好，10000号，工号1024为您服务。\n"}).get_data(as_text=True)
    assert 'id="bench-result"' in page and 'id="bench-versions"' in page and "草稿" in page
    assert 'id="timing-penalties"' in page
    page = client.post("/roleplay/bench", data={"scenario": "cannot-hear-you", "norms_source": "elements: [broken"}
                       ).get_data(as_text=True)
    assert 'id="norms-problems"' in page and 'id="bench-result"' not in page
    assert db.session.scalar(db.select(db.func.count(Call.id))) == 0


# --- reviewed calls, calibration, bench impact -----------------------------------------------------

def test_a_trainer_marks_a_call_reviewed_on_its_scorecard(client, auth, make_user, roleplay_content):
    trainee, trainer = make_user(), make_user(role="trainer", name="王芳")
    call = finished_call(trainee, first_reply=NO_STAFF_NUMBER)
    auth.login(trainee)
    assert 'id="mark-reviewed"' not in client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    assert client.post(f"/roleplay/calls/{call.id}/reviewed").status_code == 403
    auth.logout()
    auth.login(trainer)
    page = client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    assert 'id="mark-reviewed"' in page and "标记为已复核" in page
    response = client.post(f"/roleplay/calls/{call.id}/reviewed")
    assert response.status_code == 302 and response.location.endswith(f"/roleplay/calls/{call.id}/scorecard")
    page = client.get(response.location).get_data(as_text=True)
    assert 'id="reviewed-by"' in page and "王芳" in page and 'id="mark-reviewed"' not in page
    assert call.reviewed_by_id == trainer.id
    client.post(f"/roleplay/calls/{call.id}/reviewed")
    assert "这通电话已经标记为已复核" in client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    in_progress = services.start_call(trainee.id, "unexpected-fee", "practice")
    db.session.commit()
    assert client.post(f"/roleplay/calls/{in_progress.id}/reviewed").status_code == 404
    assert client.post("/roleplay/calls/987654/reviewed").status_code == 404


def test_calibration_page_lists_criteria_and_flags_them_on_the_trainer_home(app, client, auth, make_user,
                                                                             roleplay_content):
    trainer = make_user(role="trainer")
    auth.login(trainer)
    page = client.get("/roleplay/calibration").get_data(as_text=True)
    assert 'id="calibration-empty"' in page and 'id="calibration-flags"' not in client.get("/").get_data(as_text=True)

    disagreeing_reviews(make_user(), trainer)
    finished_call(make_user(), first_reply=NO_STAFF_NUMBER)  # not reviewed: not counted
    page = client.get("/roleplay/calibration").get_data(as_text=True)
    assert 'id="calibration-criteria"' in page and "<th class=\"month\">2026-03</th>" in page
    assert '<tr data-criterion="self_identification">' in page  # 4 judgements: under the minimum of 10
    assert 'data-criterion="key_point"' in page and 'id="calibration-key-points"' in page
    app.config["CALIBRATION_MIN_N"] = 4
    page = client.get("/roleplay/calibration").get_data(as_text=True)
    assert '<tr data-criterion="self_identification" class="flagged">' in page
    assert "0.00" in page and "低于 0.60" in page  # the rule, in Chinese
    home = client.get("/").get_data(as_text=True)
    assert 'id="calibration-flags"' in home and '<li data-criterion="self_identification">' in home
    client.post("/language/en", data={"next": "/"})
    page = client.get("/roleplay/calibration").get_data(as_text=True)
    assert "Calibration: machine against trainers" in page and "Staff number stated" in page
    auth.logout()
    auth.login(make_user(role="admin"))
    assert 'id="calibration-flags"' in client.get("/").get_data(as_text=True)


def test_bench_shows_the_impact_of_a_draft_on_stored_calls(client, auth, make_user, roleplay_content):
    trainee = make_user()
    missed = finished_call(trainee, first_reply=NO_STAFF_NUMBER)  # 91.7 %: passes at 70, fails at 100
    perfect = finished_call(trainee)
    assert missed.passed and perfect.passed
    auth.login(make_user(role="trainer"))
    draft = services.current_version_of("unexpected-fee").source.replace("pass_mark: 70", "pass_mark: 100")
    page = client.post("/roleplay/bench", data={"scenario": "unexpected-fee", "source": draft}).get_data(as_text=True)
    assert 'id="bench-result"' in page and 'id="bench-impact"' not in page  # only when asked for
    page = client.post("/roleplay/bench", data={"scenario": "unexpected-fee", "source": draft, "impact": "1"}
                       ).get_data(as_text=True)
    assert 'id="bench-impact"' in page
    assert 'data-checked="2" data-changed="1" data-outcomes="1" data-criteria="0"' in page
    assert f'<tr data-call="{missed.id}" class="outcome-changed">' in page and f'data-call="{perfect.id}"' not in page
    page = client.post("/roleplay/bench", data={"scenario": "cannot-hear-you", "impact": "1"}).get_data(as_text=True)
    assert 'id="impact-none"' in page and "尚无已结束的通话" in page
    assert db.session.scalar(db.select(db.func.count(Call.id))) == 2


def test_a_control_character_pasted_into_a_reply_is_dropped_not_the_reply(client, auth, make_user, roleplay_content):
    auth.login(make_user())
    call = start(client)
    response = client.post(f"/roleplay/calls/{call.id}/reply", data={"turn": 1, "text": GREETING[:5] + "\x00\x1b" + GREETING[5:]})
    assert response.status_code == 302
    stored = db.session.scalar(db.select(CallTurn).where(CallTurn.call_id == call.id))
    assert stored.reply == GREETING
    # other fields of the form are still refused as before
    assert client.post(f"/roleplay/calls/{call.id}/reply", data={"turn": "2\x00", "text": "好"}).status_code == 400


def test_a_reviewer_adds_a_missed_violation_from_the_scorecard(client, auth, make_user, roleplay_content):
    call = finished_call(make_user())
    auth.login(make_user(role="trainer"))
    page = client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    assert "补记机器漏判的违规" in page and 'value="violation.jargon"' in page
    response = client.post(f"/roleplay/calls/{call.id}/override", data={
        "turn": 2, "criterion": "violation.jargon", "passed": "0", "reason": "“OCS”没有解释"})
    assert response.status_code == 302
    page = client.get(f"/roleplay/calls/{call.id}/scorecard").get_data(as_text=True)
    assert 'data-criterion="violation.jargon"' in page and "“OCS”没有解释" in page
