from html.parser import HTMLParser

import pytest

from webapp.courses.markdown import (
    RENDERER_VERSION, RenderCache, RenderedLesson, Resolver, TocEntry, raw_html_problems, render_markdown,
    slugify, url_scheme,
)

from .hostile import DANGEROUS_SCHEMES, HOSTILE_LESSON_BODY

LESSONS = {"02-next.md": "/courses/lessons/m.next", "../other/01-a.md": "/courses/lessons/other.a"}
IMAGES = {"images/flow.png": "/courses/m/assets/images/flow.png"}
RESOLVER = Resolver(LESSONS.get, IMAGES.get)


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def render(body, **options):
    return render_markdown(body, RESOLVER, path="courses/m/01-a.md", first_line=5, **options)


def test_hostile_markdown_renders_no_executable_markup():
    elements = Elements(render(HOSTILE_LESSON_BODY).html).elements
    tags = {tag for tag, _ in elements}
    assert not tags & {"script", "iframe", "object", "embed", "svg", "style", "form", "base", "meta"}
    for tag, attrs in elements:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            if name in attrs:
                assert url_scheme(attrs[name]) not in DANGEROUS_SCHEMES, (tag, attrs)
                assert url_scheme(attrs[name]) in (None, "http", "https", "mailto"), (tag, attrs)


def test_hostile_markdown_keeps_the_safe_link_with_its_title_escaped():
    [(tag, attrs)] = [e for e in Elements(render(HOSTILE_LESSON_BODY).html).elements if e[0] == "a"]
    assert attrs["href"] == "https://example.com"
    assert "onmouseover" in attrs["title"]  # stayed inside the title attribute


def test_every_hostile_destination_is_reported():
    problems = render(HOSTILE_LESSON_BODY).problems
    not_allowed = [p for p in problems if "is not allowed" in p.message]
    assert len(not_allowed) >= 20
    assert all(p.path == "courses/m/01-a.md" for p in problems)


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("javascript:x", "javascript"),
        ("JaVaScRiPt:x", "javascript"),
        ("&#106;avascript:x", "javascript"),
        ("java%09script:x", "javascript"),
        ("java\nscript:x", "javascript"),
        (" \x01vbscript:x", "vbscript"),
        ("data:text/html,x", "data"),
        ("https://example.com/a:b", "https"),
        ("02-next.md#a:b", None),
        ("../other/01-a.md", None),
        ("#小节", None),
    ],
)
def test_url_scheme_sees_through_encodings(url, scheme):
    assert url_scheme(url) == scheme


def test_raw_html_is_shown_as_text_and_reported_at_its_line():
    body = "第一段\n\n<div>块</div>\n\n文字 <b>粗</b>\n第二行 <i>斜</i>\n"
    rendered = render(body)
    assert "&lt;div&gt;块&lt;/div&gt;" in rendered.html
    assert [(p.line, p.message) for p in raw_html_problems(body, "f.md", first_line=5)] == [
        (7, "raw HTML is not allowed (it is shown as text)"),
        (9, "raw HTML is not allowed (it is shown as text)"),
        (10, "raw HTML is not allowed (it is shown as text)"),
    ]


@pytest.mark.parametrize(
    ("kind", "css"), [("规范用语", "standard"), ("禁用语", "forbidden"), ("案例", "case"), ("要点", "keypoint")]
)
def test_callouts_render_as_asides_with_a_localized_heading(kind, css):
    rendered = render(f"::: {kind}\n“您好，请问有什么可以帮您？”\n:::\n", callout_labels={kind: "Label"})
    assert rendered.problems == ()
    assert rendered.html == (
        f'<aside class="callout callout-{css}">\n<p class="callout-title"><strong>Label</strong></p>\n'
        "<p>“您好，请问有什么可以帮您？”</p>\n</aside>\n"
    )


def test_callout_title_follows_the_type_and_defaults_to_the_chinese_label():
    html = render("::: 案例 账单多出10元\n客户：……\n:::\n").html
    assert '<p class="callout-title"><strong>案例</strong> 账单多出10元</p>' in html


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("正文\n\n::: 注意\n内容\n:::\n", 7, 'unknown callout type "注意"'),
        ("::: 要点\n没有结束\n", 5, "callout is not closed"),
        (":::\n内容\n:::\n", 5, "a callout needs a type"),
        ("::: 案例\n\n::: 要点\n里层\n:::\n", 7, "cannot start inside another callout"),
        ("::: 要点\n内容\n:::\n:::\n", 8, "this ':::' line closes no callout"),
        ("# 标题\n", 5, "use '##' or '###' headings"),
        ("\n[下一课](03-missing.md)\n", 6, 'broken link "03-missing.md": no such lesson'),
        ("第一行\n第二行 [站外](ftp://x)\n", 6, 'link "ftp://x" is not allowed'),
        ("[附件](files/a.pdf)\n", 5, 'link "files/a.pdf" is not allowed'),
        ("[锚点](#不存在)\n", 5, 'broken link "#不存在"'),
        ("| a |\n|---|\n| ![图](images/missing.png) |\n", 7, 'broken image "images/missing.png"'),
        ("![图](https://example.com/a.png)\n", 5, "images must be files in the module folder"),
        ("![图](images/a.bmp)\n", 5, 'image "images/a.bmp" must be a'),
    ],
)
def test_problems_point_at_the_file_line(body, line, message):
    [problem] = render(body).problems
    assert (problem.path, problem.line) == ("courses/m/01-a.md", line)
    assert message in problem.message


def test_lesson_links_and_images_are_rewritten_by_the_callbacks():
    html = render("[下一课](02-next.md#小节) [别的模块](../other/01-a.md) ![流程](images/flow.png) "
                  "[官网](https://www.189.cn) [邮件](mailto:a@b.cn)\n").html
    links = [attrs for tag, attrs in Elements(html).elements if tag != "p"]
    assert links == [
        {"href": "/courses/lessons/m.next#%E5%B0%8F%E8%8A%82"},
        {"href": "/courses/lessons/other.a"},
        {"src": "/courses/m/assets/images/flow.png", "alt": "流程"},
        {"href": "https://www.189.cn"},
        {"href": "mailto:a@b.cn"},
    ]


def test_headings_get_chinese_anchors_and_feed_the_toc():
    rendered = render("## 投诉处理 步骤（一）\n文字\n### 第一步：倾听\n#### 不进目录\n## 投诉处理 步骤（一）\n"
                      "[回到开头](#投诉处理-步骤一)\n")
    assert rendered.problems == ()
    assert rendered.toc == (
        TocEntry(2, "投诉处理-步骤一", "投诉处理 步骤（一）"),
        TocEntry(3, "第一步倾听", "第一步：倾听"),
        TocEntry(2, "投诉处理-步骤一-1", "投诉处理 步骤（一）"),
    )
    assert '<h2 id="投诉处理-步骤一">' in rendered.html


@pytest.mark.parametrize(
    ("title", "slug"),
    [("Call Flow 流程", "call-flow-流程"), ("１０ 元！", "10-元"), ("？！", "section"), ("a_b  c", "a-b-c")],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_render_cache_renders_once_per_hash_and_context_and_evicts_the_oldest():
    cache, calls = RenderCache(maxsize=2), []

    def rendering(name):
        def render_it():
            calls.append(name)
            return RenderedLesson(name, (), ())
        return render_it

    assert cache.get_or_render("h1", "zh_CN", rendering("a")).html == "a"
    assert cache.get_or_render("h1", "zh_CN", rendering("again")).html == "a"
    cache.get_or_render("h1", "en", rendering("b"))
    cache.get_or_render("h2", "en", rendering("c"))
    cache.get_or_render("h1", "zh_CN", rendering("d"))
    assert calls == ["a", "b", "c", "d"]
    assert RENDERER_VERSION
