"""Reply scorer: each context rule and trap, spans, reasons, determinism, norms validation."""

import hashlib
from dataclasses import replace
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


def test_a_text_just_parsed_is_not_compiled_again():
    """The editor's check and its sample reply parse the same draft: the second costs nothing,
    and the caller may change its list of problems without changing the next caller's."""
    first, _ = parse_norms(NORMS_TEXT, "quizzes/roleplay/norms.yaml")
    again, _ = parse_norms(NORMS_TEXT, "quizzes/roleplay/norms.yaml")
    assert again is first
    bad = NORMS_TEXT.replace("  closing:\n", "  closings:\n", 1)
    _, problems = parse_norms(bad, "n.yaml")
    problems.clear()
    assert parse_norms(bad, "n.yaml")[1]
    assert parse_norms(NORMS_TEXT, "other.yaml")[0].path == "other.yaml"  # problems name the path asked for


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
    verdict = score_reply("我不理解您的心情。", norms)
    assert verdict.element_names == []
    # the model's find of the whole sentence is cancelled for the same reason, and explains it once
    explained = [reason for reason in reasons(verdict) if "理解您 negated by 不" in reason]
    assert len(explained) == 1 and explained[0].endswith("the norms cancelled it here: 理解您 negated by 不")
    # the confrontational form is a forbidden phrase, and the empathy inside it never counts
    verdict = score_reply("我不理解您为什么这么激动。", norms)
    assert verdict.element_names == []
    assert verdict.violation_names == ["forbidden_phrase"]
    assert "理解您 is part of the violation phrase 不理解您为什么" in reasons(verdict)


def test_negation_stops_at_punctuation_and_but(norms):
    assert score_reply("退款今天还不能到账，但我理解您的心情。", norms).element_names == ["empathy"]
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
    assert score_reply("电话一直打不通，真抱歉让您久等了。", norms).element_names == ["apology"]


def test_what_the_customer_lacks_negates_nothing_after_it(norms):
    """没网, 钱没到账: the customer's situation, not a negation of the empathy that follows."""
    for text in ("两天没网用确实太影响您了，我已经给您登记报修。", "钱没到账心里总是悬着，这个我明白。"):
        assert "empathy" in score_reply(text, norms).element_names, text
    assert score_reply("我没理解您的意思。", norms).element_names == []


def test_words_that_do_not_negate_are_not_polite(norms):
    """rules.not_negating: 办不了 and 别的 negate nothing, but a clause holding them is still judged."""
    for text in ("没带身份证办不了，下一位。", "这个业务我们这办不了，您去别的营业厅问问吧。"):
        assert score_reply(text, norms).violation_names == ["forbidden_phrase"], text
    for text in ("你那个手机是水货，水货出国用不了很正常。", "哎，您别挂啊，我话还没说完呢，听完再说行不行？"):
        assert "forbidden_phrase" in score_reply(text, norms).violation_names, text
    verdict = score_reply("停了两天网，在家办公肯定特别闹心，我马上帮您查。", norms)
    assert verdict.violation_names == []  # 别闹 cuts through 特别
    assert "别闹 takes a character of the word 特别" in reasons(verdict)


# ---------------------------------------------------------------- look-alikes and allow-lists


def test_the_model_finds_a_check_only_in_a_reply_that_asks(norms):
    """confirmation's learned.asks: a restatement alone states, it does not check (GUIDE.md)."""
    stated = "您的意思我明白了，您是想把套餐改成每月39元的那一档。"
    assert "confirmation" not in score_reply(stated, norms).element_names
    for checked in ("您的意思我明白了，您是想把套餐改成每月39元的那一档，对吧？",
                    "退款单我已经给您填好了，金额是156元，退到您尾号5512的建行卡，您核对一下，没错的话在这签字。"):
        assert "confirmation" in score_reply(checked, norms).element_names, checked


def test_a_longer_violation_holding_a_whole_polite_phrase_counts(norms):
    assert set(score_reply("应该是您手机设置的问题吧，我们网络肯定没问题的。", norms).violation_names) == {
        "forbidden_phrase", "uncertain_language"}
    assert score_reply("没问题，我马上帮您查。", norms).violation_names == []


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


@pytest.mark.parametrize("text", ["可能需要五分钟的时间。", "大概两个工作日生效。", "估计半小时内恢复。",
                                  "退款一般需要3到5个工作日到账。"])
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


@pytest.mark.parametrize("text, named", [
    ("您好，我是在线客服晓雯，请问有什么可以帮您？", True),
    ("我是您的客户经理丽丽，很高兴为您服务。", True),
    ("我是客服热线，不是营业厅。", False),       # what follows a title without naming anyone
    ("我是客服这边的，您说。", False),
    ("我是客服人员，麻烦您说一下号码。", False),
    ("客服晓雯，", False),                      # a given name alone proves nothing without 我是 + title
])
def test_given_name_after_a_job_title(text, named, norms):
    assert ("self_identification" in score_reply(text, norms).element_names) is named


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
    ("请问您说的没信号，是在家里还是在外面？", False),   # 请问 only names the topic of one either-or
    ("请问您贵姓，您的号码是多少？", True),              # 贵姓 asks on its own
    ("请问您的号码是多少，办了多久了？", True),
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
    # scrmx is not the listed term CRM; as an unknown Latin word it still looks technical
    assert [hit.phrase for hit in score_reply("您的scrmx系统", norms).violations] == ["rules.jargon_acronyms"]
    assert score_reply("您的WiFi密码", norms).violation_names == []


@pytest.mark.parametrize("text", ["测速请打开speedtest.cn这个网址。", "宽带账号是手机号后面加@gd.cn。",
                                  "好的.APN设置错了"])
def test_latin_words_in_addresses_are_values(text, norms):
    jargon = [hit for hit in score_reply(text, norms).violations if hit.category == "jargon"]
    assert [hit.evidence.lower() for hit in jargon] == (["apn"] if "APN" in text else [])


def test_sympathy_beside_a_brush_off_is_hollow(norms):
    verdict = score_reply("我能理解您着急，不过这事您找我也没用。", norms)
    assert names(verdict) == (set(), {"forbidden_phrase"})
    assert any("hollow beside forbidden_phrase" in r for r in reasons(verdict))
    assert names(score_reply("我能理解您着急，我马上帮您查。", norms))[0] == {"empathy"}


def test_hollow_with_names_violations_only():
    text = NORMS_TEXT.replace("hollow_with: [forbidden_phrase]", "hollow_with: [closing]")
    norms, problems = parse_norms(text, "norms.yaml")
    assert norms is None
    assert any("hollow_with: 'closing' is not a violation category" in p.message and p.line > 0 for p in problems)


def test_asking_whether_ones_explanation_was_clear_is_not_ignorance(norms):
    verdict = score_reply("不知道我这样解释您明白了吗？", norms)
    assert names(verdict) == ({"confirmation"}, set())
    assert "forbidden_phrase" in score_reply("这个我不知道。", norms).violation_names


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


# ---------------------------------------------------------------- generalisation rules (blind-set round)


@pytest.mark.parametrize("text", [
    "你怎么这么麻烦？", "着急也没用，师傅排满了。", "说了多少遍了，要带身份证！", "听不懂吗？",
    "那是你自己操作的问题。", "上面规定的，我也改不了。", "爱办不办。", "这事不归我们管。",
    "你自己去营业厅问。", "我也没办法。", "我哪知道这些。", "都跟您解释三遍了，您还要我怎么说？",
    "这还用问吗？", "您自己看短信不就知道了吗？", "您怎么不早说呢？", "别再催了。",
    "谁叫您不看合同就签字的。", "你急啥，师傅都派了。", "这都不会啊？", "要办就快点，别磨蹭。",
])
def test_forbidden_phrase_families(text, norms):
    assert "forbidden_phrase" in score_reply(text, norms).violation_names


@pytest.mark.parametrize("text", [
    "如果重启了也没用，请您再次拨打10000号。", "我帮您催一下，让师傅快点上门。",
    "电话挂了以后您会收到一条短信。", "我帮您找领导解决。", "这不是您的错，是系统升级出了差错。",
    "不好意思，我这边听不太清楚。", "您也可以自己在APP上查询。", "请问这个业务是您自己办理的吗？",
    "这是规定的办理流程：先缴清欠费，再办理过户。", "不知道我这样解释您是否清楚？",
    "这两项费用，不知道解释明白没有？",                      # checking its own explanation
    "就算您忘了服务密码也没关系，用身份证就能重置。",        # concession, not blame
    "请您把号码报一下，我帮您查。",
    "三天没网，您肯定急得不行，真抱歉。",                    # 不行 as a degree, not a refusal
    "我先教您试个办法，不行我们再派师傅。",                  # a next step if this fails
    "这个优惠我没法给您办，因为它限定新号码；不过老用户有续约礼包，我给您介绍一下？",  # reason and alternative
])
def test_forbidden_look_alikes_stay_clean(text, norms):
    assert "forbidden_phrase" not in score_reply(text, norms).violation_names


def test_overlapping_keys_are_all_found(norms):
    # a longer key that fails half-way ("这是你自己") must not hide "你" (pyahocorasick iter_long)
    verdict = score_reply("这是你们家路由器太旧了，自己换一个。", norms)
    assert set(verdict.violation_names) == {"forbidden_phrase", "informal_address"}


def test_polite_phrase_overlapping_a_violation_suppresses_it(norms):
    verdict = score_reply("您好，我听不太清楚您的声音。", norms)
    assert verdict.violation_names == []
    assert any("overlaps the polite phrase" in reason for reason in reasons(verdict))


def test_element_inside_a_violation_phrase_does_not_count(norms):
    verdict = score_reply("我不理解您为什么这么激动。", norms)
    assert verdict.element_names == []


@pytest.mark.parametrize("text", ["您好，工号：7788，请问有什么可以帮助您的？", "您好!工号:2301,很高兴为您服务!"])
def test_staff_number_after_a_colon(text, norms):
    assert "self_identification" in score_reply(text, norms).element_names


@pytest.mark.parametrize("text, flagged", [
    ("请问您的装机地址在哪里 联系电话多少", True),       # chat, parts separated by spaces
    ("您要改套餐还是加流量包 现在用的是哪个套餐", True),
    ("请问您的号码是多少，机主姓名是什么", True),
    ("已帮您办理完成 请留意短信", False),
    ("好的，我帮您查一下是什么原因，请问您的号码是多少", False),  # a statement, not a question
    ("你听不懂吗？我说的是要机主本人来。", False),         # rhetorical: forbidden, not a question
    ("您这是第几次打来了？请问您的号码是多少？", False),
])
def test_question_counting_in_chat_and_rhetorical(text, flagged, norms):
    assert ("multiple_questions" in score_reply(text, norms).violation_names) is flagged


@pytest.mark.parametrize("text, flagged", [
    ("我帮您提交了维修申请，也就是工单，师傅会上门处理。", False),   # explanation before the term
    ("您的宽带需要鉴权，就是系统核对您的账号和密码是否正确。", False),  # 就是 right after the term
    ("您的宽带需要鉴权，等一下就是了。", True),                     # 就是 not next to the term
    ("我帮您调一下话单看看。", True),
    ("您的号码刚做了停复机，所以短信会有延迟。", True),
    ("IVR（就是电话里的自动语音导航）里按3就能查话费。", False),
    ("屏幕让输PUK码的话，这个PUK码就是锁卡以后用来解锁的八位数字。", False),  # explained at its second mention
    ("这串锁卡以后用的解锁数字，行话叫PUK码，我核实身份后发给您。", False),    # plain words first
    ("电脑上弹出错误678，这个是线路没接通的意思。", False),
    ("请您把APN改一下。", True),
    ("您的IMSI需要重新写一下。", True),   # the listed IMS inside IMSI does not hide it
    ("AAA认证没通过，我帮您重置。", True),  # a repeated letter is an acronym; only xxxx masks digits
])
def test_jargon_explanations_near_the_term(text, flagged, norms):
    assert ("jargon" in score_reply(text, norms).violation_names) is flagged


@pytest.mark.parametrize("text, flagged", [
    ("按理说不会扣这么多钱的。", True), ("我记得这个套餐是有宽带的。", True),
    ("应该下午就能恢复了。", True), ("这种情况一般都是欠费引起的。", True),
    ("不用谢，应该的。", False), ("您应该带上身份证原件。", False),
    ("退款可能需要3到5个工作日。", False), ("这是不可能的。", False),
    ("您估计那时候家里有人吗？", False), ("您一般在哪个房间信号最差？", False),   # the customer's own estimate
    ("这种情况估计是线路问题。", True),
])
def test_uncertain_language_variants(text, flagged, norms):
    assert ("uncertain_language" in score_reply(text, norms).violation_names) is flagged


def test_spans_stay_original_with_space_cuts(norms):
    text = "请问　您的地址在哪里 联系电话多少"
    verdict = score_reply(text, norms)
    for hit in verdict.violations:
        assert text[hit.span[0]:hit.span[1]] == hit.evidence


# Later probes (written fresh after each round, measured once, then fixed by phrase family; the
# first-measure recall of each is in docs/authoring/norms.md §6). Rude replies must be flagged,
# clean ones must stay free of any violation.
PROBE_RUDE = [
    "你这话说的，好像是我们故意扣你钱似的。",
    "我都解释半天了，您怎么还是不明白？",
    "号码报一下。", "身份证拿出来。", "您的密码输一下。",   # commands with the object first
    "您这样说话我就没法帮您了。",                            # the refused 帮您 is no offer of help
    "那没法弄，您另请高明吧。",
    "不好意思，我们只管手机，宽带的事别问我。",
    "你要是觉得贵就别办了。",
    "这种情况您自己负责。",
    "我怎么跟你说你才懂啊？",
    "谁让你乱点链接的，现在知道着急了。",
    "这是你们家里人自己开的，问他们去。",
    "我这边一天接几百个电话，没工夫一个个跟你解释。",
    "哎呀您就别纠结了，照着做就行。",
    "这种问题网上一搜就有。",
    "都这个点了，明天上班时间再打吧。",
    "我们也是没办法的事，您理解一下。",
    "您爱找谁找谁去。",
    "你是不是没交钱？",
    "嗯嗯嗯，知道了，还有事吗？",
    "别废话了，身份证号多少？",
    "你那个手机就是个山寨机，信号差正常。",
    "这不明摆着的吗，欠费了当然停机。",
    "您说了半天我也没听懂您要干什么。",
    "您别跟我吵，吵也解决不了问题。",
    "这个我没法跟您保证。",
    "按您这么说，那都是我们的错了？",
    "要不您换个运营商试试？",
    "您先冷静一下再打过来吧。",
    "这个要求我们满足不了，您看着办。",
    "我不是已经给您发短信了吗？",
    "您这样说话我就没法帮您了。",
    "不好意思，这不在我的职责范围内。",
    "这个锅我们不背。",
    "您就不能自己看看说明书吗？",
    "别一口一个投诉，吓唬谁呢。",
    "我说的您到底听进去没有？",
    "你们这些用户就是喜欢占便宜。",
    "这个我真帮不上忙，您去别处问问。",
    "是您没有按时缴费，停机是您自己造成的。",
    "您这问题太奇怪了，我从来没遇到过。",
    "没看到我在帮您查吗？",
    "这种事您找我也没用，我就一个小客服。",
    "你这手机都用了五六年了还指望信号好？",
    "我们的规定就是这样，没有例外。",
    "你到底还办不办？",
    "知道了知道了，别重复了。",
    "这有什么难的，重启一下不就好了。",
    "那您自己想办法吧。",
    "我们系统显示没问题，肯定是您搞错了。",
    "您要是不信可以去查。",
    "又是你啊，上次不是处理过了吗？",
    "那是第三方的事，跟电信无关。",
    "您能不能听我说完再插话？",
    "这个跟我说不着，您找营业厅吧。",
    "系统就给了这个结果，我有什么办法。",
    "你这样闹下去对谁都没好处。",
    "我们每天都这么处理的，就您事儿多。",
    "早跟您说了不要乱开通业务。",
    "您的问题我处理不了，挂了重新打吧。",
    "别老是问为什么，规定就是这么写的。",
    "你们年纪大的就是记不住密码。",
    "我们不可能为了您一个人改规定。",
    "这个钱不退，您投诉也没用。",
    "你这不是明知故问吗？",
    "您去问问您家孩子吧，他们懂这些。",
    "那没办法，谁让您当时不问清楚。",
    "我又没让您开通，您自己点的。",
    "这都是常识啊。",
    "我给您说了您也记不住，算了。",
    "你有这个时间抱怨，不如去营业厅办了。",
    "我现在很忙，您简单点说。",
    "这不废话吗，没网当然打不开。",
]
PROBE_CLEAN = [
    "您好，工号3388为您服务，您的心情我完全能理解，我马上帮您查。",
    "这个情况确实给您添麻烦了，我们会尽快处理。",
    "请您放心，退款会在三个工作日内原路退回。",
    "我这边帮您把问题升级给技术专家，今天之内给您回复。",
    "这款套餐每月59元，包含30G流量，您看是否需要办理？",
    "好的，这边已经帮您把国际漫游关掉了，回国后不会再产生费用。",
    "您是第一次遇到这个问题吗？",
    "给您造成不便，我们非常抱歉，感谢您的耐心。",
    "麻烦您把光猫断电重启一下，大约两分钟后再试试上网。",
    "不是您操作的原因，是我们这边线路在检修。",
    "宽带到期前我们会短信提醒您续费，不会直接断网。",
    "您提到的这个活动我们已经停止了，我给您推荐一个类似的优惠。",
    "请问您希望师傅什么时候上门？",
    "您反映的问题我已经记录下来了，处理完成后我们会第一时间通知您。",
    "这个功能是免费的，您可以放心使用。",
    "没问题，我再给您发一遍短信验证码。",
    "为了不耽误您时间，我们处理好后给您回电，您看可以吗？",
    "感谢您的反馈，我们会把您的建议转达给相关部门。",
    "这个问题不是一两句话能说清楚的，我给您发一份图文说明到手机上。",
    "不用着急，您慢慢找，我在线等您。",
    "您好，很高兴为您服务，请问您遇到什么问题了？",
    "您先别担心，这笔扣费我来帮您核实。",
    "抱歉让您多跑了一趟，这次我帮您在电话里直接办好。",
    "我刚查到您的宽带在今天上午有一次短暂中断，目前已经恢复了。",
    "这个号码的合约期到明年三月，提前解约需要支付违约金，我帮您算一下具体金额。",
    "您可以在电信营业厅APP首页点“查询”，就能看到本月账单。",
    "好的，我这就帮您登记，登记完成后会有短信通知。",
    "请您确认一下，您要办理的是把主卡的流量共享给副卡，对吗？",
    "我们会安排工程师在48小时内上门检测。",
    "对不起，这是我的失误，刚才给您报的价格不对，正确的是每月69元。",
    "您这边如果不方便接听电话，我们也可以短信回复处理结果。",
    "这项服务目前只支持本地号码办理，外地号码需要回归属地营业厅。",
    "您反映的骚扰电话我已经登记，我们会进行核查处理。",
    "好的，那我就不打扰您了，祝您晚上愉快，再见。",
    "您的积分已经成功兑换成话费，十分钟内到账。",
    "我再给您确认一遍地址：城东路18号3单元502，对吗？",
    "系统升级期间部分业务暂停办理，给您造成不便请您谅解。",
    "您好，您刚刚咨询的是宽带提速，我给您介绍一下目前的提速方案。",
    "这个情况我们需要进一步核查，核查结果我会亲自回电告诉您。",
    "请您放心，您的个人信息我们会严格保密。",
    "您好，工号8216为您服务，请问您要咨询什么业务？",
    "我非常理解您着急的心情，我现在就帮您加急处理。",
    "这个费用是您上个月开通的视频彩铃，我马上帮您退订，下个月起就不再收费。",
    "对不起，刚才信号不好，您能再说一下您的号码吗？",
    "这个问题我没有办法在线上直接处理，需要转给技术同事，给您添麻烦了，我会跟进到底。",
    "您说得没错，这确实是我们的问题，非常抱歉。",
    "我们会在两小时内回电，请您保持手机畅通。",
    "请问您是想查询本月的话费吗？",
    "您放心，这个号码转网后原来的积分会在转出前帮您兑换。",
    "这样操作之后您的手机就能正常上网了，不知道我讲清楚了没有？",
    "感谢您的耐心等待，您的宽带已经恢复，祝您使用愉快。",
    "您稍等，我帮您查一下离您最近的营业厅地址。",
    "如果您还有疑问，可以随时联系我们。",
    "不好意思，这个优惠需要满足在网满一年的条件，您目前还差两个月。",
    "您的建议我们已经记下了，会反馈给产品部门。",
]
PROBE_KNOWN_MISSES = {
    # 保证 cancels the bare-refusal rule (我们保证… is a promise), so 没法…保证 is still missed
    "这个我没法跟您保证。": "a refusal whose words are split (没法…保证)",
}


@pytest.mark.parametrize("text", [
    pytest.param(t, marks=pytest.mark.xfail(reason=PROBE_KNOWN_MISSES[t], strict=True))
    if PROBE_KNOWN_MISSES.get(t) else t for t in PROBE_RUDE])
def test_probe_rude_replies_are_forbidden(text, norms):
    assert "forbidden_phrase" in score_reply(text, norms).violation_names


@pytest.mark.parametrize("text", PROBE_CLEAN)
def test_probe_clean_replies_have_no_violation(text, norms):
    assert score_reply(text, norms).violation_names == []


# ---------------------------------------------------------------- intent rules (rules.intent_rules)

INTENT_RUDE = [
    ("我们这边不能给您延期。", "不能"),          # bare refusal after the agent subject
    ("不退 就这样", "不退"),                     # refusal at the start of its clause (chat)
    ("不可以，主卡没注销前副卡不能单独销户。", "不可以"),  # the marker's own 可以 is no alternative
    ("您好，这个我们不能给您退，扣费是正常的。", "不能"),
    ("您是不是没仔细看账单啊", "没仔细"),         # blame: customer subject + fault
    ("你是不是又忘了充值", "忘了"),
    ("话费是你自己用掉的，我们又没多扣。", "自己用"),
    ("先把身份证号报过来。", "把"),              # command at the start of a sentence
    ("把光猫重启一下，快点。", "把"),
    ("好像我们骗您钱似的，账单清清楚楚的。", "似的"),  # sarcasm
    ("您先搞清楚自己办的什么套餐再来问。", "再来问"),
]
INTENT_CLEAN = [
    "您的手机不能上网是因为流量用完了，我帮您加一个流量包好吗？",   # fault described, not refused
    "如果重启之后还是不行，您再联系我们，我们安排师傅上门。",
    "很抱歉，这笔费用目前不能退，但我可以帮您申请下个月减免同等金额的话费。",
    "我这边不能替您做决定，我把两个套餐的区别给您讲清楚，您再选，好吗？",
    "我们这边没有办法直接查看您手机里的设置，麻烦您按我说的步骤点开设置看一下，好吗？",
    "请问您是不是还没有收到验证码？",                       # polite diagnostic question
    "麻烦您看一下账单里是否有一笔5元的增值业务费。",
    "嗯，对，对，就是那个129的套餐，您没记错。",             # negated fault
    "您别忘了带身份证原件。",
    "您刚才说“打不了电话也上不了网”，我先帮您查一下线路状态。",  # quoted
    "我们核实以后，把费用退回到您的账户。",                  # 把 mid-sentence
    "把您的问题记录好之后，我们会在两小时内安排专人联系您。",
    "我们不能随意透露机主信息，这是为了保护您的隐私，您可以带身份证到营业厅查询。",
    "您说得对，确实不能怪您，是我们短信提醒发晚了，非常抱歉。",
    "您的宽带不能上网，我这边看到是光猫掉线了，我现在为您远程重启，请稍等。",
]


@pytest.mark.parametrize("text, marker", INTENT_RUDE)
def test_intent_rules_flag_rude_replies(text, marker, norms):
    verdict = score_reply(text, norms)
    hits = [h for h in verdict.violations if h.category == "forbidden_phrase"]
    assert hits, verdict.as_json()
    for hit in hits:
        assert text[hit.span[0]:hit.span[1]] == hit.evidence
    assert any(marker in hit.evidence for hit in hits), verdict.as_json()


@pytest.mark.parametrize("text", INTENT_CLEAN)
def test_intent_rules_leave_clean_replies_alone(text, norms):
    assert "forbidden_phrase" not in score_reply(text, norms).violation_names


def test_bare_refusal_evidence_is_the_clause_in_original_offsets(norms):
    text = "您好，ＡＰＰ里这个我们不能给您退。"  # full-width letters fold: offsets must map back
    hit = next(h for h in score_reply(text, norms).violations if h.category == "forbidden_phrase")
    assert hit.evidence == "ＡＰＰ里这个我们不能给您退" and text[hit.span[0]:hit.span[1]] == hit.evidence
    assert hit.phrase.startswith("生硬拒绝")


def test_cancelled_refusal_is_suppressed_with_reason(norms):
    verdict = score_reply("对不起，我们这边不能开纸质发票，不过电子发票效力一样，我现在发到您邮箱。", norms)
    assert verdict.violation_names == []
    assert any("生硬拒绝" in r and "the reply has" in r for r in reasons(verdict))


@pytest.mark.parametrize("reply", ["我念一下您写的邮箱：wang.jun@126.com，wang点jun，是这样没错吧？",
                                   "您写的邮箱结尾是.con，我帮您改成zhaolei@163.com，对吗？",
                                   "我已经重新设成ctnet，您看右上角已经显示5G了。"])
def test_an_address_read_back_or_a_value_typed_is_no_jargon(norms, reply):
    assert "jargon" not in score_reply(reply, norms).violation_names


def test_a_bracket_explains_what_precedes_it_not_what_follows(norms):
    reply = "扣除光猫押金100元（已在CRM里冲抵），实际退到您银行卡140元。"
    assert "jargon" in score_reply(reply, norms).violation_names


def test_sympathy_before_a_refusal_does_not_excuse_it(norms):
    # a contrast word brings a way out only after the refusal (不过电子发票…), not before it
    assert score_reply("我能理解您的心情，但是没办法，停了就是停了。", norms).violation_names == ["forbidden_phrase"]
    assert score_reply("我理解您，但是这个违约金真的没办法。", norms).element_names == []


def test_an_apology_alone_does_not_excuse_a_flat_refusal(norms):
    # GUIDE.md: a refusal with no reason and no alternative is rude, sorry or not
    assert score_reply("对不起，我们这边不能开纸质发票。", norms).violation_names == ["forbidden_phrase"]
    assert score_reply("抱歉，无法办理。", norms).violation_names == ["forbidden_phrase"]


def test_sarcasm_absorbs_the_hedge(norms):
    verdict = score_reply("好像我们骗您钱似的。", norms)
    assert verdict.violation_names == ["forbidden_phrase"]
    assert any("好像" == s.evidence and s.category == "uncertain_language" for s in verdict.suppressed)


def test_intent_rule_needs_subjects_or_start():
    text = NORMS_TEXT.replace("      at_start: sentence\n", "", 1)
    norms, problems = parse_norms(text, "norms.yaml")
    assert norms is None and any("can never fire" in p.message for p in problems)


def test_overlapping_evidence_of_one_category_is_shown_once(norms):
    verdict = score_reply("我能体会您的心情，您找别人去吧，我不管", norms)
    rude = [(hit.evidence, hit.span) for hit in verdict.violations if hit.category == "forbidden_phrase"]
    assert rude == [("找别人去吧", (10, 15)), ("我不管", (16, 19))]
    # cancelled hits inside another of their category are explained once, by the outer one
    spans = [(item.category, item.span) for item in verdict.suppressed]
    assert len(spans) == len(set(spans))
    assert not any(category == other and (lo, hi) != (olo, ohi) and olo <= lo and hi <= ohi
                   for category, (lo, hi) in spans for other, (olo, ohi) in spans)


def test_a_phrase_s_unless_words_in_its_sentence_cancel_it(norms):
    # 不可能 about what the customer feared reassures; a flat 不可能 contradicts the customer
    verdict = score_reply("您担心我们故意限速，这个不可能，限速在系统里都有记录。", norms)
    assert "forbidden_phrase" not in verdict.violation_names
    assert "不可能 cancelled by 担心 in its sentence" in reasons(verdict)
    assert "forbidden_phrase" in score_reply("不可能，这个套餐肯定比您现在的便宜。", norms).violation_names
    # the unless-word counts in the phrase's own sentence only (the rules alone: the model of phrase
    # hits reads the whole reply, and may itself hear the reassurance)
    rules_only = replace(norms, categories={**norms.categories, "forbidden_phrase": replace(
        norms.categories["forbidden_phrase"], learned=None)})
    assert "forbidden_phrase" in score_reply("您别担心。不可能，这个套餐肯定比您现在的便宜。", rules_only).violation_names


def test_reassurance_cancels_only_the_feeling_word_it_holds(norms):
    # 您别急 after real sympathy leaves it standing; 您真的不用担心 is a promise, not sympathy
    assert "empathy" in score_reply("话费一下子多了这么多，谁看了心里都犯嘀咕，您别急，我一项一项帮您查。",
                                    norms).element_names
    verdict = score_reply("您真的不用担心，钱一定会退回来。", norms)
    assert "empathy" not in verdict.element_names
    assert any("cancelled by 不用担心" in reason for reason in reasons(verdict))


# ---------------------------------------------------------------- classes from the w74–w77 round


@pytest.mark.parametrize("text", [
    "没什么好商量的，规定就这样。",                       # nothing to discuss
    "您要是不信，可以自己去营业厅打清单。",               # "check it yourself if you doubt me"
    "这个功能您肯定学不会的，别折腾了。",                 # the customer judged unable to learn
    "您不交的话我就叫下一位了。",                         # the next customer as a threat
    "当初您要是仔细看了合同，也不会有这些麻烦。",         # blame after the fact
    "月底流量不够用不是很正常吗？",                       # a reproaching rhetorical question
    "号码说一下。",                                       # a bare command
    "您投诉也没用，这是总部定的。",                       # a hollow dismissal
    "这几个套餐您爱选哪个选哪个。", "嫌贵可以不办，又没人逼您。",  # indifference
    "回访的时候给个好评啊，不然我要扣钱的。",             # begging for a rating
])
def test_rudeness_classes_without_the_earlier_lists(text, norms):
    assert "forbidden_phrase" in score_reply(text, norms).violation_names


@pytest.mark.parametrize("text", [
    "如果您每月按时交费，就不会停机了。",                 # advice for later, not blame
    "要是我们早点通知您，也不会让您白跑一趟，真抱歉。",   # the agent's own side
    "您不着急，这个优惠一直有效，想好了再打给我们。",     # time to think it over
    "这张卡是您自己在用，还是给家里人用？",               # an either-or question about who uses it
    "智能手机要是学不会也没关系，我一步一步教您。",
])
def test_their_look_alikes_stay_polite(text, norms):
    assert "forbidden_phrase" not in score_reply(text, norms).violation_names


@pytest.mark.parametrize("text, greets", [
    ("您好友送的流量已经到账了。", False), ("晚上好多人同时在用网，所以会慢一些。", False),
    ("您好心帮朋友办卡，结果受了连累。", False), ("晚上好，我是客服小李。", True), ("您好我是营业员小王。", True),
])
def test_a_greeting_whose_hao_begins_a_longer_word_greets_no_one(text, greets, norms):
    verdict = score_reply(text, norms)
    assert ("greeting" in verdict.element_names) == greets
    assert greets or any("runs on into the word" in reason for reason in reasons(verdict))


@pytest.mark.parametrize("text, flagged", [
    ("拨号报691的话，您先重启一下光猫。", True),
    ("电脑提示691，意思是宽带账号或密码没通过验证。", False),
    ("有问题请拨打10086691咨询。", False),                  # a code inside a longer number
    ("详单发到您的邮箱li_ming@qq.com，对吗？", False),     # a Latin word inside an address
    ("返回码是3007，您先别着急。", True),
])
def test_error_codes_and_addresses(text, flagged, norms):
    assert ("jargon" in score_reply(text, norms).violation_names) == flagged


def test_restated_details_with_is_it_right_are_a_confirmation(norms):
    assert "confirmation" in score_reply("登记的地址是文三路88号，您看是否正确？", norms).element_names
    assert "confirmation" in score_reply("新地址是文三路88号3单元，麻烦您核对一下有没有错。", norms).element_names
    assert "confirmation" not in score_reply("系统会核对您的密码是否正确。", norms).element_names


def test_sympathy_after_a_state_of_things_and_pity(norms):
    # 信号不好 describes the line; its 不 does not negate the feeling after it
    assert "empathy" in score_reply("信号不好确实闹心，我马上帮您查。", norms).element_names
    assert "empathy" in score_reply("您的遭遇我很同情，这件事我来跟进。", norms).element_names


def test_calling_back_if_a_fix_fails_is_a_step_not_an_offer(norms):
    assert "offer_further_help" not in score_reply("您把光猫重启一下，还不行再打过来。", norms).element_names
    assert "offer_further_help" in score_reply("以后有什么问题，您直接打过来找我就行。", norms).element_names


@pytest.mark.parametrize("text, questions", [
    ("麻烦您说一下光猫上哪个灯在闪红，是LOS灯还是PON灯？", 1),   # the choices for the same question
    ("您什么时候方便，上午还是下午？", 1),
    ("请问这张副卡，是插在手机上用，还是给手表、平板这类设备用呢？", 1),   # 、 joins items of a list
    ("您大概几号出发、去几个国家？", 2),                          # 、 between two questions
    ("不知道您平时是打电话多还是用流量多？您家里有没有装宽带？", 2),   # 不知道 asks: not rhetorical
    ("今天到底发生了什么，能先跟我说说经过吗？", 1),             # asked, then asked to be told it
    ("您遇到的是哪方面的问题，方便跟我说说吗？", 1),
    ("为了判断是线路还是话机的问题，请问您家里有没有别的座机？", 1),   # a purpose asks nothing
    ("您遇到的是哪方面的问题？您是哪天买的？", 2),
])
def test_questions_counted_by_what_is_asked(text, questions, norms):
    verdict = score_reply(text, norms)
    assert ("multiple_questions" in verdict.violation_names) == (questions > 1)


@pytest.mark.parametrize("text", [
    "这次上门师傅迟到了两个小时，我们向您郑重道歉。",
    "给贵公司业务造成影响，我代表公司郑重道歉。",
    "催缴电话一天打了七八次，这件事我先替我们道歉。",
    "是我们宣传没做好，我跟您道歉。",
])
def test_an_apology_said_by_the_agent_with_words_between(text, norms):
    assert "apology" in score_reply(text, norms).element_names


def test_no_apology_when_the_agent_refuses_one(norms):
    assert "apology" not in score_reply("我们没什么好道歉的，系统就是这么规定的。", norms).element_names


@pytest.mark.parametrize("text, flagged", [
    ("系统显示您的宽带端口被限速了。这里的“端口”指的是机房里分给您家的那个接口。", False),
    ("您手机提示输入PUK，先别乱试。PUK码就是SIM卡的解锁码，我核实身份后念给您。", False),
    ("系统显示您的宽带端口被限速了，我马上给您恢复。", True),
    ("这个eSIM手表号要先在营业厅做实名。", False),                # a product name customers buy
])
def test_a_term_explained_in_a_later_sentence_is_explained(text, flagged, norms):
    assert ("jargon" in score_reply(text, norms).violation_names) == flagged


@pytest.mark.parametrize("text", [
    "还有其他需要吗？没有的话就这样吧，我这边还有很多电话排着。",   # hurrying: others are waiting
    "你查不到是你不会查，我这里明明显示已经到账了。",               # blame: the customer cannot
    "这位先生，您这样大吵大闹，对谁都没好处。",                     # moralising
])
def test_more_rudeness_without_a_stock_insult(text, norms):
    assert "forbidden_phrase" in score_reply(text, norms).violation_names


@pytest.mark.parametrize("text", [
    "这笔是视频平台代收的费用，不过您不用自己去找他们，我这边直接帮您发起退订。",   # taken on
    "您的号码尾号6621，没错吧？这个号码是您自己在用吗？",                         # who uses the line
])
def test_taking_it_on_and_asking_who_uses_the_line_are_polite(text, norms):
    assert "forbidden_phrase" not in score_reply(text, norms).violation_names


@pytest.mark.parametrize("text, hedged", [
    ("退款估计要一个月吧，您慢慢等。", True),               # the estimate hedged again with 吧
    ("退款已经提交了，估计这两天就能到。", True),           # 这两天 is no number
    ("光缆被挖断了，估计要好几天才能修好。", True),
    ("退款已经提交了，估计三个工作日到账。", False),        # an estimate with a number
    ("充值到账大概需要两三分钟。", False),
])
def test_an_estimate_is_no_hedge_only_with_a_number_said_plainly(text, hedged, norms):
    assert ("uncertain_language" in score_reply(text, norms).violation_names) == hedged


@pytest.mark.parametrize("text, offers", [
    ("您的卡已经补好了，欢迎您下次再来，您慢走。", True),        # invited back
    ("那边用着不顺心的话，随时欢迎您回来。", True),
    ("以后用得着我们的地方，随时说一声。", True),
    ("您好，欢迎回来，上次您咨询的退订已经办结了。", False),      # a returning customer greeted
])
def test_invitations_back(text, offers, norms):
    assert ("offer_further_help" in score_reply(text, norms).element_names) == offers


@pytest.mark.parametrize("text, rude", [
    ("弱电箱是什么您都不知道吗？就是墙上那个铁盒子。", True),    # condescension
    ("您这每个月都超流量还不升级，钱多得没处花吗？", True),       # mockery
    ("不办就算了，那就这样，再见。", True),                       # indifference
    ("您说话能不能慢点？我听不清。", True),                       # impatience
    ("您暂时不需要也没关系，不办就算了，不打扰您了。", False),   # a polite retreat
    ("麻烦您说话能不能慢一点？我记一下。", False),
])
def test_condescension_mockery_and_impatience(text, rude, norms):
    assert ("forbidden_phrase" in score_reply(text, norms).violation_names) == rude


@pytest.mark.parametrize("text, identifies", [
    ("您好，我是10000号8862，您要查询积分，对吗？", True),      # the staff number after the hotline's
    ("您好，10000号为您服务。", False),
    ("我们的热线是10000，营业厅电话是88621234。", False),
])
def test_a_staff_number_after_the_hotline_number(text, identifies, norms):
    assert ("self_identification" in score_reply(text, norms).element_names) == identifies


@pytest.mark.parametrize("text, element", [
    # a chat reply cut by spaces: the learned model judges the sentence the phrase is in, not the one before
    ("亲 您查的是尾号0517这个号对吧 月租是每月1号扣的哈", "confirmation"),
    ("好的 已经帮您把账号解锁了 现在可以重新登录试试 还有其他需要帮忙的吗", "offer_further_help"),
])
def test_a_sentence_cut_by_a_space_is_judged_as_itself(text, element, norms):
    assert element in score_reply(text, norms).element_names


@pytest.mark.parametrize("text, questions", [
    ("您要转网我们尊重。不过能不能先跟我说说，是哪里让您不满意？", 1),   # asked to tell, then what
    ("断网的时候光猫上那几个灯是什么颜色，您还记得吗？", 1),
    ("您想要哪个颜色？内存要128G的还是256G的？", 2),                   # two sentences, two questions
])
def test_asking_to_be_told_leads_in_to_the_question(text, questions, norms):
    assert ("multiple_questions" in score_reply(text, norms).violation_names) == (questions > 1)


@pytest.mark.parametrize("reply, hedged", [
    ("您一年大概出去几次？一般都去哪些地方？", False),  # asks the customer for an estimate
    ("您这个应该是欠费了吧？", True),  # a guess put as a question is still a guess
    ("退款大概下个月到吧，您再等等。", True),
])
def test_a_hedge_word_asking_for_an_estimate_is_no_hedge(norms, reply, hedged):
    verdict = score_reply(reply, norms)
    assert any(hit.category == "uncertain_language" for hit in verdict.violations) == hedged, verdict.violations


@pytest.mark.parametrize("text, sarcastic", [
    ("哟，那可真是对不起您了，全营业厅就您最有理。", True),
    ("对不起对不起，行了吧？我都道过歉了，您还想怎么样？", True),
    ("对不起，给您添麻烦了，我马上处理。", False),
])
def test_a_sarcastic_apology_is_no_apology(text, sarcastic, norms):
    assert ("apology" in score_reply(text, norms).element_names) is not sarcastic


@pytest.mark.parametrize("text", [
    "现在国内早就没漫游费了，这你都不知道？",          # condescension without a listed word
    "您再骂人我可以直接挂您电话的。",                  # a threat
    "您要是不办，我这个月的任务可就完不成了。",        # guilt
    "您等十分钟算什么，有的客户等了一个月呢。",        # minimising the wait
    "营业员说的话不算数，以我们系统为准。",            # a colleague's promise disowned
    "我知道您很生气，但是生气也不能改变扣费结果。",
])
def test_rudeness_without_stock_words_is_forbidden(text, norms):
    assert "forbidden_phrase" in score_reply(text, norms).violation_names


def test_a_term_followed_by_its_value_is_not_explained(norms):
    assert "jargon" in score_reply("PUK码是40278135，您输进去就行。", norms).violation_names
    assert "jargon" not in score_reply("PUK码就是解锁SIM卡用的8位数字。", norms).violation_names


@pytest.mark.parametrize("text, rude", [
    ("原因很简单，这其实是常识，群发之前就该想到。", True),
    ("这是最基本的流程，想必您也清楚。", True),
    ("以后分批发就行，这么简单的道理不难理解吧？", True),
    ("不知道这个时间给您打电话合不合适？", False),      # "I wonder", not the agent knowing nothing
    ("去营业厅办事碰上不愉快，真的很对不起。", False),  # the customer's experience, not an order
])
def test_condescension_and_its_look_alikes(text, rude, norms):
    assert ("forbidden_phrase" in score_reply(text, norms).violation_names) is rude


@pytest.mark.parametrize("text, rude", [
    ("只是您这个诉求实在有点过分，我们不可能给您免一年的费用。", True),      # the request judged
    ("您客气一点，我们也好好跟您说。", True),                                # lecturing on manners
    ("一般是您手机后台在偷跑流量，应该不是我们计费的问题。", True),          # blame disowned
    ("您能不能先把申诉撤了，我们私下给您解决？", True),                      # pressing to withdraw
    ("这笔扣费需要您自行联系商家退订。", True),                              # pushed back to the customer
    ("您重启一下光猫试试，不行再说。", True),                                # put off with no next step
    ("您的要求一点都不过分，我马上给您申请。", False),
    ("经过检测不是我们线路的问题，我帮您看看路由器的设置。", False),
    ("您平常手机主要用来干什么？", False),                                   # asks what it is used for
    ("我这就帮您转过去，万一断了，您再拨一次10000就能找到他们。", False),    # how to reach them
    ("没问题，您自己看，办不办您说了算。", False),                           # the choice left to the customer
    ("号码用了十五年要转走，我们也很舍不得。", False),
])
def test_shirking_and_lecturing_and_their_look_alikes(text, rude, norms):
    assert ("forbidden_phrase" in score_reply(text, norms).violation_names) is rude


def test_a_negation_ends_with_its_de_phrase_for_elements(norms):
    assert "offer_further_help" in score_reply("您有什么不满意的随时叫我。", norms).element_names


def test_an_offer_inside_a_brush_off_is_no_offer(norms):
    verdict = score_reply("您不办这个合约，以后手机坏了可别来找我们。", norms)
    assert "forbidden_phrase" in verdict.violation_names
    assert "offer_further_help" not in verdict.element_names


def test_a_chat_message_ending_in_a_particle_or_emoji_states(norms):
    text = "亲，还有别的需要帮忙的吗？比如话费查询、流量办理，都可以问我哦～"
    assert "multiple_questions" not in score_reply(text, norms).violation_names
    assert "multiple_questions" in score_reply("您要改套餐还是加流量包 现在用的是哪个套餐", norms).violation_names


def test_a_web_address_is_no_jargon(norms):
    text = "退款进度可以在这个页面随时查：https://help.10010.com/refund/status"
    assert "jargon" not in score_reply(text, norms).violation_names


@pytest.mark.parametrize("text, category", [
    ("确认办理的话请回复“是”。", "confirmation"),
    ("请您核对一下身份证上的名字是不是张建华。", "confirmation"),
    ("这次给您添了这么多麻烦，我把补偿方案跟您说完。", "apology"),
    ("也请您接受我们的道歉。", "apology"),
    ("您好，早上好，我是回访员小吴。", "self_identification"),
    ("您好，我是值班经理方雪。", "self_identification"),
    ("哈喽，有什么想了解的尽管问。", "greeting"),
])
def test_elements_in_more_wordings(text, category, norms):
    assert category in score_reply(text, norms).element_names


@pytest.mark.parametrize("text, rude", [
    ("身份证。", True), ("问那边的。", True), ("填表，笔在那边。", True), ("没货。", True),
    ("请讲。", False), ("已记录。", False), ("地址改好了。", False), ("好的，稍等。", False),
    ("您好。", False), ("拿好，慢走。", False), ("啥意思？", False),  # a bare question is judged as a question
])
def test_a_bare_reply_is_curt_by_its_form(text, rude, norms):
    assert ("forbidden_phrase" in score_reply(text, norms).violation_names) is rude


@pytest.mark.parametrize("text, rude", [
    ("今天要是还有别的事需要帮忙，您尽管告诉我。", False),
    ("您耳朵是不是不好？我说的是按1。", True),
    ("这个我上午已经解释过了，您是没听还是没记住？", True),
    ("我这边没法加快，你只能等。", True),
    ("没关系，您再问几遍都行，我再说一遍。", False),
    ("亲，您还在线吗？如果5分钟内没有回复，系统会自动结束会话哦。", False),
    ("宝子，那个流量包不太划算，您要不看看别的？", False),
])
def test_talking_down_and_its_look_alikes(text, rude, norms):
    assert ("forbidden_phrase" in score_reply(text, norms).violation_names) is rude
