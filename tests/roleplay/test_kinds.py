"""The scenarios kind's cross-reference check (pure)."""
from tests.roleplay.builders import make_scenario
from webapp.content.registry import Catalog
from webapp.roleplay.kinds import ScenariosKind


def test_a_scenario_module_must_exist_when_courses_are_known():
    scenario = make_scenario()  # module: complaint-handling, on line 6
    catalog = Catalog()
    assert ScenariosKind().check([scenario], catalog) == []  # no course content under this root
    catalog.add("courses.module", ["telephone-etiquette"])
    [problem] = ScenariosKind().check([scenario], catalog)
    assert (problem.path, problem.line, problem.message) == (
        "quizzes/roleplay/scenarios/sample.md", 6, 'unknown module "complaint-handling"')
