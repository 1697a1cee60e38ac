"""Parsing scenario files: values, content hash and problems with their file lines."""
import pytest

from tests.roleplay.builders import scenario_text
from webapp.roleplay.scenarios import Requirement, parse_scenario


def problems_of(text: str) -> list[tuple[int, str]]:
    scenario, problems = parse_scenario("sample.md", text)
    assert scenario is None
    return [(p.line, p.message) for p in problems]


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_parses_front_matter_turns_and_requirements():
    scenario, problems = parse_scenario("sample.md", scenario_text(turns=3), expected_id="sample")
    assert problems == []
    assert (scenario.id, scenario.title_zh, scenario.title_en) == ("sample", "示例", "Sample")
    assert scenario.customer_type == "困惑型" and scenario.starting_mood == 1
    assert scenario.critical_violations == ("forbidden_phrase",) and scenario.tags == ("示例",)
    assert [turn.index for turn in scenario.turns] == [1, 2, 3]
    turn = scenario.turns[1]
    assert turn.customer.variant("upset") == "不满的第2句"
    assert turn.requirements == (
        Requirement("greeting", "greeting", category="greeting"),
        Requirement("key_point_1", "询问号码", keywords=("号码", "手机号")),
    )
    assert turn.model_reply == "您好，请问您的号码是多少？"


def test_content_hash_follows_the_text_and_ignores_nothing_else():
    first, _ = parse_scenario("a.md", scenario_text())
    again, _ = parse_scenario("b.md", scenario_text())
    edited, _ = parse_scenario("a.md", scenario_text().replace("平静的第1句", "平静的第一句"))
    assert first.content_hash == again.content_hash != edited.content_hash
    assert len(first.content_hash) == 64 and first.source == scenario_text()


def test_multi_line_model_reply_and_soft_wraps_join_without_spaces():
    text = scenario_text().replace("您好，请问您的号码是多少？\n", "您好，\n请问您的号码是多少？\n\n我马上为您查询。\n", 1)
    scenario, problems = parse_scenario("sample.md", text)
    assert problems == []
    assert scenario.turns[0].model_reply == "您好，请问您的号码是多少？\n我马上为您查询。"


@pytest.mark.parametrize("old, new, message", [
    ("customer_type: 困惑型", "customer_type: 暴躁型", '"customer_type" must be one of 要求型, 困惑型, 激动型'),
    ("starting_mood: 1", "starting_mood: 4", '"starting_mood" must be a whole number from 0 to 3'),
    ("pass_mark: 70", "pass_mark: 170", '"pass_mark" must be a whole number from 1 to 100'),
    ("seconds_per_reply: 60", "seconds_per_reply: 300", '"seconds_per_reply" must be a whole number from 1 to 120'),
    ("critical_violations: [forbidden_phrase]", "critical_violations: [rudeness]", 'unknown violation category "rudeness"'),
    ("tags: [示例]", "tags: [示例]\ncolour: red", 'unknown key "colour"'),
    ("id: sample", "id: Sample_1", '"id" must be an id'),
])
def test_front_matter_problems_point_at_the_key_line(old, new, message):
    text = scenario_text().replace(old, new)
    [(line, text_of_problem)] = problems_of(text)
    assert message in text_of_problem
    assert line == line_of(text, new.split("\n")[-1])


def test_missing_front_matter_key_and_file_name_mismatch():
    text = scenario_text().replace("module: complaint-handling\n", "")
    assert problems_of(text) == [(1, 'missing "module" (expected an id of lowercase a-z, 0-9 and \'-\' segments joined by \'.\')')]
    _, problems = parse_scenario("other.md", scenario_text(), expected_id="other")
    assert [(p.line, p.message) for p in problems] == [(2, 'id "sample" does not match the file name "other.md"')]


def test_invalid_yaml_is_reported_at_its_line():
    text = scenario_text().replace("difficulty: 1", "difficulty: [1")
    [(line, message)] = problems_of(text)
    assert "invalid YAML" in message and line >= line_of(text, "difficulty: [1")


@pytest.mark.parametrize("old, new, fragment, message", [
    ("- greeting\n", "- politeness\n", "- politeness", "unknown requirement category 'politeness'"),
    ("- greeting\n", "- jargon\n", "- jargon", "'jargon' is a violation category, not a requirement"),
    ("- 要点：询问号码（关键词：号码、手机号）", "- 要点：询问号码（号码、手机号）", "- 要点：询问号码（号码", "key point must read"),
    ("- 要点：询问号码（关键词：号码、手机号）", "- 要点：询问号码（关键词：）", "- 要点：询问号码（关键词：）", "key point must read"),
    ("- angry: 愤怒的第1句\n", "", "### 客户", "customer line is missing the variant(s): angry"),
    ("- angry: 愤怒的第1句", "- furious: 愤怒的第1句", "- furious", "customer line must start with calm:, upset: or angry:"),
    ("- angry: 愤怒的第1句", "- calm: 又一句", "- calm: 又一句", "customer variant 'calm' is given twice"),
    ("### 参考回复\n您好，请问您的号码是多少？\n", "", "## 第1轮", "turn has no '### 参考回复' section"),
    ("### 参考回复\n您好，请问您的号码是多少？\n", "### 参考回复\n", "### 参考回复", "turn has no model reply text"),
    ("### 客户\n", "### 顾客\n", "### 顾客", "unknown section '### 顾客'"),
    ("## 第2轮", "## 第3轮", "## 第3轮", "turns must be numbered in order: expected 第2轮, found 第3轮"),
    ("## 第2轮", "## 第二轮", "## 第二轮", "turn heading must be '## 第2轮'"),
    ("- greeting\n", "- greeting\n- greeting\n", "- greeting\n- greeting", "requirement 'greeting' is listed twice"),
    ("### 要求\n", "### 要求\n说明文字\n\n", "说明文字", "'### 要求' holds a bullet list only"),
])
def test_body_problems_point_at_their_line(old, new, fragment, message):
    text = scenario_text().replace(old, new, 1)
    found = problems_of(text)
    expected_line = line_of(text, fragment) + (1 if fragment == "- greeting\n- greeting" else 0)
    assert any(message in text_of_problem and line == expected_line for line, text_of_problem in found), found


def test_turn_count_and_text_before_the_first_turn():
    assert problems_of(scenario_text(turns=2))[-1][1] == "a scenario has 3 to 6 turns (## 第N轮), found 2"
    text = scenario_text().replace("---\n## 第1轮", "---\n开场白\n\n## 第1轮")
    assert (line_of(text, "开场白"), "text before the first '## 第N轮' heading") in problems_of(text)


def test_all_problems_are_reported_together_in_line_order():
    text = scenario_text().replace("customer_type: 困惑型", "customer_type: 暴躁型").replace("- greeting\n", "- politeness\n")
    found = problems_of(text)
    assert len(found) == 4  # the front matter and the three turns
    assert found == sorted(found)


def test_a_figure_in_a_reference_reply_must_come_from_the_situation_or_the_customer():
    text = scenario_text(turns=3).replace("您好，请问您的号码是多少？", "您好，工号1024为您服务。这笔15元是2日开通的。", 1)
    _scenario, problems = parse_scenario("sample.md", text)
    lines = text.split("\n")
    reply_line = next(n for n, line in enumerate(lines, start=1) if "这笔15元" in line)
    assert [(p.line, p.message.split(" states ")[1].split(",")[0]) for p in problems] == \
        [(reply_line, "15"), (reply_line, "2")]  # the staff number is the agent's own

    situated = text.replace("sources: [004 场景一]", "sources: [004 场景一]\nsituation:\n  zh: 系统显示：15元功能费\n"
                                                       "  en: \"Your screen: a 15 yuan fee\"")
    situated = situated.replace("平静的第1句", "2号扣的钱").replace("不满的第1句", "2号扣的").replace("愤怒的第1句", "2号")
    scenario, problems = parse_scenario("sample.md", situated)
    assert problems == [] and scenario.situation("zh") == "系统显示：15元功能费"
    assert scenario.situation("en") == "Your screen: a 15 yuan fee"
