"""Tiny builders for quiz tests (keyword defaults, CTFd-helpers style)."""
from webapp.quizzes.bank import Bank, parse_bank
from webapp.quizzes.blueprint import Blueprint, DrawRule
from webapp.quizzes.draw import BankIndex
from webapp.quizzes.questions import Question

BANK_HEADER = "---\nbank: {bank}\ntitle: 测试题库\nmodule: complaint-handling\n---\n\n"


def question_section(number: int, bank: str = "demo", type: str = "single", difficulty: int = 1,
                     tags: str = "[投诉]", body: str | None = None) -> str:
    answer_block = {
        "single": "- [ ] 甲\n- [x] 乙\n- [ ] 丙",
        "multiple": "- [x] 甲\n- [x] 乙\n- [ ] 丙\n- [ ] 丁",
        "fill": "- 先查证后退费",
        "ordering": "1. 受理\n2. 查证\n3. 回复",
        "matching": "- 左一 => 右一\n- 左二 => 右二\n- 左三 => 右三",
        "truefalse": "",
        "numerical": "- 10.5:0.5\n- {50%} 9..12",
    }[type]
    extra = "answer: 对\n" if type == "truefalse" else ""
    stem = "资费争议应遵循____原则。" if type == "fill" else f"第{number}题的题干？"
    extra += "units: [元]\n" if type == "numerical" else ""
    return body or (
        f"## {bank}.q{number:03d}\ntype: {type}\ndifficulty: {difficulty}\ntags: {tags}\n"
        f"lesson: complaint-handling.billing-disputes\n{extra}\n{stem}\n\n{answer_block}\n\n> 解析{number}。\n\n"
    )


def make_bank_text(bank: str = "demo", sections: list[str] | None = None, count: int = 6) -> str:
    types = ["single", "multiple", "fill", "ordering", "matching", "truefalse"]
    sections = sections or [question_section(n, bank, types[(n - 1) % 6], 1 + n % 3) for n in range(1, count + 1)]
    return BANK_HEADER.format(bank=bank) + "".join(sections)


def make_bank(bank: str = "demo", count: int = 6, sections: list[str] | None = None) -> Bank:
    parsed, problems = parse_bank(f"quizzes/banks/{bank}.md", make_bank_text(bank, sections, count))
    assert not problems, problems
    return parsed


def synthetic_bank(size: int, bank: str = "big", tags: tuple[str, ...] = ("甲", "乙", "丙", "丁")) -> Bank:
    """A large bank built directly (no parsing), for draw statistics and benchmarks."""
    questions = tuple(
        Question(
            id=f"{bank}.q{n:05d}", type="single", stem=f"题{n}", explanation="解析", difficulty=1 + n % 3,
            tags=(tags[n % len(tags)],), lesson="complaint-handling.billing-disputes",
            options=("甲", "乙", "丙", "丁"), correct=(n % 4,), content_hash=f"h{n}", line=n,
        )
        for n in range(size)
    )
    return Bank(bank, "大题库", None, f"{bank}.md", questions, "", "bank-hash")


def make_blueprint(*rules: DrawRule, shuffle_questions: bool = True, shuffle_options: bool = True, **settings) -> Blueprint:
    values = dict(
        id="demo.quiz", title={"zh": "测验", "en": "Quiz"}, module="complaint-handling", post=None, mode="exam",
        time_limit_minutes=30, grace_seconds=60, pass_mark=80, attempts_allowed=3, cooldown_minutes=10,
        review="after_attempt", intro="", path="quizzes/exams/demo.quiz.md", source="", content_hash="x",
    )
    values.update(settings)
    return Blueprint(draw=rules or (DrawRule("demo", 3),), shuffle_questions=shuffle_questions,
                     shuffle_options=shuffle_options, **values)


def indexes(*banks: Bank) -> dict[str, BankIndex]:
    return {bank.id: BankIndex(bank) for bank in banks}
