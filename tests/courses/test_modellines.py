"""Marked model lines and counter-examples in lesson Markdown, checked with the real norms (pure)."""
from functools import partial

import pytest

from tests.conftest import ROOT
from webapp.courses.modellines import marked_line_problems, marked_lines
from webapp.roleplay.norms import load_norms
from webapp.roleplay.scoring import score_reply

BODY = """## 示范

客户：我的宽带断了。
客服：给您添麻烦了，我马上帮您查。
客服：应该是线路的问题吧。

::: 规范用语
“请稍等，正在为您查询，请不要挂机。”
:::

::: 禁用语
“你等着。”（示例）
“请问还有什么可以帮您？”（示例）
:::

✗ 一般是这样的。

::: 案例 改写前
客服：你自己查一下余额。
:::
"""


@pytest.fixture(scope="module")
def score():
    return partial(score_reply, norms=load_norms(ROOT / "quizzes/roleplay/norms.yaml"))


def test_what_is_marked_and_how():
    found = [(item.line, item.counter_example) for item in marked_lines(BODY, first_line=5)]
    assert found == [(8, False), (9, False), (12, False), (16, True), (17, True), (20, True), (23, True)]


def test_a_hedge_in_a_model_line_and_a_harmless_counter_example_are_errors_at_their_lines(score):
    problems = marked_line_problems("lesson.md", marked_lines(BODY, first_line=5), score)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (9, "this model line breaks the norms"), (17, "this counter-example breaks no norm")]


def test_a_line_that_only_quotes_a_term_is_said_whole_and_a_crossed_agent_line_drops_its_speaker():
    body = "客服：我查到您设置了“遇忙转移”，也就是通话时来电会转走。\n客服：“您好，请讲。”\n✗ 客服：（语气生硬）号码。"
    assert [item.text for item in marked_lines(body)] == [
        "我查到您设置了“遇忙转移”，也就是通话时来电会转走。", "您好，请讲。", "号码。"]
