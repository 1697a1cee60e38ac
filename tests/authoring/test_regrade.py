"""From item statistics to a fixed key: the trainer corrects a wrong key in the bank editor,
publishes, is offered the regrade with its preview, regrades; scores change and the audit log
shows it."""
import pytest

from tests.quizzes.answers import right_values
from webapp.audit.models import AuditEntry
from webapp.authoring.services import REGRADE_ACTION
from webapp.content import changes
from webapp.content.services import published_text
from webapp.extensions import db
from webapp.quizzes import services as quizzes
from webapp.quizzes.models import Attempt, Quiz

BANK = "quizzes/banks/greeting-basics.md"
QUIZ = "quizzes/exams/greeting.quiz.md"
QUIZ_TEXT = """---
id: greeting.quiz
title:
  zh: 问候测验
  en: Greeting quiz
module: greeting-basics
mode: exam
time_limit_minutes: 30
grace_seconds: 60
pass_mark: 80
attempts_allowed: 3
cooldown_minutes: 0
shuffle_questions: false
shuffle_options: false
review: after_attempt
draw:
  - {bank: greeting-basics, count: 1, tags: [开场]}
---
一道题。
"""


@pytest.fixture
def trainer(client, make_user, auth):
    user = make_user(role="trainer")
    auth.login(user)
    return user


@pytest.fixture
def graded_attempt(trainer, make_user):
    """A trainee answered 直接询问客户的号码, which the wrong key marks as wrong."""
    changes.save_draft(trainer, QUIZ, QUIZ_TEXT, None)
    changes.submit(trainer, [QUIZ], "问候测验")
    trainee = make_user()
    now = quizzes.clock()
    attempt = quizzes.start_attempt(trainee.id, db.session.get(Quiz, "greeting.quiz"), now)
    slot = attempt.slots[0]
    question = quizzes.question_of(slot.question_version)
    chosen = question.options.index(next(o for o in question.options if "号码" in str(o)))
    quizzes.save_answers(attempt, {slot.position: [str(slot.option_order.index(chosen)) if slot.option_order else str(chosen)]}, now)
    assert right_values(question, slot.option_order) != [str(chosen)]
    quizzes.finish_attempt(attempt, now)
    assert attempt.score == 0 and attempt.passed is False
    return attempt


def test_item_statistics_lead_to_the_question_in_its_bank_editor(client, trainer):
    response = client.get("/authoring/questions/greeting-basics.q001")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/authoring/edit?path=quizzes/banks/greeting-basics.md#question-greeting-basics.q001")
    assert client.get("/authoring/questions/nothing.q001").status_code == 404


def test_a_fixed_key_offers_a_regrade_that_changes_the_scores_and_is_audited(client, trainer, graded_attempt):
    fixed = published_text(BANK).replace("- [ ] 直接询问客户的号码", "- [x] 直接询问客户的号码") \
        .replace("- [x] 问好并说明身份", "- [ ] 问好并说明身份")
    drawn = graded_attempt.slots[0].question_version_id
    changes.save_draft(trainer, BANK, fixed, changes.text_hash(published_text(BANK)))
    published = client.post("/authoring/publish", data={"paths": [BANK], "message": "修正答案", "significant": "no"})
    assert published.headers["Location"].endswith("/authoring/regrade?bank=greeting-basics")
    preview = client.get("/authoring/regrade?bank=greeting-basics").get_data(as_text=True)
    assert f'data-attempt="{graded_attempt.id}"' in preview and '<td class="new-score">100.0</td>' in preview
    assert db.session.get(Attempt, graded_attempt.id).score == 0  # a preview writes nothing
    assert client.post("/authoring/regrade?bank=greeting-basics").status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, graded_attempt.id)
    assert attempt.score == 100 and attempt.passed is True and attempt.slots[0].score == 1
    assert attempt.slots[0].question_version_id == drawn  # the attempt keeps the version it drew
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == REGRADE_ACTION))
    assert entry.actor_id == trainer.id and entry.target == "bank:greeting-basics"
    assert entry.details["attempts"] == [{"attempt": attempt.id, "quiz": "greeting.quiz",
                                          "questions": ["greeting-basics.q001"], "score": [0.0, 100.0],
                                          "passed": [False, True]}]
    again = client.get("/authoring/regrade?bank=greeting-basics").get_data(as_text=True)
    assert 'id="nothing-to-regrade"' in again
