"""Aiken (Moodle's plain multiple-choice format) → our question banks. Pure.

Each question is its text, options ``A. …`` or ``A) …`` one per line, then ``ANSWER: B``; a blank
line separates questions. Every question becomes ``single`` (Aiken has one right option and no
feedback, so the explanation is a placeholder to replace).
"""
from __future__ import annotations

import re

from .imports import Conversion, ImportedQuestion, NotConverted, Notes, imported, title_of

OPTION = re.compile(r"^([A-Z])[.)]\s+(.*)$")
ANSWER = re.compile(r"^ANSWER\s*[:：]\s*([A-Z])\s*$")


def convert_aiken(text: str, path: str = "<aiken>") -> Conversion:
    items, block, start = [], [], 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff").split("\n") + [""]
    for number, line in enumerate(lines, start=1):
        if line.strip():
            start = start if block else number
            block.append(line.strip())
            continue
        if block:
            items.append(imported(start, title_of(block[0]), lambda notes, block=block: _question(block, notes)))
            block = []
    return Conversion(path, items)


def _question(block: list[str], notes: Notes) -> ImportedQuestion:
    answer = ANSWER.match(block[-1])
    if answer is None:
        raise NotConverted("the question does not end with ANSWER: <letter>")
    stem, options = [], []
    for line in block[:-1]:
        option = OPTION.match(line)
        if option and (options or stem):
            options.append((option.group(1), option.group(2).strip()))
        elif options:
            raise NotConverted(f"text after the options: {line!r}")
        else:
            stem.append(line)
    letters = [letter for letter, _text in options]
    if len(options) < 2 or letters != [chr(ord("A") + i) for i in range(len(options))]:
        raise NotConverted("an Aiken question needs two or more options lettered A, B, C … in order")
    if answer.group(1) not in letters:
        raise NotConverted(f"ANSWER: {answer.group(1)} names no option")
    return ImportedQuestion("single", "\n".join(stem), options=[
        (text, letter == answer.group(1), None) for letter, text in options])
