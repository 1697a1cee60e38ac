"""Splitting a reply into plain and highlighted segments from evidence spans (pure)."""
from collections.abc import Iterable

from .call import TurnResult


def highlight(text: str, marks: Iterable[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """``[(segment, kind or None), ...]`` covering ``text``; an overlapping later mark is clipped."""
    segments: list[tuple[str, str | None]] = []
    position = 0
    for start, end, kind in sorted(marks):
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        if start > position:
            segments.append((text[position:start], None))
        segments.append((text[start:end], kind))
        position = end
    if position < len(text):
        segments.append((text[position:], None))
    return segments


def reply_segments(turn: TurnResult) -> list[tuple[str, str | None]]:
    """The reply with the evidence of every criterion marked as "met" or "violation"."""
    marks = [
        (item.span[0], item.span[1], "violation" if criterion.kind == "violation" else "met")
        for criterion in turn.criteria for item in criterion.evidence
    ]
    return highlight(turn.reply, marks)
