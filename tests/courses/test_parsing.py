import hashlib
from pathlib import Path

import pytest

from webapp.content.sources import ContentFiles
from webapp.courses.parsing import (
    COURSES_FOLDER, discover_module_files, lesson_link_target, module_asset_path, parse_modules,
)

from .builders import write_file, write_lesson, write_module

REPO_ROOT = Path(__file__).resolve().parents[2]


def parse(root):
    files = ContentFiles.read(root, [COURSES_FOLDER])
    return parse_modules(discover_module_files(files), files)


def problem_lines(root):
    return [str(problem) for problem in parse(root)[1]]


def test_a_module_parses_into_dataclasses(tmp_path):
    folder = write_module(tmp_path, lessons={"01-first.md": "正文", "02-second.md": "更多"})
    write_lesson(folder, "02-second.md", "更多", extra="\nsignificant_change: true")
    [module], problems = parse(tmp_path)
    assert problems == []
    assert (module.id, module.title_zh, module.title_en, module.order, module.minutes, module.tags) == (
        "etiquette", "电话礼仪", "Telephone etiquette", 1, 30, ("礼仪", "规范用语"))
    assert module.source_path == "courses/etiquette/module.md"
    assert module.intro == "模块导言，先看[第一课](01-first.md)。\n"
    first, second = module.lessons
    assert (first.id, first.order, first.minutes, first.file_name) == ("etiquette.first", 1, 10, "01-first.md")
    assert first.body_start_line == 6
    assert first.body.startswith("## 第一节\n正文")
    assert first.content_hash == hashlib.sha256((folder / "01-first.md").read_bytes()).hexdigest()
    assert first.source == (folder / "01-first.md").read_text()
    assert (first.significant_change, second.significant_change) == (False, True)


def test_cross_module_links_and_module_images_resolve(tmp_path):
    write_module(tmp_path, "other", order=2)
    folder = write_module(tmp_path, lessons={
        "01-first.md": "[别的模块](../other/02-second.md#小结) ![流程](images/flow.png)"})
    write_file(folder, "images/flow.png", "png")
    assert problem_lines(tmp_path) == []


@pytest.mark.parametrize(
    ("arrange", "expected"),
    [
        (lambda f: write_file(f, "module.md", "---\nid: etiquette\norder: 1\n---\n"),
         'courses/etiquette/module.md:1: missing "title"'),
        (lambda f: write_file(f, "module.md", (f / "module.md").read_text().replace("minutes: 30", "minutes: 半小时")),
         'courses/etiquette/module.md:8: "minutes" must be a whole number above 0'),
        (lambda f: write_file(f, "module.md", (f / "module.md").read_text().replace("id: etiquette", "id: manners")),
         'courses/etiquette/module.md:2: module id "manners" must match its folder name "etiquette"'),
        (lambda f: write_file(f, "module.md", (f / "module.md").read_text().replace("order: 1", "order: 1: 2")),
         "courses/etiquette/module.md:7: invalid YAML in front matter"),
        (lambda f: write_lesson(f, "01-first.md", "正文", lesson_id="manners.first"),
         'courses/etiquette/01-first.md:2: lesson id "manners.first" must start with its module id "etiquette."'),
        (lambda f: write_lesson(f, "01-first.md", "正文", lesson_id="etiquette.other"),
         'courses/etiquette/01-first.md:2: lesson id "etiquette.other" must be "etiquette.first"'),
        (lambda f: write_lesson(f, "01-first.md", "正文", extra="\nauthor: 王"),
         'courses/etiquette/01-first.md:5: unknown key "author"'),
        (lambda f: write_lesson(f, "01-first.md", "正文", extra="\nsignificant_change: 是"),
         'courses/etiquette/01-first.md:5: "significant_change" must be true or false'),
        (lambda f: write_file(f, "01-first.md", "---\nid: etiquette.first\ntitle: 空\nminutes: 5\n---\n\n  \n"),
         "courses/etiquette/01-first.md:6: the lesson is empty"),
        (lambda f: write_file(f, "01-first.md", "## 没有前言\n"),
         "courses/etiquette/01-first.md:1: missing front matter"),
        (lambda f: write_lesson(f, "01-first.md", "第一行\n\n见[第三课](03-third.md)"),
         'courses/etiquette/01-first.md:9: broken link "03-third.md": no such lesson'),
        (lambda f: write_lesson(f, "01-first.md", "[外面](../../README.md)"),
         'courses/etiquette/01-first.md:7: broken link "../../README.md": no such lesson'),
        (lambda f: write_lesson(f, "01-first.md", "文字\n![图](images/missing.png)"),
         'courses/etiquette/01-first.md:8: broken image "images/missing.png"'),
        (lambda f: write_lesson(f, "01-first.md", "![图](../../secret.png)"),
         'courses/etiquette/01-first.md:7: broken image "../../secret.png"'),
        (lambda f: write_lesson(f, "01-first.md", "\n::: 提示\n内容\n:::"),
         'courses/etiquette/01-first.md:8: unknown callout type "提示"'),
        (lambda f: write_lesson(f, "01-first.md", "::: 要点\n没有关上"),
         "courses/etiquette/01-first.md:7: callout is not closed"),
        (lambda f: write_lesson(f, "01-first.md", "文字\n<b>粗体</b>"),
         "courses/etiquette/01-first.md:8: raw HTML is not allowed"),
        (lambda f: write_file(f, "1-third.md", "x"),
         "courses/etiquette/1-third.md:1: lesson files are named NN-slug.md"),
        (lambda f: write_lesson(f, "02-again.md", "正文"),
         "courses/etiquette/02-again.md:1: two lessons share the number 02"),
        (lambda f: (f / "module.md").unlink(),
         "courses/etiquette/module.md:1: missing module.md"),
        (lambda f: [path.unlink() for path in f.glob("0*.md")],
         "courses/etiquette/module.md:1: the module has no lessons"),
    ],
)
def test_each_problem_is_reported_at_its_file_line(tmp_path, arrange, expected):
    folder = write_module(tmp_path)
    arrange(folder)
    problems = problem_lines(tmp_path)
    assert any(line.startswith(expected) for line in problems), problems
    assert parse(tmp_path)[0] == []  # nothing to import from a module with problems


def test_ids_must_be_unique_across_modules(tmp_path):
    write_module(tmp_path, "alpha")
    folder = write_module(tmp_path, "beta", order=2)
    write_lesson(folder, "03-copy.md", "正文", lesson_id="alpha.first")
    assert 'courses/beta/03-copy.md:2: id "alpha.first" is already used at courses/alpha/01-first.md:2' in [
        line.split(" must ")[0] if "must start" in line else line for line in problem_lines(tmp_path)]


def test_every_problem_of_every_file_is_reported(tmp_path):
    folder = write_module(tmp_path)
    write_lesson(folder, "01-first.md", "<i>x</i>\n[坏](03-none.md)")
    write_lesson(folder, "02-second.md", "::: 注意\n:::")
    assert [line.split(": ", 1)[0] for line in problem_lines(tmp_path)] == [
        "courses/etiquette/01-first.md:7", "courses/etiquette/01-first.md:8", "courses/etiquette/02-second.md:7"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("02-next.md", ("m", "02-next.md")),
        ("./02-next.md", ("m", "02-next.md")),
        ("../other/01-a.md", ("other", "01-a.md")),
        ("../../etc/01-a.md", None),
        ("/01-a.md", None),
        ("module.md", None),
        ("sub/01-a.md", None),
    ],
)
def test_lesson_link_target(target, expected):
    assert lesson_link_target("m", target) == expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [("images/a.png", "images/a.png"), ("./a.png", "a.png"), ("../x/a.png", None), ("/a.png", None),
     ("images/../../a.png", None), ("images\\a.png", None)],
)
def test_module_asset_path_stays_inside_the_module(target, expected):
    assert module_asset_path(target) == expected


def test_the_shipped_courses_parse_without_problems():
    modules, problems = parse(REPO_ROOT)
    assert [str(p) for p in problems] == []
    assert [m.id for m in sorted(modules, key=lambda m: m.order)][:3] == [
        "role-awareness", "telephone-etiquette", "complaint-handling"]
