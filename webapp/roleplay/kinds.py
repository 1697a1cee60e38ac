"""The "norms" and "scenarios" content kinds: files <-> immutable version rows + current pointers."""
from collections import Counter
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from webapp.content.problems import Problem
from webapp.content.registry import Catalog, ContentKind
from webapp.content.sources import ContentFiles, file_id, parse_texts
from webapp.extensions import db

from .models import Call, NormsSet, NormsVersion, RoleplayScenario, ScenarioVersion
from .call import Score, judge_requirements, judge_violations
from .norms import Norms, parse_norms
from .scenarios import Scenario, parse_scenario
from .scoring import score_reply

NORMS_FILE = Path("quizzes/roleplay/norms.yaml")
SCENARIO_FOLDER = Path("quizzes/roleplay/scenarios")
#: The one norms set; its name is the stable id records point through.
NORMS_NAME = "norms"


class NormsKind(ContentKind):
    name = "norms"
    order = 40
    patterns = (NORMS_FILE.as_posix(),)

    def parse(self, paths: list[str], files: ContentFiles) -> tuple[list[tuple[Norms, str]], list[Problem]]:
        def norms_with_text(path: str, text: str) -> tuple[tuple[Norms, str] | None, list[Problem]]:
            norms, problems = parse_norms(text, path)
            return (norms, text) if norms is not None else None, problems

        return parse_texts(paths, files, norms_with_text)

    def ids(self, parsed: list) -> dict[str, Iterable[str]]:
        return {"norms": [NORMS_NAME] if parsed else []}

    def shares(self, parsed: list[tuple[Norms, str]]) -> dict[str, Any]:
        """The scorer, so content that shows agent lines can be checked against these norms."""
        return {"norms.score": partial(score_reply, norms=parsed[0][0])} if parsed else {}

    def import_items(self, parsed: list[tuple[Norms, str]]) -> dict[str, int]:
        counts = Counter(created=0, updated=0, unchanged=0)
        for norms, text in parsed:
            counts[_import_norms(norms.version, text)] += 1
        return dict(counts)

    def published_files(self) -> dict[str, bytes]:
        norms_set = db.session.scalar(db.select(NormsSet).where(NormsSet.name == NORMS_NAME))
        return {NORMS_FILE.as_posix(): norms_set.current_version.source.encode("utf-8")} if norms_set else {}

    def stats(self) -> dict[str, int]:
        return {"norms_versions": db.session.scalar(db.select(db.func.count(NormsVersion.id))) or 0}


class ScenariosKind(ContentKind):
    name = "scenarios"
    order = 50
    patterns = (f"{SCENARIO_FOLDER.as_posix()}/*.md",)

    def parse(self, paths: list[str], files: ContentFiles) -> tuple[list[Scenario], list[Problem]]:
        return parse_texts(paths, files, lambda path, text: parse_scenario(path, text, file_id(path)))

    def ids(self, parsed: list[Scenario]) -> dict[str, Iterable[str]]:
        return {"scenarios": [scenario.id for scenario in parsed], "scenarios.tag": {t for s in parsed for t in s.tags}}

    def check(self, parsed: list[Scenario], catalog: Catalog) -> list[Problem]:
        """A scenario's module must exist (when course content is part of the checked root), and
        every reference reply must pass its own turn under the norms (when they are)."""
        modules, score = catalog.ids("courses.module"), catalog.shared("norms.score")
        folder = SCENARIO_FOLDER.as_posix()
        problems = [
            Problem(f"{folder}/{scenario.id}.md", _line_of_key(scenario.source, "module"),
                    f'unknown module "{scenario.module}"')
            for scenario in parsed if modules and scenario.module not in modules
        ]
        if score is not None:
            problems += [problem for scenario in parsed
                         for problem in reference_reply_problems(f"{folder}/{scenario.id}.md", scenario, score)]
        return problems

    def import_items(self, parsed: list[Scenario]) -> dict[str, int]:
        counts = Counter(created=0, updated=0, unchanged=0)
        for scenario in parsed:
            counts[_import_scenario(scenario)] += 1
        return dict(counts)

    def published_files(self) -> dict[str, bytes]:
        items = db.session.scalars(db.select(RoleplayScenario).order_by(RoleplayScenario.scenario_id))
        return {f"{SCENARIO_FOLDER.as_posix()}/{item.scenario_id}.md": item.current_version.source.encode("utf-8")
                for item in items}

    def content_stats(self) -> dict[str, int]:
        return {"scenarios": _count(RoleplayScenario.id), "scenario_versions": _count(ScenarioVersion.id)}

    def stats(self) -> dict[str, int]:
        return self.content_stats() | {"calls": _count(Call.id), "finished_calls": _count(Call.id, Call.state != "in_progress")}


def _count(column, *criteria) -> int:
    return db.session.scalar(db.select(db.func.count(column)).where(*criteria)) or 0


def reference_reply_problems(path: str, scenario: Scenario, score: Score) -> list[Problem]:
    """A reference reply teaches what its turn scores: it meets every requirement and breaks no norm."""
    problems = []
    for turn in scenario.turns:
        verdict = score(turn.model_reply)
        criteria = judge_requirements(turn.requirements, turn.model_reply, verdict) + judge_violations(verdict, ())
        for criterion in criteria:
            if criterion.passed:
                continue
            if criterion.kind == "violation":
                found = "、".join(f"“{item.text}”" for item in criterion.evidence)
                message = f"第{turn.index}轮 reference reply breaks the norms: {criterion.label} {found}"
            else:
                message = f"第{turn.index}轮 reference reply does not meet its requirement: {criterion.label}"
            problems.append(Problem(path, turn.model_reply_line, message))
    return problems


def _import_norms(content_hash: str, text: str) -> str:
    norms_set = db.session.scalar(db.select(NormsSet).where(NormsSet.name == NORMS_NAME))
    if norms_set is not None and norms_set.current_version.content_hash == content_hash:
        return "unchanged"
    version = db.session.scalar(db.select(NormsVersion).where(
        NormsVersion.name == NORMS_NAME, NormsVersion.content_hash == content_hash))
    if version is None:
        version = NormsVersion(name=NORMS_NAME, content_hash=content_hash, source=text)
        db.session.add(version)
    if norms_set is None:
        db.session.add(NormsSet(name=NORMS_NAME, current_version=version))
        return "created"
    norms_set.current_version = version
    return "updated"


def _import_scenario(scenario: Scenario) -> str:
    item = db.session.scalar(db.select(RoleplayScenario).where(RoleplayScenario.scenario_id == scenario.id))
    if item is not None and item.current_version.content_hash == scenario.content_hash:
        return "unchanged"
    version = db.session.scalar(db.select(ScenarioVersion).where(
        ScenarioVersion.scenario_id == scenario.id, ScenarioVersion.content_hash == scenario.content_hash))
    if version is None:  # a reverted edit points back at its earlier version
        version = ScenarioVersion(scenario_id=scenario.id, content_hash=scenario.content_hash, source=scenario.source)
        db.session.add(version)
    if item is None:
        db.session.add(RoleplayScenario(scenario_id=scenario.id, current_version=version))
        return "created"
    item.current_version = version
    return "updated"


def _line_of_key(source: str, key: str) -> int:
    return next((number for number, line in enumerate(source.split("\n"), start=1) if line.startswith(f"{key}:")), 1)

