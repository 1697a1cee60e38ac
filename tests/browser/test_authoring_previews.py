"""Previews of role-play content in Chromium: a trainer edits a scenario draft and sees the
briefing update, edits the norms and scores a sample reply with the draft; nothing reaches
trainees until it is published."""
import shutil

import pytest
from playwright.sync_api import expect

from tests.authoring.conftest import FIXTURE_CONTENT, replace_in
from tests.browser.test_accounts import sign_in
from tests.conftest import ROOT
from webapp.content.services import import_content, published_text
from webapp.extensions import db

SCENARIO = "quizzes/roleplay/scenarios/cannot-hear-you.md"
NORMS = "quizzes/roleplay/norms.yaml"


@pytest.fixture
def live_app(make_app, tmp_path):
    """The fixture course with the shipped norms and one shipped scenario (moved to its module)."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    for path in (SCENARIO, NORMS):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / path, root / path)
    replace_in(root / SCENARIO, "module: telephone-etiquette", "module: greeting-basics")
    app = make_app(WTF_CSRF_ENABLED=True, CONTENT_ROOT=str(root))
    with app.app_context():
        import_content(root)
        yield app


# Each edit recompiles the draft (the norms' 18,000 phrases take over a second of CPU, several
# on a machine busy with other work) before the preview and the sample reply change.
RECOMPILE = 20_000


def line_of(path: str, start: str) -> int:
    return next(number for number, line in enumerate((ROOT / path).read_text(encoding="utf-8").split("\n"), start=1)
                if line.startswith(start))


def go_to_line_end(page, line: int) -> None:
    """The cursor at the end of a file line (arrow keys move by wrapped screen lines)."""
    page.locator(".cm-content").click()
    page.evaluate("""(number) => {
        const view = window.HotlineCodeMirror.EditorView.findFromDOM(document.querySelector(".cm-editor"));
        view.dispatch({ selection: { anchor: view.state.doc.line(number).to } });
    }""", line)


def published(path):
    db.session.rollback()  # read what the server's requests committed
    return published_text(path)


def test_trainer_previews_a_scenario_briefing_and_scores_a_reply_with_draft_norms(page, live_server, live_app,
                                                                                   make_user):
    scenario_before, norms_before = published(SCENARIO), published(NORMS)
    sign_in(page, live_server, make_user(role="trainer").employee_no)

    page.goto(f"{live_server}/authoring/edit?path={SCENARIO}")
    line = page.locator("#editor-preview #customer-line")
    expect(line).to_contain_text("喂？喂？有人吗？怎么没声音？")
    expect(page.locator("#editor-preview #brief-mark")).to_contain_text("70")
    go_to_line_end(page, line_of(SCENARIO, "- calm: 喂？喂？有人吗？"))
    page.keyboard.insert_text("您那边能听到吗？")
    expect(line).to_contain_text("怎么没声音？您那边能听到吗？", timeout=RECOMPILE)
    expect(page.locator("#autosave-state")).to_have_text("草稿已保存")

    page.goto(f"{live_server}/authoring/edit?path={NORMS}")
    page.fill("#try-reply-text", "您好，嗯嗯。")
    page.click("#try-reply button")
    card = page.locator("#try-reply-result .card.turn")
    expect(card.locator('tr[data-criterion="greeting"].ok')).to_be_visible(timeout=RECOMPILE)
    expect(card.locator(".reply mark.evidence-met")).to_have_text("您好")  # highlighted in the reply
    expect(card.locator('tr[data-criterion="violation.forbidden_phrase"]')).to_have_count(0)
    go_to_line_end(page, line_of(NORMS, '      - phrase: "[大声点|'))  # the first forbidden phrase
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.insert_text("|嗯嗯")  # one more alternative: "[大声点|…|声音大点|嗯嗯]"
    violation = card.locator('tr[data-criterion="violation.forbidden_phrase"].bad')
    expect(violation).to_be_visible(timeout=RECOMPILE)  # scored again with the edited draft, without pressing the button
    expect(card.locator(".reply mark.evidence-violation")).to_have_text("嗯嗯")
    expect(page.locator("#autosave-state")).to_have_text("草稿已保存")

    assert published(SCENARIO) == scenario_before and published(NORMS) == norms_before  # drafts only
    page.goto(f"{live_server}/authoring/publish")
    page.uncheck(f'#paths input[value="{NORMS}"]')
    page.fill("#message", "开场白更自然")
    page.click("#publish-form [type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("已发布", timeout=30_000)  # it checks every file
    assert "您那边能听到吗？" in published(SCENARIO) and published(NORMS) == norms_before
