"""Reading content files in their canonical form (pure)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .problems import Problem

Parsed = TypeVar("Parsed")


def canonical_text(raw: bytes) -> str:
    """UTF-8 text without a byte-order mark and with ``\\n`` line endings.

    Hashes and stored sources use this form, so a checkout that converts line endings does not
    look like an edit. Raises UnicodeDecodeError for bytes that are not UTF-8.
    """
    text = raw.decode("utf-8").removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def display_path(path: Path, root: Path) -> str:
    """The path relative to the content root when it lies inside it, else as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_source(path: Path, shown_as: str) -> tuple[str | None, list[Problem]]:
    try:
        return canonical_text(path.read_bytes()), []
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        return None, [Problem(shown_as, line, "the file is not valid UTF-8 text")]
    except OSError as error:
        return None, [Problem(shown_as, 1, f"cannot read the file: {error.strerror}")]


def parse_file(path: Path, root: Path, parse: Callable[..., tuple[Parsed | None, list[Problem]]]
               ) -> tuple[Parsed | None, list[Problem]]:
    """Read one single-item content file and hand it to ``parse(shown_path, text, expected_id=…)``,
    the id its file name implies (``<id>.md``)."""
    shown = display_path(path, root)
    text, problems = read_source(path, shown)
    if text is None:
        return None, problems
    return parse(shown, text, expected_id=path.name.removesuffix(".md"))
