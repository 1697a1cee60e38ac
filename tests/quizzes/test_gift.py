from pathlib import Path

import pytest

from webapp.quizzes.bank import parse_bank
from webapp.quizzes.gift import PLACEHOLDER_EXPLANATION, bank_header, bank_sections, convert_gift

SAMPLE = (Path(__file__).parent / "data" / "hotline.gift").read_text(encoding="utf-8")


def convert(text):
    conversion = convert_gift(text, "x.gift")
    return conversion.questions, [f"{n.line}: {n.message}" for n in conversion.notes]


def as_bank(questions, first_number=1):
    text = bank_header("gift-demo", "导入题库", "telephone-etiquette") + bank_sections(
        questions, "gift-demo", first_number, "telephone-etiquette.standard-phrases", 2)
    bank, problems = parse_bank("gift-demo.md", text, "gift-demo")
    assert [str(p) for p in problems] == []
    return bank


def test_the_sample_file_converts_into_a_valid_bank():
    questions, notes = convert(SAMPLE)
    bank = as_bank(questions)
    by_type = {}
    for q in bank.questions:
        by_type.setdefault(q.type, []).append(q)
    assert sorted((t, len(qs)) for t, qs in by_type.items()) == [
        ("fill", 3), ("matching", 1), ("multiple", 1), ("single", 4), ("truefalse", 1)]
    first = bank.questions[0]
    assert first.stem == "客户来电接通后，客服代表的**第一句话**应该是？"
    assert first.options[first.correct[0]] == "“您好，中国电信10000号，很高兴为您服务。”"
    assert first.explanation.startswith("开头语要包含问候、单位和服务意愿。")
    assert "“喂，你找谁？”：不礼貌，而且没有自报家门。" in first.explanation
    assert first.tags == ("规范用语",)
    assert [q.id for q in bank.questions][:2] == ["gift-demo.q001", "gift-demo.q002"]
    assert any("essay" in n for n in notes) and any("description" in n for n in notes)
    assert any("extra right-side choice" in n for n in notes)
    assert any("span" in n for n in notes)


def test_multiple_choice_single_and_missing_word():
    (single, missing), notes = convert("谁负责？{=首问者 ~别人#不对}\n\n资费争议先查证后{=退费 ~补偿}的原则。")
    assert single.type == "single" and single.options == [("首问者", True), ("别人", False)]
    assert single.explanation == "别人：不对" and notes == ["3: no feedback to use as the explanation: a placeholder was written, replace it"]
    assert missing.stem == "资费争议先查证后____的原则。"
    assert missing.explanation == PLACEHOLDER_EXPLANATION


def test_weights_map_to_multiple_and_partial_credit_is_noted():
    (multi,), notes = convert("选出正确做法{~%50%甲 ~%50%乙 ~%-100%丙}")
    assert multi.type == "multiple" and multi.options == [("甲", True), ("乙", True), ("丙", False)]
    (uneven,), notes = convert("选出{~%70%甲 ~%30%乙 ~丙}")
    assert uneven.type == "multiple" and any("uneven weights" in n for n in notes)
    (partial,), notes = convert("选一个{=甲 ~%50%乙 ~丙}")
    assert partial.type == "single" and partial.options[1] == ("乙", False)
    assert any("partial-credit weights" in n for n in notes)
    assert convert("选{=甲 =乙 ~丙}")[0] == []


@pytest.mark.parametrize(("block", "truth"), [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{false}", False)])
def test_true_false(block, truth):
    (question,), _ = convert(f"服务禁语可以说。{block}")
    assert question.type == "truefalse" and question.truth is truth and question.stem == "服务禁语可以说。"


def test_short_answer_places_the_blank():
    (end,), _ = convert("::t::客户热线是 {=10000 =一万}")
    assert end.type == "fill" and end.stem == "客户热线是____" and end.answer_lines == ["10000", "一万"]
    (middle,), _ = convert("The hotline {=10000} is free.")
    assert middle.stem == "The hotline ____ is free."
    (partial,), notes = convert("热线{=10000 =%50%1000}")
    assert partial.answer_lines == ["10000"] and any("partially right short answers" in n for n in notes)


def test_numerical_whole_numbers_become_fill_and_tolerances_are_refused():
    (exact,), _ = convert("语速每分钟约多少字？{#150}")
    assert exact.type == "fill" and exact.answer_lines == ["150"] and exact.stem == "语速每分钟约多少字？____"
    assert convert("{#150:0}")[0][0].answer_lines == ["150"]
    assert convert("x{#150..150}")[0][0].answer_lines == ["150"]
    for block in ("{#150:10}", "{#140..160}", "{#3.5}"):
        questions, notes = convert("题" + block)
        assert questions == [] and "tolerance, a range or decimals" in notes[0]


def test_escapes_comments_titles_and_categories():
    text = (
        "// 注释行会被忽略\n$CATEGORY: $course$/top/业务知识/呼叫转移\n\n"
        "// [tag:业务代码]\n::标题\\:冒号::设置无条件转移的代码是 \\{*57*号码\\#\\}，对吗？{T####**57** 加号码再加 \\#。}\n"
    )
    (question,), notes = convert(text)
    assert question.stem == "设置无条件转移的代码是 {*57*号码#}，对吗？"
    assert question.tags == ("呼叫转移", "业务代码")
    assert question.line == 5 and notes == []
    assert question.explanation == "**57** 加号码再加 #。"


def test_general_feedback_and_multiline_answers():
    text = "::q::[markdown]问题？{\n  =甲 对的\n    继续一行#好\n  ~乙\n  ####总体反馈\n}"
    (question,), _ = convert(text)
    assert question.options == [("甲 对的 继续一行", True), ("乙", False)]
    assert question.explanation == "总体反馈\n\n甲 对的 继续一行：好"


def test_html_is_converted_to_markdown():
    (question,), notes = convert("[html]<p>第一段<br>换行 <strong>重点</strong> &amp; <em>强调</em></p><p>第二段</p>{T}")
    assert question.stem == "第一段  \n换行 **重点** & *强调*\n\n第二段"


def test_stem_lines_that_would_end_the_stem_are_escaped():
    (question,), _ = convert("[markdown]# 标题样式\n- 列表样式\n问题{T#好}")
    bank = as_bank([question])
    assert bank.questions[0].stem.startswith("\\# 标题样式")


def test_numbering_continues_from_a_given_number():
    questions, _ = convert("甲{T#a}\n\n乙{F#b}")
    assert [q.id for q in as_bank(questions, first_number=41).questions] == ["gift-demo.q041", "gift-demo.q042"]
