"""A tiny stand-in for the norms scorer: fixed phrases per category, no context rules.

The engine takes the scorer as an argument, so engine tests stay independent of the shipped
norms; tests of the shipped scenarios use the real scorer instead.
"""
from dataclasses import dataclass, field

from webapp.roleplay.meaning import Lexicon, judge_key_point

PHRASES = {
    "greeting": ["您好"],
    "self_identification": ["工号"],
    "empathy": ["理解"],
    "apology": ["抱歉", "对不起"],
    "confirmation": ["确认一下"],
    "offer_further_help": ["还有什么可以帮您"],
    "closing": ["再见"],
    "forbidden_phrase": ["不归我们管"],
    "informal_address": ["你"],
    "uncertain_language": ["应该是"],
    "jargon": ["VLR"],
}
VIOLATIONS = {"forbidden_phrase", "informal_address", "uncertain_language", "multiple_questions", "jargon"}


@dataclass(frozen=True)
class FakeHit:
    category: str
    evidence: str
    span: tuple[int, int]
    by_model: bool = False


@dataclass
class FakeVerdict:
    elements: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    text: str = ""

    def key_point(self, examples):
        return judge_key_point(self.text, examples, Lexicon())

    def as_json(self) -> dict:
        def hits(items):
            return [{"category": h.category, "evidence": h.evidence, "span": list(h.span)} for h in items]
        return {"elements": hits(self.elements), "violations": hits(self.violations), "suppressed": []}


def fake_score(text: str) -> FakeVerdict:
    verdict = FakeVerdict(text=text)
    for category, phrases in PHRASES.items():
        for phrase in phrases:
            start = text.find(phrase)
            if start >= 0:
                target = verdict.violations if category in VIOLATIONS else verdict.elements
                target.append(FakeHit(category, phrase, (start, start + len(phrase))))
                break
    questions = [i for i, ch in enumerate(text) if ch in "？?"]
    if len(questions) > 1:
        verdict.violations.append(FakeHit("multiple_questions", text[questions[1]], (questions[1], questions[1] + 1)))
    return verdict
