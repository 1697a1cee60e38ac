"""Side-by-side line diff of two versions of a content file (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "same", "changed", "removed" (left only), "added" (right only)
    left_line: int | None
    left: str
    right_line: int | None
    right: str


def side_by_side(left: str, right: str) -> list[DiffRow]:
    """Rows pairing the lines of ``left`` and ``right``; unchanged runs are kept whole."""
    a, b = left.split("\n"), right.split("\n")
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffRow("same", i + 1, a[i], j + 1, b[j]) for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            has_left, has_right = i < i2, j < j2
            kind = "changed" if has_left and has_right else "removed" if has_left else "added"
            rows.append(DiffRow(kind, i + 1 if has_left else None, a[i] if has_left else "",
                                j + 1 if has_right else None, b[j] if has_right else ""))
    return rows


def changed_only(rows: list[DiffRow], context: int = 2) -> list[DiffRow | None]:
    """The changed rows with ``context`` unchanged rows around them; None marks a skipped run."""
    keep = {near for n, row in enumerate(rows) if row.kind != "same"
            for near in range(n - context, n + context + 1)}
    shown: list[DiffRow | None] = []
    for n, row in enumerate(rows):
        if n in keep:
            shown.append(row)
        elif shown and shown[-1] is not None:
            shown.append(None)
    return shown
