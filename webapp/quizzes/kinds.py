"""The "banks" and "exams" content kinds: quizzes/banks/*.md and quizzes/exams/*.md <-> the db."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from webapp.clock import utcnow
from webapp.content.imagefiles import CONTENT_NAME
from webapp.content.problems import Problem
from webapp.content.registry import Catalog, ContentKind
from webapp.content.sources import ContentFiles, file_id, parse_texts
from webapp.courses.modellines import marked_line_problems
from webapp.extensions import db

from .bank import Bank, parse_bank
from .blueprint import Blueprint, check_draw, parse_blueprint
from .draw import BankIndex
from .images import store_question_images
from .imports import images_of
from .models import ATTEMPT_STATES, Attempt, BankQuestion, QuestionBank, QuestionImage, QuestionVersion, Quiz
from .questions import QUESTION_TYPES, question_to_data

BANKS_FOLDER = Path("quizzes") / "banks"
EXAMS_FOLDER = Path("quizzes") / "exams"
OUTCOMES = ("created", "updated", "unchanged", "retired")


class BanksKind(ContentKind):
    name = "banks"
    order = 20
    patterns = (f"{BANKS_FOLDER.as_posix()}/*.md",)

    def parse(self, paths: list[str], files: ContentFiles) -> tuple[list[Bank], list[Problem]]:
        banks, problems = parse_texts(paths, files, lambda path, text: parse_bank(path, text, file_id(path)))
        shown = []
        for bank in banks:
            images, image_problems = _shown_images(bank, files)
            shown.append(replace(bank, images=images))
            problems += image_problems
        return shown, problems

    def ids(self, parsed: list[Bank]) -> dict[str, Iterable[str]]:
        return {
            "quizzes.bank": [bank.id for bank in parsed],
            "quizzes.question": [question.id for bank in parsed for question in bank.questions],
        }

    def check(self, parsed: list[Bank], catalog: Catalog) -> list[Problem]:
        """Lessons and modules must exist (when the courses kind is there to tell); answer keys
        marked as agent lines are scored like a lesson's model lines (when the norms are there)."""
        problems = []
        if score := catalog.shared("norms.score"):
            problems += [problem for bank in parsed for problem in marked_line_problems(bank.path, bank.key_lines, score)]
        if "courses.lesson" not in catalog.names():
            return problems
        lessons, modules = catalog.ids("courses.lesson"), catalog.ids("courses.module")
        problems += [Problem(bank.path, 2, f'unknown module "{bank.module}"')
                     for bank in parsed if bank.module and bank.module not in modules]
        problems += [
            Problem(bank.path, question.line, f'{question.id}: unknown lesson "{question.lesson}"')
            for bank in parsed for question in bank.questions if question.lesson not in lessons
        ]
        return problems

    def import_items(self, parsed: list[Bank]) -> dict[str, int]:
        """Questions missing from an imported bank are retired; their versions stay for the attempts."""
        counts, now = Counter(dict.fromkeys(OUTCOMES, 0)), utcnow()
        for bank in parsed:
            store_question_images(dict(bank.images))
            row = db.session.get(QuestionBank, bank.id)
            if row is not None and row.content_hash == bank.content_hash:
                counts["unchanged"] += len(bank.questions)
                continue
            if row is None:
                row = QuestionBank(id=bank.id)
                db.session.add(row)
            row.title, row.module_id, row.source, row.content_hash = bank.title, bank.module, bank.source, bank.content_hash
            for position, question in enumerate(bank.questions):
                counts[_upsert_question(row, position, question)] += 1
            kept = {question.id for question in bank.questions}
            for stored in db.session.scalars(db.select(BankQuestion).where(
                    BankQuestion.bank_id == bank.id, BankQuestion.retired_at.is_(None))):
                if stored.id not in kept:
                    stored.retired_at = now
                    counts["retired"] += 1
        return dict(counts)

    def published_files(self) -> dict[str, bytes]:
        files = {f"{BANKS_FOLDER.as_posix()}/{bank.id}.md": bank.source.encode("utf-8")
                 for bank in db.session.scalars(db.select(QuestionBank).order_by(QuestionBank.id))}
        for name, data in db.session.execute(db.select(QuestionImage.name, QuestionImage.data).order_by(QuestionImage.name)):
            files[f"{BANKS_FOLDER.as_posix()}/{name}"] = data
        return files

    def stats(self) -> dict:
        def count(*criteria, of) -> int:
            return db.session.scalar(db.select(db.func.count(of)).where(*criteria)) or 0

        current = (BankQuestion.retired_at.is_(None),)
        by_type = dict(db.session.execute(
            db.select(QuestionVersion.type, db.func.count())
            .join(BankQuestion, BankQuestion.current_version_id == QuestionVersion.id)
            .where(*current).group_by(QuestionVersion.type)).all())
        by_bank = dict(db.session.execute(
            db.select(BankQuestion.bank_id, db.func.count()).where(*current).group_by(BankQuestion.bank_id)).all())
        return {
            "banks": count(of=QuestionBank.id),
            "questions": count(*current, of=BankQuestion.id),
            "retired_questions": count(BankQuestion.retired_at.is_not(None), of=BankQuestion.id),
            "question_versions": count(of=QuestionVersion.id),
            "questions_by_type": {name: by_type.get(name, 0) for name in QUESTION_TYPES},
            "questions_by_bank": by_bank,
        }


def _shown_images(bank: Bank, files: ContentFiles) -> tuple[tuple[tuple[str, bytes], ...], list[Problem]]:
    """The images the bank's questions show, from ``images/`` beside the bank file; an image that
    is not there, or not named as question images are, is a problem at its question."""
    images, problems = {}, []
    folder = bank.path.rsplit("/", 1)[0] if "/" in bank.path else ""
    for question in bank.questions:
        for name in images_of(question):
            path = f"{folder}/{name}" if folder else name
            if not CONTENT_NAME.fullmatch(name):
                problems.append(Problem(bank.path, question.line, f'{question.id}: image "{name}" is not a question '
                                        "image (images/<hash>.png, as importing a Moodle XML file writes them)"))
            elif path in files:
                images[name] = files[path]
            else:
                problems.append(Problem(bank.path, question.line, f'{question.id}: broken image "{name}": '
                                                                  f"no such file in {BANKS_FOLDER.as_posix()}/images"))
    return tuple(images.items()), problems


def _upsert_question(bank: QuestionBank, position: int, parsed) -> str:
    question = db.session.get(BankQuestion, parsed.id)
    outcome = "unchanged"
    if question is None:
        question = BankQuestion(id=parsed.id, bank=bank, position=position)
        db.session.add(question)
        outcome = "created"
    elif question.position != position or question.retired_at is not None or question.bank_id != bank.id:
        question.position, question.retired_at, question.bank = position, None, bank
        outcome = "updated"
    version = question.current_version
    if version is None or version.content_hash != parsed.content_hash:
        question.current_version = _version_for(question, parsed)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def _version_for(question: BankQuestion, parsed) -> QuestionVersion:
    """The version with this text: an earlier one when an edit is reverted, else a new row."""
    earlier = db.session.scalar(db.select(QuestionVersion).where(
        QuestionVersion.question_id == question.id, QuestionVersion.content_hash == parsed.content_hash))
    return earlier or QuestionVersion(
        question_id=question.id, content_hash=parsed.content_hash, type=parsed.type,
        source=parsed.source, data=question_to_data(parsed),
    )


@dataclass(frozen=True)
class ParsedExams:
    """Blueprints with the banks of the same content root, to check every draw rule."""

    blueprints: list[Blueprint]
    banks: dict[str, BankIndex]


class ExamsKind(ContentKind):
    name = "exams"
    order = 30
    patterns = (f"{EXAMS_FOLDER.as_posix()}/*.md",)
    reads = ("banks",)

    def parse(self, paths: list[str], files: ContentFiles) -> tuple[list[ParsedExams], list[Problem]]:
        blueprints, problems = parse_texts(paths, files, lambda path, text: parse_blueprint(path, text, file_id(path)))
        banks, _bank_problems = BanksKind().parse(BanksKind().discover(files), files)  # reported by "banks"
        return [ParsedExams(blueprints, {bank.id: BankIndex(bank) for bank in banks})], problems

    def ids(self, parsed: list[ParsedExams]) -> dict[str, Iterable[str]]:
        return {"quizzes.quiz": [blueprint.id for exams in parsed for blueprint in exams.blueprints]}

    def check(self, parsed: list[ParsedExams], catalog: Catalog) -> list[Problem]:
        problems = []
        known = {name: catalog.ids(name) for name in ("courses.module", "posts.post") if name in catalog.names()}
        for exams in parsed:
            for blueprint in exams.blueprints:
                problems += check_draw(blueprint, exams.banks)
                for name, value, label in (("courses.module", blueprint.module, "module"), ("posts.post", blueprint.post, "post")):
                    if value and name in known and value not in known[name]:
                        problems.append(Problem(blueprint.path, 1, f'unknown {label} "{value}"'))
        return problems

    def import_items(self, parsed: list[ParsedExams]) -> dict[str, int]:
        counts = Counter(dict.fromkeys(OUTCOMES, 0))
        for blueprint in (blueprint for exams in parsed for blueprint in exams.blueprints):
            quiz = db.session.get(Quiz, blueprint.id)
            if quiz is not None and quiz.content_hash == blueprint.content_hash and quiz.retired_at is None:
                counts["unchanged"] += 1
                continue
            counts["created" if quiz is None else "updated"] += 1
            if quiz is None:
                quiz = Quiz(id=blueprint.id)
                db.session.add(quiz)
            quiz.title_zh, quiz.title_en = blueprint.title["zh"], blueprint.title["en"]
            quiz.module_id, quiz.post_id, quiz.retired_at = blueprint.module, blueprint.post, None
            quiz.source, quiz.content_hash = blueprint.source, blueprint.content_hash
        return dict(counts)

    def published_files(self) -> dict[str, bytes]:
        quizzes = db.session.scalars(db.select(Quiz).where(Quiz.retired_at.is_(None)).order_by(Quiz.id))
        return {f"{EXAMS_FOLDER.as_posix()}/{quiz.id}.md": quiz.source.encode("utf-8") for quiz in quizzes}

    def content_stats(self) -> dict:
        return {"quizzes": db.session.scalar(db.select(db.func.count(Quiz.id)).where(Quiz.retired_at.is_(None))) or 0}

    def stats(self) -> dict:
        by_state = dict(db.session.execute(db.select(Attempt.state, db.func.count()).group_by(Attempt.state)).all())
        return self.content_stats() | {"attempts_by_state": {state: by_state.get(state, 0) for state in ATTEMPT_STATES}}
