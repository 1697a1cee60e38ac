"""Model agent lines and counter-examples marked in Markdown content, checked with the norms (pure).

Content teaches exactly what the role-play scorer scores (docs/formats.md §1.1): a model line
must break no norm, and a counter-example must break at least one. What is marked:

* model lines: every “quoted” sentence inside a ``::: 规范用语`` callout, and every agent dialogue
  line (``客服：`` ``坐席：`` ``客服代表：`` ``营业员：`` ``话务员：``) anywhere else;
* counter-examples: every “quoted” sentence inside a ``::: 禁用语`` callout, a line starting with
  ``✗``, and the agent lines of a ``::: 案例`` whose title names it a counter-example (改写前,
  错误示范, 反例).

The scorer is passed in (text -> verdict with ``violations``), so this module needs neither the
role-play domain nor Flask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from webapp.content.problems import Problem

AGENT_LINE = re.compile(
    r"^(?:[-*+]\s+)?(?:\*\*)?(?:坐席|客服代表|客服|营业员|话务员)(?:\*\*)?\s*[：:](?:\*\*)?\s*(?P<text>.+)$"
)
CROSS_MARK = re.compile(r"^(?:[-*+]\s+)?[✗✘×]\s*(?P<text>.+)$")
QUOTED = re.compile(r"“(?P<text>[^“”]+)”")
#: A stage direction in front of a line, e.g. （再过15秒） or （查证后）: not spoken.
STAGE_DIRECTION = re.compile(r"^[（(][^）)]*[）)]\s*")
CALLOUT_FENCE = re.compile(r"^:::\s*(?P<info>.*)$")
COUNTER_CASE_TITLES = ("改写前", "错误示范", "反例")
MODEL_CALLOUT, COUNTER_CALLOUT, CASE_CALLOUT = "规范用语", "禁用语", "案例"


@dataclass(frozen=True)
class MarkedLine:
    line: int  # 1-based line in the file
    text: str  # what the agent says
    counter_example: bool


def marked_lines(body: str, first_line: int = 1) -> list[MarkedLine]:
    """The model lines and counter-examples of a Markdown body starting at file line ``first_line``."""
    found: list[MarkedLine] = []
    callout: str | None = None  # the open callout's info string ("案例 改写前"), or None
    for number, raw in enumerate(body.split("\n"), start=first_line):
        line = raw.strip()
        fence = CALLOUT_FENCE.match(line)
        if fence:
            callout = fence["info"].strip() or None if callout is None else None
            continue
        kind = (callout or "").split(maxsplit=1)[0] if callout else ""
        if kind in (MODEL_CALLOUT, COUNTER_CALLOUT):
            counter = kind == COUNTER_CALLOUT
            found += [MarkedLine(number, quote["text"], counter) for quote in QUOTED.finditer(line)]
        elif crossed := CROSS_MARK.match(line):
            agent = AGENT_LINE.match(crossed["text"])  # ✗ 客服：…: the words after the speaker
            found.append(MarkedLine(number, _spoken(agent["text"] if agent else crossed["text"]), True))
        elif agent := AGENT_LINE.match(line):
            counter = kind == CASE_CALLOUT and any(title in callout for title in COUNTER_CASE_TITLES)
            found.append(MarkedLine(number, _spoken(agent["text"]), counter))
    return [item for item in found if item.text]


def _spoken(text: str) -> str:
    """The words said, without stage directions: the quoted sentence when the line is one (客服：“您好…”),
    the whole line when it only quotes a term (…设置了“遇忙转移”，也就是…)."""
    text = STAGE_DIRECTION.sub("", text.strip())
    quote = QUOTED.match(text)
    return (quote["text"] if quote else text).strip()


def marked_line_problems(path: str, lines: Iterable[MarkedLine], score: Callable[[str], Any]) -> list[Problem]:
    """A model line that breaks a norm, or a counter-example that breaks none, is a problem at its line."""
    problems = []
    for item in lines:
        violations = score(item.text).violations
        if item.counter_example and not violations:
            problems.append(Problem(path, item.line, f"this counter-example breaks no norm: “{item.text}”"))
        elif not item.counter_example and violations:
            found = "; ".join(f"{hit.category} “{hit.evidence}”" for hit in violations)
            problems.append(Problem(path, item.line, f"this model line breaks the norms: {found}"))
    return problems
