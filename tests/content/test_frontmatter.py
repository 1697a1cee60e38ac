import pytest

from webapp.content.frontmatter import (
    BOOLEAN, ID, LOCALIZED_TEXT, POSITIVE_INT, TEXT, TEXT_LIST, FieldChecker, int_between, one_of,
    split_front_matter,
)
from webapp.content.problems import Problem


def test_splits_front_matter_and_remembers_key_lines():
    front, body_line, problems = split_front_matter("a.md", "---\nid: x\ntitle: 标题\n---\n正文\n")
    assert problems == []
    assert front == {"id": "x", "title": "标题"}
    assert (front.line_of("id"), front.line_of("title"), front.line_of("missing")) == (2, 3, 1)
    assert body_line == 5


def test_yaml_document_end_marker_closes_front_matter():
    front, body_line, problems = split_front_matter("a.md", "---\nid: x\n...\nbody")
    assert (front, body_line, problems) == ({"id": "x"}, 4, [])


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("no front matter\n", 1, "missing front matter"),
        ("---\nid: x\nbody without closing fence\n", 1, "front matter is not closed"),
        ("---\nid: x\ntitle: [unclosed\nminutes: 3\n---\n", 4, "invalid YAML"),
        ("---\nid: x\n  bad: indent\n---\n", 3, "invalid YAML"),
        ("---\n- a\n- b\n---\n", 2, "must be 'key: value' lines"),
        ("---\nid: x\nid: y\n---\n", 3, '"id" is given twice (first on line 2)'),
    ],
)
def test_front_matter_problems_point_at_their_file_line(text, line, message):
    _, _, problems = split_front_matter("courses/m/01-a.md", text)
    assert len(problems) == 1
    assert problems[0].path == "courses/m/01-a.md"
    assert problems[0].line == line
    assert message in problems[0].message


def test_problem_prints_as_path_line_message():
    assert str(Problem("courses/m/module.md", 7, "boom")) == "courses/m/module.md:7: boom"


def checker(text):
    front, _, problems = split_front_matter("f.md", text)
    assert problems == []
    return FieldChecker(front, "f.md", front.line)


@pytest.mark.parametrize(
    ("yaml_line", "expected"),
    [
        ("value: true", POSITIVE_INT),  # YAML booleans are ints in Python
        ("value: 0", POSITIVE_INT),
        ("value: 2027-12-31", TEXT),  # YAML 1.1 makes this a date
        ("value: no", TEXT),  # ... and this False
        ("value: ''", TEXT),
        ("value: yes please", BOOLEAN),
        ("value: Complaint-Handling", ID),
        ("value: a..b", ID),
        ("value: [a, 3]", TEXT_LIST),
        ("value: {zh: 中文}", LOCALIZED_TEXT),
        ("value: 4", int_between(1, 3)),
        ("value: quiz", one_of("exam", "practice")),
    ],
)
def test_wrong_types_are_reported_at_the_key_line(yaml_line, expected):
    fields = checker(f"---\nid: x\n{yaml_line}\n---\n")
    assert fields.require("value", expected) is None
    [problem] = fields.problems
    assert problem.line == 3
    assert problem.message.startswith(f'"value" must be {expected.description}')


def test_accepted_values_are_returned():
    fields = checker("---\nid: complaint-handling.billing-disputes\ntitle: {zh: 投诉, en: Complaints}\n"
                     "minutes: 20\ntags: [投诉, 资费]\nflag: false\n---\n")
    assert fields.require("id", ID) == "complaint-handling.billing-disputes"
    assert fields.require("title", LOCALIZED_TEXT) == {"zh": "投诉", "en": "Complaints"}
    assert fields.require("minutes", POSITIVE_INT) == 20
    assert fields.require("tags", TEXT_LIST) == ["投诉", "资费"]
    assert fields.optional("flag", BOOLEAN, default=True) is False
    assert fields.optional("absent", BOOLEAN, default=True) is True
    assert fields.problems == []


def test_missing_and_unknown_keys():
    fields = checker("---\nid: x\ncolour: red\n---\n")
    fields.require("title", TEXT)
    fields.reject_unknown({"id", "title"})
    assert [(p.line, p.message) for p in fields.problems] == [
        (1, 'missing "title" (expected a non-empty text)'),
        (3, 'unknown key "colour" (known: id, title)'),
    ]


def test_checker_on_a_plain_mapping_reports_at_the_given_line():
    fields = FieldChecker({"count": "many"}, "f.md", 12)
    fields.require("count", POSITIVE_INT)
    assert fields.problems[0].line == 12
