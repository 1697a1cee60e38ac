"""Small scenario texts for parser and engine tests; the shipped content for database tests."""
from tests.conftest import ROOT
from webapp.content.registry import read_content_root
from webapp.extensions import db
from webapp.roleplay.kinds import NormsKind, ScenariosKind
from webapp.roleplay.scenarios import Scenario, parse_scenario

FRONT = """---
id: sample
title:
  zh: 示例
  en: Sample
module: complaint-handling
customer_type: 困惑型
difficulty: 1
starting_mood: {starting_mood}
pass_mark: 70
seconds_per_reply: 60
critical_violations: [forbidden_phrase]
tags: [示例]
sources: [004 场景一]
---
"""

TURN = """## 第{n}轮
### 客户
- calm: 平静的第{n}句
- upset: 不满的第{n}句
- angry: 愤怒的第{n}句
### 要求
- greeting
- 要点：询问号码（关键词：号码、手机号）
### 参考回复
您好，请问您的号码是多少？
"""


def scenario_text(turns: int = 3, starting_mood: int = 1) -> str:
    return FRONT.format(starting_mood=starting_mood) + "\n".join(TURN.format(n=n) for n in range(1, turns + 1))


def make_scenario(turns: int = 3, starting_mood: int = 1) -> Scenario:
    scenario, problems = parse_scenario("sample.md", scenario_text(turns, starting_mood))
    assert problems == []
    return scenario


def import_shipped_content() -> None:
    """Import quizzes/roleplay (norms and scenarios) into the current app's database."""
    files = read_content_root(ROOT)
    for kind in (NormsKind(), ScenariosKind()):
        parsed, problems = kind.parse(kind.discover(files), files)
        assert problems == []
        kind.import_items(parsed)
    db.session.commit()
