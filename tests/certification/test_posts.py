"""Parsing post definitions (formats §6) and their cross-reference checks (no app)."""
from pathlib import Path

import pytest

from webapp.certification.posts import (
    QuizRequirement, Requirements, ScenarioRequirement, check_references, parse_post,
)
from webapp.content.problems import Problem

ROOT = Path(__file__).resolve().parents[2]
PATH = "quizzes/posts/hotline-agent.md"
VALID = """---
id: hotline-agent
title:
  zh: 10000号客服代表
  en: 10000 hotline agent
validity_months: 24
recertification_window_days: 60
requirements:
  modules: [role-awareness, telephone-etiquette, complaint-handling]
  quizzes:
    - {quiz: role-awareness.quiz, min_score: 80}
  scenarios:
    set: [unexpected-fee, wrong-charge-refund]
    min_average: 75
    no_critical: true
recertification:
  quizzes:
    - {quiz: hotline-agent.final, min_score: 85}
---
岗位说明。
"""


def problems_of(text: str, path: str = PATH) -> list[str]:
    definition, problems = parse_post(path, text)
    assert (definition is None) == bool(problems)
    return [str(problem) for problem in problems]


def test_the_example_from_the_formats_document():
    post, problems = parse_post(PATH, VALID)
    assert problems == []
    assert (post.post_id, post.title_zh, post.title_en) == ("hotline-agent", "10000号客服代表", "10000 hotline agent")
    assert (post.validity_months, post.recertification_window_days) == (24, 60)
    assert post.requirements == Requirements(
        ("role-awareness", "telephone-etiquette", "complaint-handling"),
        (QuizRequirement("role-awareness.quiz", 80.0),),
        ScenarioRequirement(("unexpected-fee", "wrong-charge-refund"), None, 2, 75, True),
    )
    assert post.recertification == Requirements(quizzes=(QuizRequirement("hotline-agent.final", 85.0),))
    assert post.description == "岗位说明。"
    assert len(post.content_hash) == 64
    assert post.reference_lines["wrong-charge-refund"] == 13
    assert post.reference_lines["hotline-agent.final"] == 18


def test_tag_and_count_scenarios_and_missing_recertification():
    text = VALID.replace("    set: [unexpected-fee, wrong-charge-refund]\n", "    tag: 资费\n    count: 3\n")
    text = text.split("recertification:\n")[0] + "---\n说明\n"
    post, problems = parse_post(PATH, text)
    assert problems == []
    assert post.requirements.scenarios == ScenarioRequirement((), "资费", 3, 75, True)
    assert post.recertification == post.requirements  # renewing repeats the initial requirements


@pytest.mark.parametrize("old, new, expected", [
    ("validity_months: 24", "validity_months: 0", '6: "validity_months" must be a whole number from 1 to 120'),
    ("validity_months: 24", "validity_months: '24'", '6: "validity_months" must be a whole number'),
    ("recertification_window_days: 60", "recertification_window_days: 800", "7: \"recertification_window_days\""),
    ("validity_months: 24", "validity_months: 1", "7: the recertification window must be shorter"),
    ("id: hotline-agent", "id: Hotline_Agent", '2: "id" must be an id'),
    ("id: hotline-agent", "id: online-agent", '2: post id "online-agent" must match the file name hotline-agent.md'),
    ("  en: 10000 hotline agent\n", "", '3: "title" must be a mapping'),
    ("min_score: 80}", "min_score: 180}", '11: "min_score" must be a whole number from 0 to 100'),
    ("{quiz: role-awareness.quiz, min_score: 80}", "{quiz: role-awareness.quiz}", '11: missing "min_score"'),
    ("{quiz: role-awareness.quiz, min_score: 80}", "{quiz: role-awareness.quiz, min_score: 80, weight: 2}",
     '11: unknown key "weight"'),
    ("complaint-handling]", "complaint-handling, role-awareness]", '9: module "role-awareness" is listed twice'),
    ("complaint-handling]", "Complaint Handling]", "9: module 'Complaint Handling' must be an id"),
    ("    no_critical: true", "    no_critical: yes please", '15: "no_critical" must be true or false'),
    ("    set: [unexpected-fee, wrong-charge-refund]", "    set: [unexpected-fee]\n    tag: 资费",
     "12: scenarios need exactly one of set"),
    ("    set: [unexpected-fee, wrong-charge-refund]", "    tag: 资费", '12: missing "count"'),
    ("  modules:", "  lessons: [x]\n  modules:", '9: unknown key "lessons"'),
    ("validity_months: 24", "validity_months: 24\nissuer: 人力部", '7: unknown key "issuer"'),
    ("岗位说明。\n", "", "20: the post needs a description"),
])
def test_problems_point_at_their_line(old, new, expected):
    assert old in VALID
    found = problems_of(VALID.replace(old, new))
    assert any(expected in problem for problem in found), found
    assert all(problem.startswith(PATH + ":") for problem in found)


def test_missing_requirements_and_yaml_errors():
    assert any('missing "requirements"' in p for p in problems_of(VALID.split("requirements:")[0] + "---\n说明\n"))
    (yaml_problem,) = problems_of("---\nid: [unclosed\n---\n说明\n")
    assert yaml_problem.startswith(f"{PATH}:") and "invalid YAML" in yaml_problem
    assert problems_of("岗位说明，没有前言\n")[0].startswith(f"{PATH}:1: missing front matter")


def test_check_references_reports_unknown_ids_at_their_line():
    post, _ = parse_post(PATH, VALID)
    problems = check_references(post, modules={"role-awareness", "telephone-etiquette"},
                                quizzes={"role-awareness.quiz"}, scenarios={"unexpected-fee"}, scenario_tags=())
    assert problems == [
        Problem(PATH, 9, 'unknown module "complaint-handling"'),
        Problem(PATH, 13, 'unknown scenario "wrong-charge-refund"'),
        Problem(PATH, 18, 'unknown quiz "hotline-agent.final"'),
    ]


def test_check_references_needs_the_scenario_tag():
    text = VALID.replace("    set: [unexpected-fee, wrong-charge-refund]\n", "    tag: 资费\n    count: 3\n")
    post, _ = parse_post(PATH, text)
    everything = dict(modules={"role-awareness", "telephone-etiquette", "complaint-handling"},
                      quizzes={"role-awareness.quiz", "hotline-agent.final"}, scenarios=set())
    assert check_references(post, **everything, scenario_tags={"资费", "投诉"}) == []
    assert check_references(post, **everything, scenario_tags={"投诉"}) == [
        Problem(PATH, 13, 'unknown scenario tag "资费"')]


@pytest.mark.parametrize("post_id", ["hotline-agent", "hall-consultant", "online-agent", "complaint-specialist",
                                     "telemarketer"])
def test_the_five_posts_parse_and_reference_the_fixed_ids(post_id):
    path = f"quizzes/posts/{post_id}.md"
    post, problems = parse_post(path, (ROOT / path).read_text(encoding="utf-8"))
    assert problems == []
    assert 12 <= post.validity_months <= 24
    modules = {"role-awareness", "telephone-etiquette", "complaint-handling", "telemarketing", "stress-management",
               "business-knowledge"}
    scenarios = {path.stem for path in (ROOT / "quizzes/roleplay/scenarios").glob("*.md")}
    quizzes = {f"{m}.quiz" for m in modules} | {f"{post_id}.final"}
    assert check_references(post, modules, quizzes, scenarios, scenario_tags=()) == []
    assert f"{post_id}.final" in post.recertification.quiz_ids()
