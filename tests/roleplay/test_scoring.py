"""Reply scorer: each context rule and trap, spans, reasons, determinism, norms validation."""

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.content.problems import ContentProblems, Problem
from webapp.roleplay.norms import expand_pattern, load_norms, parse_norms
from webapp.roleplay.scoring import Hit, ReplyVerdict, score_reply

ROOT = Path(__file__).resolve().parents[2]
NORMS_PATH = ROOT / "quizzes/roleplay/norms.yaml"
NORMS_TEXT = NORMS_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def norms():
    return load_norms(NORMS_PATH)


def names(verdict: ReplyVerdict) -> tuple[set[str], set[str]]:
    return set(verdict.element_names), set(verdict.violation_names)


def reasons(verdict: ReplyVerdict) -> list[str]:
    return [s.reason for s in verdict.suppressed]


# ---------------------------------------------------------------- norms file


def test_version_is_sha256_of_file_text(norms):
    assert norms.version == hashlib.sha256(NORMS_TEXT.encode("utf-8")).hexdigest()


def test_norms_are_frozen(norms):
    with pytest.raises(AttributeError):
        norms.version = "x"


def test_expand_pattern_alternatives_and_optional_parts():
    assert expand_pattern("给您带来[了|]不便") == ["给您带来了不便", "给您带来不便"]
    with pytest.raises(ValueError):
        expand_pattern("给您[带来")
    with pytest.raises(ValueError):
        expand_pattern("a|b")


@pytest.mark.parametrize("old, new, message", [
    ("    points: 10\n    phrases:\n      - 您好", "    points: ten\n    phrases:\n      - 您好",
     "elements.greeting.points: expected a whole number"),
    ("      - 抱歉\n", "      - 抱[歉\n", "phrase '抱[歉': '[' without a closing ']'"),
    ("      - 再见\n", "      - 再见#\n", "'#' (staff number) is only allowed in self_identification"),
    ("{phrase: 迷你, not: [informal_address]}", "{phrase: 迷你, not: [informal]}",
     "unknown category 'informal'"),
    ("{phrase: 迷你, not: [informal_address]}", "{phrase: 迷你, not: [greeting]}",
     "look-alike '迷你' contains no phrase of greeting"),
])
def test_problems_point_at_the_yaml_line(old, new, message):
    assert NORMS_TEXT.count(old) == 1
    text = NORMS_TEXT.replace(old, new)
    norms, problems = parse_norms(text, "norms.yaml")
    assert norms is None
    matching = [p for p in problems if message in p.message]
    assert matching, problems
    changed_lines = {n for n, line in enumerate(text.splitlines(), 1)
                     if line not in NORMS_TEXT.splitlines()}
    assert matching[0].line in changed_lines
    assert isinstance(matching[0], Problem) and str(matching[0]).startswith("norms.yaml:")


def test_yaml_syntax_error_reports_line():
    norms, problems = parse_norms("elements:\n  greeting: [unclosed\n", "n.yaml")
    assert norms is None and problems[0].line >= 2 and "YAML error" in problems[0].message


def test_missing_category_and_unknown_key_are_reported():
    text = NORMS_TEXT.replace("  closing:\n", "  closings:\n", 1)
    _, problems = parse_norms(text, "n.yaml")
    messages = " | ".join(p.message for p in problems)
    assert "unknown key 'closings'" in messages and "missing key 'closing'" in messages


def test_load_norms_raises_content_problems(tmp_path):
    bad = tmp_path / "norms.yaml"
    bad.write_text("elements: {}\n", encoding="utf-8")
    with pytest.raises(ContentProblems) as raised:
        load_norms(bad)
    assert all(p.path == str(bad) for p in raised.value.problems)


# ---------------------------------------------------------------- normalisation and spans


def test_spans_are_original_offsets_with_spaces_and_full_width(norms):
    text = "您 好 ， 工 号 ４ ４ 2 0 为 您 服 务 。"
    verdict = score_reply(text, norms)
    assert verdict.element_names == ["greeting", "self_identification"]
    identification = next(h for h in verdict.elements if h.category == "self_identification")
    start, end = identification.span
    assert text[start:end] == identification.evidence == "工 号 ４ ４ 2 0"


def test_full_width_digits_count_as_staff_number(norms):
    assert "self_identification" in score_reply("工号０８１６为您服务", norms).element_names


def test_span_end_is_exclusive_and_points_at_original(norms):
    text = "  你们怎么回事"
    hit = score_reply(text, norms).violations[0]
    assert hit == Hit("informal_address", "你", (2, 3), "你")


def test_full_width_latin_jargon_is_found(norms):
    verdict = score_reply("您的ＶＬＲ没有更新。", norms)
    assert verdict.violation_names == ["jargon"]
    assert verdict.violations[0].evidence == "ＶＬＲ"


# ---------------------------------------------------------------- negation


def test_negated_empathy_is_suppressed_with_reason(norms):
    verdict = score_reply("我不理解您为什么这么激动。", norms)
    assert verdict.element_names == []
    assert "理解您 negated by 不" in reasons(verdict)


def test_negation_stops_at_punctuation_and_but(norms):
    assert score_reply("我不太清楚原因，但我理解您的心情。", norms).element_names == ["empathy"]
    assert score_reply("没办法马上退，不过我非常理解您的心情", norms).element_names == ["empathy"]
    assert score_reply("这个费用我没有，理解您的心情", norms).element_names == ["empathy"]


def test_negated_apology_phrase(norms):
    verdict = score_reply("我们不会再给您带来不便了。", norms)
    assert verdict.element_names == []
    assert any("negated by 不" in r for r in reasons(verdict))


def test_negation_cancels_blaming_phrase(norms):
    assert score_reply("这不是您的错，非常抱歉。", norms).violation_names == []
    assert score_reply("是您自己的问题。", norms).violation_names == ["forbidden_phrase"]


def test_negator_words_that_do_not_negate(norms):
    assert score_reply("我特别理解您的心情", norms).element_names == ["empathy"]


# ---------------------------------------------------------------- look-alikes and allow-lists


def test_lookalike_greeting(norms):
    verdict = score_reply("您好像没有开通这个业务。", norms)
    assert names(verdict) == (set(), {"uncertain_language"})
    assert "您好 inside 您好像 (look-alike, not greeting)" in reasons(verdict)


def test_greeting_then_uncertain(norms):
    assert names(score_reply("您好，好像是线路问题。", norms)) == ({"greeting"}, {"uncertain_language"})


def test_mini_is_not_informal_address(norms):
    verdict = score_reply("这款迷你路由器很好用", norms)
    assert verdict.violation_names == []
    assert any("迷你" in r for r in reasons(verdict))


def test_informal_address_inside_greeting_still_counts(norms):
    assert names(score_reply("你好", norms)) == ({"greeting"}, {"informal_address"})


def test_your_company_is_informal(norms):
    assert score_reply("你们公司的账户我帮您查。", norms).violation_names == ["informal_address"]


@pytest.mark.parametrize("text", ["不好意思，让您久等了。", "没问题，我马上办理。", "您不用担心。",
                                  "不客气。", "没关系，您不必介意。"])
def test_polite_phrases_with_negators_are_not_violations(text, norms):
    assert score_reply(text, norms).violation_names == []


def test_standard_confirmation_contains_buzhidao(norms):
    verdict = score_reply("不知道我有没有解释清楚？", norms)
    assert names(verdict) == ({"confirmation"}, set())
    assert any("part of the standard phrase" in r for r in reasons(verdict))
    assert names(score_reply("不知我是否将您的问题解释清楚了？", norms)) == ({"confirmation"}, set())
    assert score_reply("我不知道。", norms).violation_names == ["forbidden_phrase"]


def test_polite_query_buzhidao_nin(norms):
    assert score_reply("不知道您现在是否方便？", norms).violation_names == []


def test_this_is_what_we_should_do_is_not_uncertain(norms):
    verdict = score_reply("不用谢，这是我们应该做的。", norms)
    assert verdict.violation_names == []
    assert score_reply("应该是月底到账。", norms).violation_names == ["uncertain_language"]


def test_seed_self_blame_maybe_is_fine(norms):
    assert score_reply("对不起，可能我说得太快了，我再向您解释一遍好吗？", norms).violation_names == []
    assert score_reply("您可能听不到我的声音，我稍后给您再打过来，好吗？", norms).violation_names == []


def test_longer_forbidden_phrase_beats_polite_word(norms):
    verdict = score_reply("这个费用跟我们没关系。", norms)
    assert verdict.violation_names == ["forbidden_phrase"]
    assert verdict.violations[0].evidence == "跟我们没关系"


# ---------------------------------------------------------------- time estimates


@pytest.mark.parametrize("text", ["可能需要五分钟的时间。", "大概两个工作日生效。", "估计半小时内恢复。"])
def test_time_estimates_are_not_uncertain(text, norms):
    verdict = score_reply(text, norms)
    assert verdict.violation_names == []
    assert any("is a time estimate" in r for r in reasons(verdict))


def test_named_hedges_stay_uncertain_even_with_time(norms):
    assert score_reply("一般是两小时内到账。", norms).violation_names == ["uncertain_language"]
    assert score_reply("大概是下个月生效吧。", norms).violation_names == ["uncertain_language"]


# ---------------------------------------------------------------- staff number


def test_hotline_number_is_not_a_staff_number(norms):
    verdict = score_reply("您好，中国电信10000号为您服务。", norms)
    assert verdict.element_names == ["greeting"]
    assert "10000 is a service number, not a staff number" in reasons(verdict)


@pytest.mark.parametrize("text", ["工号1024为您服务", "我是8812号客服代表", "3367号为您服务", "工号是幺二三四"])
def test_staff_number_forms(text, norms):
    assert "self_identification" in score_reply(text, norms).element_names


def test_asking_for_someone_elses_staff_number(norms):
    assert score_reply("请您提供那位工作人员的工号。", norms).element_names == []


# ---------------------------------------------------------------- questions


@pytest.mark.parametrize("text, flagged", [
    ("请问您的号码是多少？机主姓名是什么？", True),
    ("请问您的号码是多少，机主姓名是什么？", True),
    ("请问，您的号码是多少？", False),
    ("对不起，我没有听清楚，请您重复一遍，好吗？", False),
    ("请问您是不是使用了免提，如果是，请拿起话筒说话好吗？", False),
    ("我稍后回电给您，您看可以吗？请问您的联系电话是多少？", False),
    ("不知我是否将您的问题解释清楚了？请问还有什么可以帮您？", True),
    ("好的，那您还有别的问题吗？没有的话祝您周末愉快。", False),
    ("喂？喂？听得到吗？", False),
    ("您是上个月办的？套餐是多少钱的？", True),
    ("我帮您查一下有没有优惠。请问您的号码是多少？", False),
    ("急什么，我这不是正在查吗？", False),
])
def test_multiple_questions(text, flagged, norms):
    assert ("multiple_questions" in score_reply(text, norms).violation_names) is flagged


def test_multiple_questions_evidence_spans_the_questions(norms):
    text = "您好。请问您贵姓？您的身份证号码是多少？"
    hit = next(h for h in score_reply(text, norms).violations if h.category == "multiple_questions")
    assert text[hit.span[0]:hit.span[1]] == hit.evidence == "请问您贵姓？您的身份证号码是多少"


# ---------------------------------------------------------------- jargon, quotes


def test_jargon_explained_in_same_sentence(norms):
    verdict = score_reply("您需要做一次位置更新，也就是关机再开机。", norms)
    assert verdict.violation_names == []
    assert any("位置更新 explained by" in r for r in reasons(verdict))
    assert score_reply("接入点名称（APN）要改成ctnet。", norms).violation_names == []
    assert score_reply("APN设置不对。", norms).violation_names == ["jargon"]


def test_jargon_explanation_does_not_cross_sentences(norms):
    assert score_reply("您拨*800去活。取消以后就好了。", norms).violation_names == ["jargon"]


def test_latin_jargon_must_stand_alone(norms):
    assert score_reply("您的crm系统", norms).violation_names == ["jargon"]
    assert score_reply("您的scrmx系统", norms).violation_names == []


def test_quoted_customer_words_are_not_violations(norms):
    verdict = score_reply("您说的“你们乱扣费”这个情况，我马上查。", norms)
    assert verdict.violation_names == []
    assert any("quotation marks" in r for r in reasons(verdict))


# ---------------------------------------------------------------- verdict shape


def test_as_json_shape_points_and_feedback(norms):
    verdict = score_reply("你好，这个不归我们管。", norms)
    data = verdict.as_json()
    assert set(data) == {"elements", "violations", "suppressed", "points", "feedback"}
    assert data["elements"] == ["greeting"]
    assert [v["category"] for v in data["violations"]] == ["informal_address", "forbidden_phrase"]
    assert data["violations"][1] == {"category": "forbidden_phrase", "evidence": "不归我们管",
                                     "span": [5, 10]}
    categories = norms.categories
    assert data["points"] == (categories["greeting"].points - categories["informal_address"].points
                              - categories["forbidden_phrase"].points)
    assert len(data["feedback"]) == 2
    assert data["feedback"][1].startswith("服务禁语：“不归我们管”。建议：")
    assert "转给负责的部门" in data["feedback"][1]


def test_points_count_each_category_once(norms):
    verdict = score_reply("对不起，真的很抱歉。", norms)
    assert len(verdict.elements) == 2
    assert verdict.points == norms.categories["apology"].points


def test_empty_reply(norms):
    verdict = score_reply("", norms)
    assert verdict.as_json() == {"elements": [], "violations": [], "suppressed": [], "points": 0,
                                 "feedback": []}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="您你好不理解的心情抱歉？，。吗请问工号1234 　０迷像是否可能需要五分钟“”VLR", max_size=40))
def test_deterministic_and_spans_valid(norms, text):
    first = score_reply(text, norms)
    assert first == score_reply(text, norms)
    for hit in [*first.elements, *first.violations, *first.suppressed]:
        start, end = hit.span
        assert 0 <= start < end <= len(text)
        assert text[start:end] == hit.evidence


def test_same_result_with_freshly_loaded_norms(norms):
    text = "您好，工号1024为您服务，请问有什么可以帮您？"
    assert score_reply(text, norms) == score_reply(text, load_norms(NORMS_PATH))
