"""Validating and publishing drafts never write a file: the kinds parse the published texts and
the drafts in memory (issue #15, "no node writes content to its local disk")."""
import builtins
import os
import tempfile

import pytest

from webapp.content import changes
from webapp.content.services import published_text

OPENING = "courses/greeting-basics/01-opening.md"


@pytest.fixture
def no_writes(monkeypatch):
    """Any attempt to create or write a file or folder fails the test."""
    written = []
    real_open = builtins.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def refuse(name):
        def refused(path, *args, **kwargs):
            written.append(f"{name} {path}")
            raise AssertionError(f"{name} {path}")
        return refused

    monkeypatch.setattr(builtins, "open", guarded_open)
    for module, name in ((os, "mkdir"), (os, "makedirs"), (tempfile, "mkdtemp"), (tempfile, "mkstemp")):
        monkeypatch.setattr(module, name, refuse(name))
    return written


def test_checking_publishing_and_rolling_back_write_no_file(app, make_user, no_writes):
    trainer = make_user(role="trainer")
    original = published_text(OPENING)
    text = original.replace("接起电话先问好", "接起电话先微笑问好")
    assert changes.check_text(trainer, OPENING, text.replace("minutes: 10", "minutes: ten"))[0].line == 4
    changes.save_draft(trainer, OPENING, text, changes.text_hash(original))
    changes.submit(trainer, [OPENING], "微笑")
    assert "微笑" in published_text(OPENING)
    changes.rollback(changes.history(OPENING)[1], trainer, "改回去")
    assert published_text(OPENING) == original
    assert no_writes == []
