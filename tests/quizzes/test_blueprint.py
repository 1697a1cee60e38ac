import pytest

from tests.quizzes.builders import indexes, make_bank
from webapp.quizzes.blueprint import check_draw, parse_blueprint

VALID = """---
id: demo.quiz
title:
  zh: 演示测验
  en: Demo quiz
module: complaint-handling
mode: exam
time_limit_minutes: 30
grace_seconds: 60
pass_mark: 80
attempts_allowed: 3
cooldown_minutes: 10
shuffle_questions: true
shuffle_options: false
review: after_pass
draw:
  - bank: demo
    count: 2
    type: single
  - {bank: demo, count: 2, tags: [投诉], difficulty: 2}
---
测验说明。
"""


def parse(text=VALID, expected_id="demo.quiz"):
    return parse_blueprint("quizzes/exams/demo.quiz.md", text, expected_id)


def problems_of(text):
    return [f"{p.line}: {p.message}" for p in parse(text)[1]]


def test_valid_blueprint():
    blueprint, problems = parse()
    assert problems == []
    assert blueprint.title == {"zh": "演示测验", "en": "Demo quiz"}
    assert (blueprint.time_limit_minutes, blueprint.grace_seconds, blueprint.pass_mark) == (30, 60, 80)
    assert blueprint.shuffle_options is False and blueprint.review == "after_pass"
    assert [(r.bank, r.count, r.type, r.tags, r.difficulty, r.line) for r in blueprint.draw] == [
        ("demo", 2, "single", (), None, 17),
        ("demo", 2, None, ("投诉",), 2, 20),
    ]
    assert blueprint.question_count == 4 and blueprint.intro == "测验说明。"


def test_defaults():
    blueprint, problems = parse("---\nid: demo.quiz\ntitle: {zh: 测, en: Q}\npost: hotline-agent\ndraw:\n  - {bank: demo, count: 1}\n---\n")
    assert problems == []
    assert (blueprint.mode, blueprint.time_limit_minutes, blueprint.attempts_allowed, blueprint.review) == ("exam", 0, 0, "after_attempt")
    assert blueprint.post == "hotline-agent" and blueprint.module is None


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("mode: exam", "mode: test", '7: "mode" must be one of exam, practice, not \'test\''),
    ("review: after_pass", "review: later", '15: "review" must be one of immediately, after_attempt, after_pass, after_last_attempt, never, not \'later\''),
    ("pass_mark: 80", "pass_mark: 120", '10: "pass_mark" must be a percentage above 0 and at most 100, not 120'),
    ("pass_mark: 80", "pass_mark: 0", '10: "pass_mark" must be a percentage above 0 and at most 100, not 0'),
    ("time_limit_minutes: 30", "time_limit_minutes: -5", '8: "time_limit_minutes" must be a whole number (0 or more), not -5'),
    ("shuffle_options: false", "shuffle_options: maybe", '14: "shuffle_options" must be true or false, not \'maybe\''),
    ("    count: 2\n    type: single", "    count: 0\n    type: single", '17: "count" must be a whole number above 0, not 0'),
    ("    type: single", "    type: essay", '17: "type" must be one of single, multiple, truefalse, fill, numerical, ordering, matching, not \'essay\''),
    ("difficulty: 2}", "difficulty: 4}", '20: "difficulty" must be a whole number from 1 to 3, not 4'),
    ("count: 2, tags", "count: 2, colour: red, tags", '20: unknown key "colour" (known: bank, count, difficulty, tags, type)'),
    ("  - bank: demo\n    count: 2\n    type: single\n", "", None),
    ("module: complaint-handling", "post: hotline-agent\nmodule: complaint-handling", '1: give exactly one of "module" (module quiz) or "post" (final exam)'),
    ("id: demo.quiz", "id: other.quiz", '2: quiz id "other.quiz" must match the file name "demo.quiz.md"'),
])
def test_validation_problems_point_at_their_line(old, new, expected):
    assert old in VALID
    assert problems_of(VALID.replace(old, new)) == ([expected] if expected else [])


def test_draw_must_be_a_list():
    text = VALID[: VALID.index("draw:")] + "draw: 20\n---\n"
    assert problems_of(text) == ['16: "draw" must be a list of rules (- bank: <bank-id>, count: N)']


def test_check_draw_reports_unknown_banks_and_small_pools_at_the_rule_line():
    bank = make_bank(count=12)  # types cycle: 2 of each type; difficulty 1 + n % 3
    blueprint = parse()[0]
    assert check_draw(blueprint, indexes(bank)) == []  # 2 singles + 2 more of the 4 at difficulty 2
    assert [str(p) for p in check_draw(parse(VALID.replace("count: 2\n    type", "count: 3\n    type"))[0], indexes(bank))] == [
        "quizzes/exams/demo.quiz.md:17: the rule asks for 3 questions but bank demo with type single has only 2"
    ]
    assert [str(p) for p in check_draw(blueprint, {})] == [
        'quizzes/exams/demo.quiz.md:17: unknown bank "demo"',
        'quizzes/exams/demo.quiz.md:20: unknown bank "demo"',
    ]


def test_check_draw_counts_what_earlier_rules_may_take():
    bank = make_bank(count=12)
    whole_bank = VALID.replace("count: 2\n    type: single", "count: 10").replace("count: 2, tags: [投诉], difficulty: 2", "count: 3, difficulty: 2")
    assert [str(p) for p in check_draw(parse(whole_bank)[0], indexes(bank))] == [
        "quizzes/exams/demo.quiz.md:19: the rule asks for 3 questions but bank demo with difficulty 2 has only 4 (4 may already be taken by earlier rules)"
    ]
