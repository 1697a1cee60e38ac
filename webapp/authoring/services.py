"""The trainer's content room: the published content by kind, drafts edited in the browser with a
live preview by the trainees' renderers, new items from templates, uploads, history and the
question import. Drafts, validation, publishing and versions are the content framework's
(``webapp.content.changes``); nothing here re-implements their rules."""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass

from flask import current_app, render_template, url_for
from flask_babel import get_locale, gettext
from markupsafe import Markup

from webapp.accounts.models import User
from webapp.audit.services import record
from webapp.certification.engine import Assignment, TraineeRecords, evaluate
from webapp.certification.plan import PostRules
from webapp.certification.services import (certificates_resting_on, definition_of, local_today, posts_in_order,
                                           titles)
from webapp.certification.views import item_url
from webapp.clock import utcnow
from webapp.content import changes
from webapp.content.frontmatter import split_front_matter
from webapp.content.problems import Problem
from webapp.content.registry import LoadedContent, owning_kind, registered_kinds
from webapp.content.services import published_files, published_with
from webapp.content.sources import canonical_text, content_hash, file_id
from webapp.courses.markdown import Resolver, render_markdown
from webapp.courses.models import Lesson
from webapp.courses.parsing import COURSES_FOLDER, LESSON_FILE, MODULE_FILE, body_of, lesson_link_target
from webapp.courses.parsing import module_asset_path
from webapp.courses.services import CALLOUT_LABELS
from webapp.extensions import db
from webapp.quizzes.bank import parse_bank
from webapp.quizzes.fragments import question_html
from webapp.quizzes.imports import CONVERTED, CHANGED, NOT_CONVERTED, Imported, decode
from webapp.quizzes.images import store_question_images
from webapp.quizzes.importing import IMPORTERS, DraftBank, draft_bank
from webapp.quizzes.policy import standing as quiz_standing
from webapp.quizzes.questions import Question
from webapp.quizzes.regrade import Regraded, apply_regrade, bank_question_ids, regrade_plan
from webapp.registry import progress_recorded
from webapp.roleplay.call import (REQUIREMENT_POINTS, CallState, Timing, TurnResult, judge_requirements,
                                  judge_violations, turn_points)
from webapp.roleplay.norms import ELEMENT_CATEGORIES
from webapp.roleplay.scenarios import Requirement
from webapp.roleplay.services import draft_scorer
from webapp.roleplay.transcript import reply_segments

IMPORT_ACTION = "quizzes.import-draft"
IMPORT_STATUSES = (CONVERTED, CHANGED, NOT_CONVERTED)
#: The bank id previewed questions are numbered under until a bank is chosen.
PREVIEW_BANK = "preview"
#: New items: what a trainer picks → (path pattern, template). ``{module}`` and ``{slug}`` come from the form.
NEW_ITEMS = {
    "lesson": f"{COURSES_FOLDER}/{{module}}/{{order:02d}}-{{slug}}.md",
    "module": f"{COURSES_FOLDER}/{{slug}}/{MODULE_FILE}",
    "bank": "quizzes/banks/{slug}.md",
    "quiz": "quizzes/exams/{slug}.md",
    "scenario": "quizzes/roleplay/scenarios/{slug}.md",
    "post": "quizzes/posts/{slug}.md",
}
UPLOAD_SUFFIXES = (".md", ".yaml")


class UploadRefused(ValueError):
    """An upload whose content cannot become drafts; the message says why."""


# --- the content index ----------------------------------------------------------------------------

@dataclass(frozen=True)
class KindFiles:
    kind: str
    paths: list[str]


def content_index() -> list[KindFiles]:
    files = [path for path in published_files() if path.endswith(UPLOAD_SUFFIXES)]
    return [KindFiles(kind.name, sorted(path for path in files if kind.owns(path))) for kind in registered_kinds()]


# --- the editor -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Editing:
    """What the editor opens: the author's draft when there is one, else the published text."""

    path: str
    kind: str
    text: str
    base_hash: str | None  # the published version the edit starts from
    published: bool
    has_draft: bool


def editing(author, path: str) -> Editing:
    kind = changes.kind_name(path)
    published = published_files().get(path)
    published_text = published.decode("utf-8") if published is not None else None
    draft = changes.draft_of(author, path)
    if draft is not None:
        return Editing(path, kind, draft.text, draft.base_hash, published is not None, True)
    if published_text is None:
        raise changes.UnknownPath(path)
    return Editing(path, kind, published_text, content_hash(published_text), True, False)


def new_item(author, what: str, slug: str, module: str | None, order: int) -> str:
    """A draft of a new file from its template; returns its path (UnknownPath when it exists)."""
    path = NEW_ITEMS[what].format(module=module, slug=slug, order=order)
    if path in published_files() or changes.draft_of(author, path) is not None:
        raise changes.UnknownPath(path)
    text = render_template(f"authoring/new/{what}.md", slug=slug, module=module,
                           lesson_id=f"{module}.{slug}", order=order)
    changes.save_draft(author, path, text.rstrip("\n") + "\n", None)
    return path


def problem_rows(problems: list[Problem], path: str) -> list[dict]:
    """Problems for the editor; ``here`` marks those of the edited file (others are the files it breaks)."""
    return [{"path": problem.path, "line": problem.line, "message": problem.message, "text": str(problem),
             "where": gettext("%(path)s, line %(line)d:", path=problem.path, line=problem.line),
             "here": problem.path == path} for problem in problems]


def preview_html(path: str, text: str, loaded: LoadedContent) -> Markup:
    """The text as trainees will see it, by the templates and renderers of its kind; ``loaded``
    is the editor's load of it (``changes.load_text``: what the text parsed to, so nothing is
    parsed twice). Empty while the text does not parse."""
    text = canonical_text(text.encode("utf-8"))
    kind = changes.kind_name(path)
    if kind == "courses" and path.endswith(".md"):
        return _lesson_html(path, text)
    if kind == "banks":
        return _bank_html(path, text)
    if kind == "exams":
        return _quiz_html(path, loaded)
    if kind == "scenarios":
        return _scenario_html(path, loaded)
    if kind == "norms":
        return _norms_html(path, loaded)
    if kind == "posts":
        return _post_html(path, loaded)
    return Markup("")


def _lesson_html(path: str, text: str) -> Markup:
    module_id = path.split("/")[1]
    front, body_line, _problems = split_front_matter(path, text)
    labels = {kind: str(label) for kind, label in CALLOUT_LABELS.items()}
    rendered = render_markdown(body_of(text, body_line), _preview_resolver(module_id), path=path,
                               first_line=body_line, callout_labels=labels)
    title = front.get("title")
    heading = Markup("<h1>{}</h1>").format(title if isinstance(title, str) else "")
    return heading + Markup('<div class="lesson-body">') + Markup(rendered.html) + Markup("</div>")


def _preview_resolver(module_id: str) -> Resolver:
    """Working links and images point where trainees will find them once published."""
    def lesson_url(target: str) -> str | None:
        found = lesson_link_target(module_id, target)
        if found is None:
            return None
        return url_for("courses.lesson", lesson_id=f"{found[0]}.{LESSON_FILE.fullmatch(found[1])['slug']}")

    def image_url(target: str) -> str | None:
        asset = module_asset_path(target)
        return url_for("courses.asset", module_id=module_id, asset=asset) if asset else None

    return Resolver(lesson_url, image_url)


def _bank_html(path: str, text: str) -> Markup:
    bank, _problems = parse_bank(path, text, path.rsplit("/", 1)[-1].removesuffix(".md"))
    if bank is None:
        return Markup("")
    return Markup("").join(_questions_html([(question.line, question) for question in bank.questions]))


def _every_post_rules() -> PostRules:
    """The rules of a trainee assigned every post: the marks and counts a briefing shows to those
    whom a post requires the quiz or scenario."""
    return PostRules({post.id: definition_of(post).requirements for post in posts_in_order()})


def _quiz_html(path: str, loaded: LoadedContent) -> Markup:
    """The brief before an attempt (introduction; time, attempts, the mark that counts) for a
    trainee who has not tried yet, and the question pool each draw rule takes from."""
    found = [(blueprint, exams.banks) for exams in loaded.parsed.get("exams", [])
             for blueprint in exams.blueprints if blueprint.path == path]
    if not found:
        return Markup("")
    blueprint, banks = found[0]
    standing = quiz_standing(blueprint.attempts_allowed, blueprint.cooldown_minutes, [], utcnow())
    pools = [(rule, banks[rule.bank].pool(rule) if rule.bank in banks else ()) for rule in blueprint.draw]
    return Markup(render_template("authoring/_preview_quiz.html", b=blueprint, s=standing, pools=pools,
                                  mark=_every_post_rules().quiz_mark(blueprint.id, blueprint.pass_mark)))


def _scenario_html(path: str, loaded: LoadedContent) -> Markup:
    """The briefing and call screen before the first reply: the facts, the agent's screen, the
    customer's opening line, and the key points each turn's scorecard lists."""
    scenario = next((item for item in loaded.parsed.get("scenarios", []) if item.id == file_id(path)), None)
    if scenario is None:
        return Markup("")
    return Markup(render_template("authoring/_preview_scenario.html", scenario=scenario, state=CallState(scenario),
                                  counts=_every_post_rules().scenario_counts(scenario.id, scenario.tags), best=None))


def _norms_html(path: str, loaded: LoadedContent) -> Markup:
    parsed = loaded.parsed.get("norms")
    if not parsed:
        return Markup("")
    norms, _text = parsed[0]
    return Markup(render_template("authoring/_preview_norms.html", norms=norms, path=path))


def try_reply(path: str, norms_text: str, reply: str) -> Markup | None:
    """A sample reply scored with draft norms, as one turn of a scorecard whose requirements are
    every element of the norms; None while the norms have problems. Nothing is stored. Parsed
    under the file's own path, as the editor's check has just parsed the same text."""
    score, _digest, _problems = draft_scorer(canonical_text(norms_text.encode("utf-8")), path)
    if score is None:
        return None
    verdict = score(reply)
    elements = [Requirement(key=name, label=name, category=name) for name in ELEMENT_CATEGORIES]
    criteria = judge_requirements(elements, reply, verdict) + judge_violations(verdict, ())
    timing = Timing.assess(0, 1)
    turn = TurnResult(index=1, customer_line="—", reply=reply, mood_before=0, mood_after=0, criteria=criteria,
                      timing=timing, verdict=verdict.as_json(), points=turn_points(criteria, timing),
                      max_points=REQUIREMENT_POINTS * len(elements))
    return Markup(render_template("authoring/_try_reply.html", turn=turn, segments=reply_segments(turn)))


def _post_html(path: str, loaded: LoadedContent) -> Markup:
    """The post on a trainee's certification page the day it is assigned: what is left and the
    requirements."""
    post = next((item for item in loaded.parsed.get("posts", []) if item.path == path), None)
    if post is None:
        return Markup("")
    today = local_today()
    evaluation = evaluate(post, TraineeRecords(), (), Assignment(utcnow(), None), today)
    language = "en" if str(get_locale()).startswith("en") else "zh"
    return Markup(render_template("authoring/_preview_post.html", post=post, evaluation=evaluation,
                                  titles=titles(language), item_url=item_url, language=language))


def _questions_html(numbered: list[tuple[int, Question | None]]) -> list[Markup | None]:
    """Each question as the attempt page shows it (options in a drawn order, no key)."""
    locale, shown, position = str(get_locale()), [], 0
    total = sum(1 for _line, question in numbered if question is not None)
    for line, question in numbered:
        if question is None:
            shown.append(None)
            continue
        order = question.question_type.draw_order(question, random.Random(line), shuffle_options=True)
        shown.append(question_html(question, order, None, position, total, locale))
        position += 1
    return shown


# --- uploads ----------------------------------------------------------------------------------

def upload_drafts(author, filename: str, raw: bytes, path: str | None) -> list[str]:
    """Drafts from an uploaded file: a zip of content files (paths as in the content root) or one
    Markdown/YAML file saved as ``path``. Returns the draft paths; UploadRefused names the problem."""
    if filename.lower().endswith(".zip"):
        texts = _zip_texts(raw)
    elif filename.lower().endswith(UPLOAD_SUFFIXES):
        if not path:
            raise UploadRefused("choose the content path the file is saved as")
        texts = {path: _text(filename, raw)}
    else:
        raise UploadRefused("upload a .md or .yaml file or a .zip of them")
    for name in texts:
        if owning_kind(name) is None or not name.endswith(UPLOAD_SUFFIXES):
            raise UploadRefused(f"{name} is not a content file path (e.g. courses/<module>/01-slug.md)")
    files = published_files()
    for name, text in texts.items():
        published = files.get(name)
        changes.save_draft(author, name, text, content_hash(published.decode("utf-8")) if published else None)
    return sorted(texts)


#: Far above a whole course (a few hundred kilobytes), low enough to bound unpacking.
MAX_UNPACKED_BYTES = 5_000_000


def _zip_texts(raw: bytes) -> dict[str, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise UploadRefused("the file is not a zip archive") from None
    members = [info for info in archive.infolist() if not info.is_dir()]
    if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
        raise UploadRefused("the archive unpacks to more than 5 MB")
    return {info.filename.removeprefix("./"): _text(info.filename, archive.read(info)) for info in members}


def _text(name: str, raw: bytes) -> str:
    try:
        return canonical_text(raw)
    except UnicodeDecodeError:
        raise UploadRefused(f"{name} is not UTF-8 text") from None


# --- question import preview ----------------------------------------------------------------------

@dataclass(frozen=True)
class ImportPreview:
    """Every question of an uploaded file, what became of it and, when converted, the question as
    the bank parser reads it (rendered as trainees see it)."""

    file_format: str
    source: str  # the decoded text, line breaks as \n
    items: list[tuple[Imported, Question | None]]

    @property
    def digest(self) -> str:
        """Names exactly this text in this format: an import writes only what was previewed."""
        return import_digest(self.file_format, self.source)

    def count(self, status: str) -> int:
        return sum(1 for item, _question in self.items if item.status == status)

    def rendered(self) -> list[Markup | None]:
        return _questions_html([(item.line, question) for item, question in self.items])


def import_digest(file_format: str, source: str) -> str:
    return content_hash(f"{file_format}\0{source}")


def uploaded_text(raw: bytes, filename: str, encoding: str | None) -> str:
    """The upload's text (UnreadableFile when it is not text in the named or a detected encoding)."""
    return _one_line_ending(decode(raw, filename, encoding or None))


def _one_line_ending(text: str) -> str:
    """Browsers send hidden text back with \r\n: the previewed and the imported text must agree."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def preview_import(source: str, file_format: str, shown_as: str = "upload") -> ImportPreview:
    source = _one_line_ending(source)
    conversion = IMPORTERS[file_format](source, shown_as)
    # stored already so that the preview shows them as trainees will (named by content: storing
    # the same file again adds nothing)
    store_question_images(conversion.images)
    db.session.commit()
    return ImportPreview(file_format, source, conversion.read_back(PREVIEW_BANK))


def current_lessons() -> list[str]:
    """Ids of the published lessons: the questions' ``lesson:`` must name one to publish."""
    return list(db.session.scalars(db.select(Lesson.id).where(Lesson.retired_at.is_(None)).order_by(Lesson.id)))


def import_draft(preview: ImportPreview, bank_id: str, title: str | None, lesson: str, difficulty: int,
                 actor) -> DraftBank:
    """The previewed questions appended to the bank (the author's draft of it, else the published
    one), saved as the author's draft and audited; nothing is saved when the bank would have
    problems (``draft.problems``)."""
    conversion = IMPORTERS[preview.file_format](preview.source, "upload")
    path = f"quizzes/banks/{bank_id}.md"
    current = changes.draft_of(actor, path)
    files = published_with({path: current.text} if current is not None else {})
    draft = draft_bank(conversion, bank_id, lesson, difficulty, title, files=files)
    if draft.problems or not conversion.questions:
        return draft
    published = published_files().get(path)
    base = current.base_hash if current is not None else (content_hash(published.decode("utf-8")) if published else None)
    record(IMPORT_ACTION, f"bank:{bank_id}", details={
        "format": preview.file_format, "questions": len(conversion.questions),
        "not_converted": len(conversion.items) - len(conversion.questions)}, actor=actor)
    changes.save_draft(actor, path, draft.text, base)
    return draft


# --- regrading after a key fix --------------------------------------------------------------------

REGRADE_ACTION = "quizzes.regrade"


@dataclass(frozen=True)
class RegradePreview:
    bank_id: str
    attempts: list[Regraded]
    names: dict[int, str]  # user id -> name
    certificates: list  # valid certificates whose quiz evidence a now failed attempt was


def regrade_preview(bank_id: str) -> RegradePreview:
    plan = regrade_plan(bank_question_ids(bank_id))
    users = {change.user_id for change in plan}
    names = dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(users))).all()) if users else {}
    failing = {(change.user_id, change.quiz_id) for change in plan if change.old_passed and not change.new_passed}
    return RegradePreview(bank_id, plan, names, certificates_resting_on(failing))


def regrade(bank_id: str, actor) -> RegradePreview:
    """Apply the preview's scores in one transaction with its audit entry; trainees who pass now
    are evaluated for certificates like after any graded attempt."""
    preview = regrade_preview(bank_id)
    if not preview.attempts:
        return preview
    apply_regrade(preview.attempts)
    record(REGRADE_ACTION, f"bank:{bank_id}", actor=actor, details={"attempts": [
        {"attempt": change.attempt_id, "quiz": change.quiz_id, "questions": list(change.question_ids),
         "score": [change.old_score, change.new_score], "passed": [change.old_passed, change.new_passed]}
        for change in preview.attempts], "certificates_in_question": [c.code for c in preview.certificates]})
    db.session.commit()
    for user_id in sorted({change.user_id for change in preview.attempts if change.new_passed}):
        progress_recorded.send(current_app._get_current_object(), user_id=user_id)
    return preview


def banks_needing_regrade(paths: list[str]) -> list[str]:
    """Banks among published paths whose key changes would change graded attempts."""
    banks = [path.rsplit("/", 1)[-1].removesuffix(".md") for path in paths if owning_kind(path).name == "banks"]
    return [bank for bank in banks if regrade_plan(bank_question_ids(bank))]
