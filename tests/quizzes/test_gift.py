from pathlib import Path

import pytest

from webapp.quizzes.bank import parse_bank
from webapp.quizzes.gift import convert_gift
from webapp.quizzes.rendering import render_markdown
from webapp.quizzes.imports import (CHANGED, CONVERTED, NOT_CONVERTED, PLACEHOLDER_EXPLANATION, UnreadableFile,
                                    bank_header, bank_sections, decode)

SAMPLE = (Path(__file__).parent / "data" / "hotline.gift").read_text(encoding="utf-8")


def convert(text):
    conversion = convert_gift(text, "x.gift")
    return conversion.questions, [f"{item.line}: {message}" for item in conversion.items for message in item.messages]


def as_bank(questions, first_number=1):
    text = bank_header("gift-demo", "导入题库", "telephone-etiquette") + bank_sections(
        questions, "gift-demo", first_number, "telephone-etiquette.standard-phrases", 2)
    bank, problems = parse_bank("gift-demo.md", text, "gift-demo")
    assert [str(p) for p in problems] == []
    return bank


def graded(question, answer):
    return question.question_type.grade(question, answer)


def test_the_sample_file_converts_into_a_valid_bank():
    conversion = convert_gift(SAMPLE, "x.gift")
    bank = as_bank(conversion.questions)
    by_type = {}
    for q in bank.questions:
        by_type.setdefault(q.type, []).append(q)
    assert sorted((t, len(qs)) for t, qs in by_type.items()) == [
        ("fill", 1), ("matching", 2), ("multiple", 1), ("numerical", 3), ("single", 4), ("truefalse", 1)]
    first = bank.questions[0]
    assert first.stem == "客户来电接通后，客服代表的**第一句话**应该是？"
    assert first.options[first.correct[0]] == "“您好，中国电信10000号，很高兴为您服务。”"
    assert first.explanation.startswith("开头语要包含问候、单位和服务意愿。")
    assert "“喂，你找谁？”：不礼貌，而且没有自报家门。" in first.explanation
    assert first.tags == ("规范用语",)
    statuses = {item.title: item.status for item in conversion.items}
    assert statuses["问候语"] == CONVERTED and statuses["心得"] == NOT_CONVERTED and statuses["html"] == CHANGED
    assert statuses["额外选项"] == CHANGED  # converted; only its explanation is a placeholder
    assert len(conversion.items) == 14  # every question of the file is listed, converted or not


def test_multiple_choice_single_and_missing_word():
    (single, missing), notes = convert("谁负责？{=首问者 ~别人#不对}\n\n资费争议先查证后{=退费 ~补偿}的原则。")
    assert single.type == "single" and single.options == [("首问者", True, None), ("别人", False, 0.0)]
    assert single.explanation == "别人：不对" and notes == ["3: no feedback to use as the explanation: a placeholder was written, replace it"]
    assert missing.stem == "资费争议先查证后____的原则。"
    assert missing.explanation == PLACEHOLDER_EXPLANATION


def test_partial_credit_is_kept_and_grades_as_moodle():
    (multi,), notes = convert("选出正确做法{~%50%甲 ~%50%乙 ~%-100%丙 ~丁}")
    q = as_bank([multi]).questions[0]
    assert q.type == "multiple" and q.weights == (0.5, 0.5, -1.0, 0.0) and notes[0].endswith("placeholder was written, replace it")
    assert [graded(q, picks) for picks in ([0, 1], [0], [0, 2], [0, 1, 3])] == [1.0, 0.5, 0.0, 1.0]
    (uneven,), _ = convert("选出{~%70%甲 ~%30%乙 ~丙}")
    assert graded(as_bank([uneven]).questions[0], [1]) == pytest.approx(0.3)
    (partial,), _ = convert("选一个{=甲 ~%50%乙 ~丙}")
    q = as_bank([partial]).questions[0]
    assert q.type == "single" and [graded(q, index) for index in (0, 1, 2)] == [1.0, 0.5, 0.0]
    (penalty,), notes = convert("选一个{=甲 ~%-50%乙}")
    assert penalty.options[1] == ("乙", False, 0.0) and any("negative mark" in n for n in notes)
    assert convert("选{=甲 =乙 ~丙}")[0] == []
    assert "do not add up to 100" in convert("选{~%50%甲 ~%20%乙 ~丙}")[1][0]


@pytest.mark.parametrize(("block", "truth"), [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{false}", False)])
def test_true_false(block, truth):
    (question,), _ = convert(f"服务禁语可以说。{block}")
    assert question.type == "truefalse" and question.truth is truth and question.stem == "服务禁语可以说。"


def test_short_answer_blank_partial_credit_and_wildcard_feedback():
    (end,), _ = convert("::t::客户热线是 {=10000 =一万}")
    assert end.type == "fill" and end.stem == "客户热线是____" and end.answers == [("10000", 1.0), ("一万", 1.0)]
    (middle,), _ = convert("The hotline {=10000} is free.")
    assert middle.stem == "The hotline ____ is free."
    (partial,), _ = convert("热线{=10000#对 =%50%1000#差一个零 =%0%*#再想想}")
    assert partial.answers == [("10000", 1.0), ("1000", 0.5)]
    assert partial.explanation == "10000：对\n\n1000：差一个零"  # the catch-all's feedback explains nothing
    q = as_bank([partial]).questions[0]
    assert [graded(q, typed) for typed in ("10000", "1000", "100")] == [1.0, 0.5, 0.0]


def test_numerical_tolerances_ranges_and_weights():
    questions, notes = convert("语速？{#150:20}\n\n区间{#140..160}\n\n多个{#=150:0#正好 =%50%150:20#接近 =%0%*#不对}\n\n小数{#3.5}")
    bank = as_bank(questions)
    tolerance, interval, several, decimal = bank.questions
    assert [graded(tolerance, v) for v in ("170", "171", "130")] == [1.0, 0.0, 1.0]
    assert [graded(interval, v) for v in ("140", "160.0", "161")] == [1.0, 1.0, 0.0]
    assert [graded(several, v) for v in ("150", "160", "171")] == [1.0, 0.5, 0.0]
    assert several.explanation == "150:0：正好\n\n150:20：接近"
    assert graded(decimal, "3.5") == 1.0 and graded(decimal, "35") == 0.0


def test_matching_with_extra_right_items():
    (question,), _ = convert("配对{=a -> 1 =b -> 2 = -> 3}")
    q = as_bank([question]).questions[0]
    assert q.options == ("a", "b") and q.distractors == ("3",)


def test_format_markers_are_stripped_everywhere():
    (question,), notes = convert("[html]<p>客户<b>投诉</b></p>{=[plain]先道歉#[html]<i>对</i> ~[markdown]**争辩**#[moodle]不对####[html]<p>总体</p>}")
    assert question.stem == "客户**投诉**"
    assert question.options == [("先道歉", True, None), ("**争辩**", False, 0.0)]
    assert question.explanation == "总体\n\n先道歉：*对*\n\n**争辩**：不对"
    assert "[" not in question.explanation and notes == []


def test_escapes_comments_titles_and_categories():
    text = (
        "// 注释行会被忽略\n$CATEGORY: $course$/top/业务知识/呼叫转移\n\n"
        "// [tag:业务代码]\n::标题\\:冒号::设置无条件转移的代码是 \\{*57*号码\\#\\}，对吗？{T####**57** 加号码再加 \\#。}\n"
    )
    conversion = convert_gift(text, "x.gift")
    (question,) = conversion.questions
    # Moodle's own format shows asterisks as written: escaped, they are not emphasis in Markdown
    assert question.stem == "设置无条件转移的代码是 {\\*57\\*号码#}，对吗？"
    assert question.tags == ("呼叫转移", "业务代码")
    assert conversion.items[0].line == 5 and conversion.items[0].title == "标题:冒号" and conversion.notes() == []
    assert question.explanation == "\\*\\*57\\*\\* 加号码再加 #。"


def test_general_feedback_and_multiline_answers():
    text = "::q::[markdown]问题？{\n  =甲 对的\n    继续一行#好\n  ~乙\n  ####总体反馈\n}"
    (question,), _ = convert(text)
    assert question.options == [("甲 对的 继续一行", True, None), ("乙", False, 0.0)]
    assert question.explanation == "总体反馈\n\n甲 对的 继续一行：好"


def test_html_is_converted_to_markdown_and_images_are_refused():
    (question,), notes = convert("[html]<p>第一段<br>换行 <strong>重点</strong> &amp; <em>强调</em></p><p>第二段</p>{T}")
    assert question.stem == "第一段  \n换行 **重点** & *强调*\n\n第二段"
    questions, notes = convert('[html]<p>看图 <img src="@@PLUGINFILE@@/a.png"></p>{T}')
    assert questions == [] and "image" in notes[0]


def test_stem_lines_that_would_end_the_stem_are_escaped():
    (question,), _ = convert("[markdown]# 标题样式\n- 列表样式\n问题{T#好}")
    bank = as_bank([question])
    assert bank.questions[0].stem.startswith("\\# 标题样式")


def test_numbering_continues_from_a_given_number():
    questions, _ = convert("甲{T#a}\n\n乙{F#b}")
    assert [q.id for q in as_bank(questions, first_number=41).questions] == ["gift-demo.q041", "gift-demo.q042"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings_are_detected(encoding):
    text = "::问候::客户来电时先说？{=您好 ~喂}"
    assert decode(text.encode(encoding), "x.gift") == text


def test_windows_1252_is_detected_and_a_named_encoding_is_used():
    text = "::Café::Le café est-il « chaud » ? {T}"
    assert decode(text.encode("windows-1252"), "x.gift") == text
    assert decode("客服".encode("big5"), "x.gift", "big5") == "客服"


def test_unreadable_files_name_the_file():
    with pytest.raises(UnreadableFile, match="x.gift: the file is neither UTF-8, GB18030 nor windows-1252"):
        decode(b"\x81\x8d\x8f\x90\x9d", "x.gift")
    with pytest.raises(UnreadableFile, match=r"x.gift:2: the file is not utf-8 text"):
        decode(b"ok\n\xff", "x.gift", "utf-8")
    with pytest.raises(UnreadableFile, match="unknown encoding 'klingon'"):
        decode(b"ok", "x.gift", "klingon")


@pytest.mark.parametrize("text", [
    '[html]哪个按键？<img src="@@PLUGINFILE@@/key.png">{=挂机键 ~接听键}',
    "[markdown]哪个按键？![按键](key.png){=挂机键 ~接听键}",
    "哪个按键？{=挂机键 ~[markdown]![接听键](x.gif)}",
])
def test_an_image_in_gift_is_not_converted_gift_carries_no_files(text):
    (item,) = convert_gift(text, "g.gift").items
    assert item.status == NOT_CONVERTED and "GIFT carries no image files" in item.messages[0]


# --- the constructs of Moodle's own GIFT tests (tests/quizzes/data/moodle-gift-cases.gift) --------

MOODLE_CASES = convert_gift((Path(__file__).parent / "data" / "moodle-gift-cases.gift").read_text(encoding="utf-8"),
                            "moodle-gift-cases.gift")
CASE = {item.title: item for item in MOODLE_CASES.items}


def case(title):
    """The case's question as the bank parser reads it back (what trainees get)."""
    item = CASE[title]
    assert item.status != NOT_CONVERTED, item.messages
    (question,) = as_bank([item.question]).questions
    return question


def test_every_moodle_case_is_listed_with_its_line_and_none_raises():
    assert len(MOODLE_CASES.items) == 17
    assert [title for title, item in CASE.items() if item.status == NOT_CONVERTED] == ["论述", "预格式"]
    assert "human grader" in CASE["论述"].messages[0] and "human grader" in CASE["预格式"].messages[0]
    assert CASE["论述"].line == 6 and CASE["首问缩写"].line == 98
    assert all("热线新功能题" in item.question.tags for item in CASE.values() if item.question)


def test_moodle_case_match_with_a_marker_per_item_and_an_extra_right_item():
    question = case("活动配对")
    assert question.stem == "把**场景**和对应的服务渠道配对。"
    assert question.options == ("客户想当面办理过户。", "客户半夜发现宽带断网。", "客户习惯打字交流。", "客户想自助查询**话费**。")
    assert question.matches == ("营业厅", "10000号热线", "在线客服", "掌上营业厅") and question.distractors == ("信函",)


def test_moodle_case_multichoice_feedback_and_markers():
    question = case("颜色单选")
    assert question.options == ("绿色", "红色", "蓝色") and question.correct == (0,)
    assert question.explanation == "绿色：对，绿色表示接听。\n\n红色：不对，红色表示*挂机*。\n\n蓝色：不对，蓝色一般是功能键。"


def test_moodle_case_multiple_response_weights_grade_as_moodle():
    question = case("颜色多选")
    assert question.type == "multiple" and question.options[3] == "推脱责任"
    assert question.weights == pytest.approx((0.5, -1, 0.5, -1))
    assert [graded(question, picks) for picks in ([0, 2], [0], [0, 1], [1, 3])] == pytest.approx([1, 0.5, 0, 0])
    tricky = case("多选特例")
    assert tricky.type == "multiple" and tricky.correct == (0,) and tricky.weights == pytest.approx((1, -0.5, -0.5))
    assert [graded(tricky, picks) for picks in ([0], [0, 1], [1])] == pytest.approx([1, 0.5, 0])


def test_moodle_case_numerical_tolerance_and_a_wrong_answer_with_feedback():
    question = case("数值容差")
    assert question.type == "numerical" and question.accepted == ("3",) and question.tolerances == (2,)
    assert [graded(question, typed) for typed in ("1", "5", "5.1", "0")] == [1, 1, 0, 0]
    # the catch-all's feedback answers wrong responses, as for short answers: nothing to explain with
    assert question.explanation == PLACEHOLDER_EXPLANATION and CASE["数值容差"].status == CHANGED


def test_moodle_case_short_answer_partial_credit_wildcard_and_general_feedback():
    question = case("简答")
    assert question.accepted == ("致歉", "登记") and question.weights == pytest.approx((1, 0.5))
    assert [graded(question, typed) for typed in ("致歉", "登记", "别的")] == [1, 0.5, 0]
    assert "不对。" not in question.explanation  # the * answer's feedback answers wrong responses
    assert case("简答总评").explanation.startswith("先**致歉**，再查证。\n\n致歉：很好！")


def test_moodle_case_true_false_with_feedback_per_response_and_general_feedback():
    question = case("判断反馈")
    assert question.type == "truefalse" and question.correct == (1,)
    assert question.explanation == "这是基本的通话礼仪。\n\n答错了：通话中不能吃东西。\n\n答对了。"
    assert case("2-08 号码").correct == (0,) and case("2-09 号码").correct == (0,)
    assert CASE["2-08 号码"].status == CHANGED  # no feedback: a placeholder explanation to replace


def test_moodle_case_backslashes_are_kept_as_written():
    question = case("反斜杠")
    assert "D:\\录音\\2026" in render_markdown(question.stem)


def test_moodle_case_tags_from_comments_with_spaces_and_escaped_brackets():
    assert case("带标签").tags == ("热线新功能题", "话术", "other-tag", "空格", "t]ag")


def test_moodle_case_html_links_and_escaped_characters():
    question = case("问候录音")
    assert question.stem == "[听这段问候:](https://example.cn/media/greeting.mp3)  \n  \n录音里的客服代表哪一步做得不对？"
    assert question.options == ("自报工号", "没有问候", "语速") and question.correct == (1,)
    assert case("热线用户").accepted == ("客户",)
    assert CASE["首问缩写"].messages == [
        "HTML tags dropped, their text kept (only p, br, b, strong, i, em, code, a and img are kept): span",
        "no feedback to use as the explanation: a placeholder was written, replace it"]
