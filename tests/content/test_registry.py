"""load_content with two small kinds: one offers ids, the other references them."""

from pathlib import Path

import pytest

from webapp.content import registry
from webapp.content.problems import Problem
from webapp.content.registry import Catalog, ContentKind, load_content, read_content_root, register_kind
from webapp.content.sources import ContentFiles


class Glossary(ContentKind):
    """glossary/<term>.txt files; each offers the id "<term>"."""

    name, order, patterns = "glossary", 10, ("glossary/*.txt",)

    def parse(self, paths, files):
        terms = [path.removeprefix("glossary/").removesuffix(".txt") for path in paths]
        problems = [Problem(path, 1, "empty") for path in paths if not files[path]]
        return terms, problems

    def ids(self, parsed):
        return {"glossary.term": parsed}


class Quiz(ContentKind):
    """quiz/<name>.txt files; each line names a glossary term that must exist."""

    name, order, patterns = "quiz", 20, ("quiz/*.txt",)

    def parse(self, paths, files):
        return [(path, files[path].decode().split()) for path in paths], []

    def ids(self, parsed):
        return {"quiz.item": [shown for shown, _ in parsed]}

    def check(self, parsed, catalog):
        known = catalog.ids("glossary.term")
        return [
            Problem(shown, line, f'unknown term "{term}"')
            for shown, terms in parsed
            for line, term in enumerate(terms, start=1)
            if term not in known
        ]


@pytest.fixture
def kinds(monkeypatch):
    monkeypatch.setattr(registry, "_kinds", {})
    register_kind(Quiz())
    register_kind(Glossary())


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_kinds_are_ordered_and_registering_again_replaces(kinds):
    register_kind(Glossary())
    assert [kind.name for kind in registry.registered_kinds()] == ["glossary", "quiz"]


def test_cross_references_use_the_catalog_and_problems_are_sorted(tmp_path, kinds):
    write(tmp_path, "glossary/apology.txt", "x")
    write(tmp_path, "glossary/empty.txt", "")
    write(tmp_path, "quiz/b.txt", "apology\nmissing\n")
    write(tmp_path, "quiz/a.txt", "nothing\n")
    loaded = load_content(tmp_path)
    assert [str(p) for p in loaded.problems] == [
        "glossary/empty.txt:1: empty",
        'quiz/a.txt:1: unknown term "nothing"',
        'quiz/b.txt:2: unknown term "missing"',
    ]
    assert loaded.files == {"glossary": 2, "quiz": 2}


def test_selection_narrows_parsing_but_not_the_catalog(tmp_path, kinds):
    write(tmp_path, "glossary/apology.txt", "x")
    write(tmp_path, "glossary/empty.txt", "")
    selected = write(tmp_path, "quiz/a.txt", "apology\n")
    write(tmp_path, "quiz/b.txt", "missing\n")
    loaded = load_content(tmp_path, [selected])
    assert loaded.problems == []
    assert loaded.parsed == {"quiz": [("quiz/a.txt", ["apology"])]}
    assert loaded.catalog.ids("glossary.term") == {"apology", "empty"}
    assert loaded.summary() == "1 files checked, no problems (quiz.item 1)"


def test_catalog_merges_ids_under_one_name():
    catalog = Catalog()
    catalog.add("courses.lesson", ["a.x"])
    catalog.add("courses.lesson", ["a.y"])
    assert catalog.ids("courses.lesson") == {"a.x", "a.y"}
    assert catalog.ids("unknown") == frozenset()


def test_files_in_memory_load_like_a_root_on_disk(tmp_path, kinds):
    files = ContentFiles({"glossary/apology.txt": b"x", "quiz/a.txt": b"apology\nmissing\n", "notes/x.txt": b""})
    loaded = load_content(files, ["quiz/a.txt"])
    assert [str(p) for p in loaded.problems] == ['quiz/a.txt:2: unknown term "missing"']
    write(tmp_path, "glossary/apology.txt", "x")
    write(tmp_path, "quiz/a.txt", "apology\nmissing\n")
    assert load_content(tmp_path, [tmp_path / "quiz" / "a.txt"]).problems == loaded.problems
    assert sorted(read_content_root(tmp_path)) == ["glossary/apology.txt", "quiz/a.txt"]
