from functools import partial
from pathlib import Path

import pytest

from tests.quizzes.builders import BANK_HEADER, make_bank, make_bank_text, question_section
from webapp.content.registry import Catalog
from webapp.quizzes.bank import parse_bank, parse_bank_file
from webapp.quizzes.kinds import BanksKind
from webapp.roleplay.norms import load_norms
from webapp.roleplay.scoring import score_reply

REPO = Path(__file__).resolve().parents[2]
BANK_FILES = sorted((REPO / "quizzes" / "banks").glob("*.md"))


def problems_of(text: str, expected_id: str | None = "demo") -> list[str]:
    return [f"{p.line}: {p.message}" for p in parse_bank("demo.md", text, expected_id)[1]]


def test_every_type_parses_into_its_key():
    bank = make_bank(count=6)
    by_type = {q.type: q for q in bank.questions}
    assert by_type["single"].options == ("甲", "乙", "丙") and by_type["single"].correct == (1,)
    assert by_type["multiple"].correct == (0, 1)
    assert by_type["fill"].accepted == ("先查证后退费",) and "____" in by_type["fill"].stem
    assert by_type["ordering"].options == ("受理", "查证", "回复")
    assert by_type["matching"].options == ("左一", "左二", "左三")
    assert by_type["matching"].matches == ("右一", "右二", "右三")
    assert by_type["truefalse"].options == ("对", "错") and by_type["truefalse"].correct == (0,)
    single = by_type["single"]
    assert single.explanation == "解析1。"
    assert single.tags == ("投诉",) and single.lesson == "complaint-handling.billing-disputes"
    assert single.line == 7 and single.difficulty == 2


def test_stem_and_explanation_keep_their_markdown():
    section = (
        "## demo.q001\ntype: single\ndifficulty: 1\ntags: [a, b，c]\nlesson: m.l\n\n"
        "第一段**加粗**。\n\n- 题干里的列表\n\n第二段。\n\n- [x] 对的\n- [ ] 错的\n\n> 第一行\n> 第二行\n>\n> 第二段\n"
    )
    question = make_bank(sections=[section]).questions[0]
    assert question.stem == "第一段**加粗**。\n\n- 题干里的列表\n\n第二段。"
    assert question.explanation == "第一行\n第二行\n\n第二段"
    assert question.tags == ("a", "b", "c")


def test_content_hash_ignores_trailing_spaces_but_not_edits():
    original = make_bank(count=2)
    spaced = parse_bank("demo.md", make_bank_text(count=2).replace("甲\n", "甲   \n"))[0]
    edited = parse_bank("demo.md", make_bank_text(count=2).replace("第1题", "第一题"))[0]
    assert [q.content_hash for q in original.questions] == [q.content_hash for q in spaced.questions]
    assert edited.questions[0].content_hash != original.questions[0].content_hash
    assert edited.questions[1].content_hash == original.questions[1].content_hash


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (question_section(1).replace("- [x] 乙", "- [ ] 乙"), "15: a single question needs exactly one - [x], found 0"),
        (question_section(1, type="multiple").replace("- [ ] 丙\n- [ ] 丁", "- [x] 丙\n- [x] 丁"), "15: a multiple question needs at least one - [ ]"),
        (question_section(1).replace("difficulty: 1", "difficulty: 5"), "9: difficulty must be 1, 2 or 3, not '5'"),
        (question_section(1).replace("type: single", "type: essay"), "8: unknown type \"essay\" (known: single, multiple, truefalse, fill, numerical, ordering, matching)"),
        (question_section(1).replace("tags: [投诉]\n", ""), "8: missing tags"),
        (question_section(1).replace("tags: [投诉]", "tags: [投诉]\ncolour: red"), "11: unknown key \"colour\" (known: type, difficulty, tags, lesson, answer, units, case, key_lines)"),
        (question_section(1).replace("> 解析1。", ""), "7: the explanation (a > blockquote after the answers) is missing"),
        (question_section(1).replace("## demo.q001", "## other.q001"), '7: question id "other.q001" must be "<bank id>.qNNN", e.g. demo.q001'),
        (question_section(1, type="fill").replace("____", "__"), "7: a fill question's stem needs exactly one blank ____ (found 0)"),
        (question_section(1, type="truefalse").replace("answer: 对", "answer: 是"), "7: a truefalse question needs 'answer: 对' or 'answer: 错'"),
        (question_section(1, type="ordering").replace("1. 受理\n2. 查证\n3. 回复", "- 受理\n- 查证"), "15: an ordering question needs an ordered list (1. 2. …) of two or more items"),
        (question_section(1, type="matching").replace("- 左二 => 右二", "- 左二 右二"), "16: a matching pair is written - 左项 => 右项 (or - => 右项 for an extra right item)"),
        (question_section(1).replace("- [ ] 丙", "- [ ] 丙\n\n  第二段"), "17: an answer item must be a single line of text"),
        (question_section(1).replace("lesson: complaint-handling.billing-disputes", "lesson: Billing"), "11: lesson must be a lesson id like \"complaint-handling.billing-disputes\", not 'Billing'"),
        (question_section(1).replace("- [ ] 丙", "- [ ] 丙\n- 普通项"), "18: every option must be a task list item: - [ ] or - [x]"),
        (question_section(1) + "\n", None),
        # partial credit, numerical and the type-specific keys, each reported at its own line
        (question_section(1).replace("- [ ] 甲", "- [ ] {50%} 甲"), None),
        (question_section(1).replace("- [ ] 甲", "- [ ] {150%} 甲"), "15: a weight is between -100% and 100%, not 150%"),
        (question_section(1).replace("- [ ] 甲", "- [ ] {-50%} 甲"), "15: a - [ ] option of a single question earns 0% up to below 100%, not -50%"),
        (question_section(1).replace("- [x] 乙", "- [x] {60%} 乙"), "16: the - [x] option of a single question earns 100%: leave out its weight"),
        (question_section(1, type="multiple").replace("- [x] 甲\n- [x] 乙", "- [x] {50%} 甲\n- [x] {40%} 乙"), "15: the weights of the - [x] options must add up to 100%, not 90%"),
        (question_section(1, type="multiple").replace("- [x] 甲", "- [x] {100%} 甲"), "16: once any option has a weight, every - [x] needs a positive one, e.g. {50%}"),
        (question_section(1, type="multiple").replace("- [x] 甲\n- [x] 乙\n- [ ] 丙", "- [x] {50%} 甲\n- [x] {50%} 乙\n- [ ] {20%} 丙"), "17: a - [ ] option earns nothing or loses marks (0% or below), not 20%"),
        (question_section(1, type="fill").replace("- 先查证后退费", "- {50%} 先查证"), "15: at least one accepted answer must earn 100% (an answer without {…%} does)"),
        (question_section(1, type="fill").replace("- 先查证后退费", "- 先查证后退费\n- *"), "16: an answer item must be a single line of text"),  # Markdown: an empty nested list
        (question_section(1, type="numerical").replace("- 10.5:0.5", "- 10,5"), "16: a numerical answer is 42, 1.5:0.1 (value:tolerance), 1..2 (a range) or *, not '10,5'"),
        (question_section(1, type="numerical").replace("9..12", "12..9"), "17: a range is written low..high, not '12..9'"),
        (question_section(1, type="numerical").replace("units: [元]", "units: 元"), "7: units are written [元, 块] (no digits), not '元'"),
        (question_section(1).replace("tags: [投诉]", "tags: [投诉]\nunits: [元]"), "8: 'units:' is only for numerical questions, not single"),
        (question_section(1, type="ordering").replace("1. 受理", "1. {50%} 受理"), "15: a ordering question gives no partial credit per item: remove the {…%}"),
    ],
)
def test_problems_are_reported_at_their_line(section, expected):
    problems = problems_of(BANK_HEADER.format(bank="demo") + section)
    assert problems == ([expected] if expected else [])


def test_bank_level_problems():
    text = BANK_HEADER.format(bank="demo") + "前言不允许。\n\n" + question_section(1) + question_section(1)
    assert problems_of(text) == [
        "7: text before the first question (## <id>) is not allowed",
        "23: duplicate question id demo.q001 (first on line 9)",
    ]
    assert problems_of(make_bank_text(), expected_id="other") == ['2: bank id "demo" must match the file name "other.md"']
    assert problems_of("---\nbank: demo\ntitle: 空\n---\n") == ["5: the bank has no questions"]
    assert problems_of("---\nbank: Demo Bank\ntitle: x\nextra: 1\n---\n")[:2] == [
        "2: \"bank\" must be an id of lowercase a-z, 0-9 and '-' segments joined by '.', not 'Demo Bank'",
        '4: unknown key "extra" (known: bank, module, title)',
    ]


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda path: path.name)
def test_repository_banks_parse_without_problems(path):
    bank, problems = parse_bank_file(path, REPO)
    assert [str(p) for p in problems] == []
    assert bank.questions


KEY_LINES_BANK = BANK_HEADER.format(bank="demo") + """
## demo.q001
type: single
difficulty: 1
tags: [规范用语]
lesson: m.l
key_lines: model

客户没听清时，规范的说法是：

- [ ] “你再听一遍。”
- [x] 先致歉，再说“我再向您解释一遍好吗？”

> 解析。

## demo.q002
type: multiple
difficulty: 1
tags: [服务禁语]
lesson: m.l
key_lines: counter

下列哪些是服务禁语？

- [x] “一般是三天吧。”
- [x] “请问还有什么可以帮您？”
- [x] 不清楚的事随口回答（没有引号：一种做法，不是台词）
- [ ] “请稍等，正在为您查询。”

> 解析。

## demo.q003
type: ordering
difficulty: 1
tags: [流程]
lesson: m.l
key_lines: model

排序：

1. 受理
2. 回复

> 解析。
"""


def test_key_lines_marks_the_quoted_sentences_of_the_key():
    bank, problems = parse_bank("demo.md", KEY_LINES_BANK, "demo")
    assert [(item.line, item.text, item.counter_example) for item in bank.key_lines] == [
        (18, "我再向您解释一遍好吗？", False),  # the wrong option is not part of the key
        (31, "一般是三天吧。", True),
        (32, "请问还有什么可以帮您？", True),
    ]
    assert [(p.line, p.message) for p in problems] == [
        (39, "key_lines must be model or counter, on a single, multiple, fill question")]


def test_validation_scores_marked_keys_with_the_norms():
    bank, _ = parse_bank("demo.md", KEY_LINES_BANK.replace("我再向您解释一遍好吗？", "应该是您听错了。"), "demo")
    catalog = Catalog()
    assert BanksKind().check([bank], catalog) == []  # without the norms nothing is scored
    catalog.share("norms.score", partial(score_reply, norms=load_norms(REPO / "quizzes/roleplay/norms.yaml")))
    problems = BanksKind().check([bank], catalog)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (18, "this model line breaks the norms"), (32, "this counter-example breaks no norm")]


def test_key_lines_on_a_key_that_quotes_nothing_is_a_problem():
    text = BANK_HEADER.format(bank="demo") + question_section(1).replace("tags: [投诉]", "tags: [投诉]\nkey_lines: model")
    assert [message for message in problems_of(text) if "key_lines" in message] == [
        "8: key_lines is set but the answer key quotes no sentence (“…”)"]
