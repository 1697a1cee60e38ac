"""Words for the content status page: the kinds and the counts ``flask content stats`` prints
under machine keys (``lessons_per_module``) get labels; unknown keys still show as themselves."""
from flask_babel import lazy_gettext as _l

KINDS = {
    "courses": _l("Courses"), "banks": _l("Question banks"), "exams": _l("Quizzes"),
    "norms": _l("Service-language norms"), "scenarios": _l("Role-play scenarios"), "posts": _l("Posts"),
}

STATS = {
    "modules": _l("Modules"), "lessons": _l("Current lessons"), "retired_lessons": _l("Retired lessons"),
    "lesson_versions": _l("Lesson versions"), "completions": _l("Lessons completed"),
    "trainees_with_progress": _l("Trainees with progress"), "lessons_per_module": _l("Lessons per module"),
    "chinese_characters_per_lesson": _l("Chinese characters per lesson"),
    "banks": _l("Banks"), "questions": _l("Questions"), "retired_questions": _l("Retired questions"),
    "question_versions": _l("Question versions"), "questions_by_type": _l("Questions by type"),
    "questions_by_bank": _l("Questions by bank"), "quizzes": _l("Quizzes"),
    "attempts_by_state": _l("Attempts by state"), "norms_versions": _l("Norms versions"),
    "scenarios": _l("Scenarios"), "scenario_versions": _l("Scenario versions"), "calls": _l("Calls"),
    "finished_calls": _l("Finished calls"), "posts": _l("Posts"), "post_versions": _l("Post versions"),
    "assignments": _l("Post assignments"), "certificates": _l("Certificates"),
    "revoked_certificates": _l("Revoked certificates"),
    # keys inside the breakdowns: question types and attempt states
    "single": _l("Single choice"), "multiple": _l("Multiple choice"), "truefalse": _l("True or false"),
    "fill": _l("Fill in the blank"), "ordering": _l("Ordering"), "matching": _l("Matching"),
    "in_progress": _l("In progress"), "submitted": _l("Submitted"), "overdue": _l("Overdue"),
    "graded": _l("Graded"),
}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def stat_label(key: str) -> str:
    return str(STATS.get(key, key))
