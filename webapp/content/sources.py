"""Content files in memory and in their canonical form (pure).

Kinds parse ``ContentFiles`` — root-relative path → bytes — so validating and publishing drafts
never touch a disk; only ``flask content validate|import`` read a folder (``ContentFiles.read``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from fnmatch import fnmatchcase
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


def matches(path: str, pattern: str) -> bool:
    """Whether a root-relative path matches an fnmatch pattern whose ``*`` does not cross "/"."""
    return fnmatchcase(path, pattern) and path.count("/") == pattern.count("/")


def decoded(raw: bytes, shown_as: str) -> tuple[str | None, list[Problem]]:
    """The canonical text of a file's bytes, or a problem at the line that is not UTF-8."""
    try:
        return canonical_text(raw), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(shown_as, line, "the file is not valid UTF-8 text")]


class ContentFiles(Mapping[str, bytes]):
    """Content files by root-relative, "/"-separated path (e.g. "courses/m/01-x.md")."""

    def __init__(self, files: Mapping[str, bytes] | None = None) -> None:
        self._files = dict(files or {})

    @classmethod
    def read(cls, root: Path, folders: Iterable[str]) -> ContentFiles:
        """Every file under ``folders`` of a content root on disk."""
        return cls({path.relative_to(root).as_posix(): path.read_bytes()
                    for folder in folders for path in sorted((root / folder).rglob("*")) if path.is_file()})

    def __getitem__(self, path: str) -> bytes:
        return self._files[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def matching(self, pattern: str) -> list[str]:
        return sorted(path for path in self._files if matches(path, pattern))

    def under(self, folder: str) -> list[str]:
        """Every path inside ``folder``, at any depth."""
        return sorted(path for path in self._files if path.startswith(folder + "/"))

    def text(self, path: str) -> tuple[str | None, list[Problem]]:
        if path not in self._files:
            return None, [Problem(path, 1, "cannot read the file: No such file or directory")]
        return decoded(self._files[path], path)


def file_id(path: str) -> str:
    """The id a single-item file's name implies (``<id>.md``)."""
    return path.rsplit("/", 1)[-1].removesuffix(".md")


def parse_texts(paths: Iterable[str], files: ContentFiles,
                parse: Callable[[str, str], tuple[Parsed | None, list[Problem]]]) -> tuple[list[Parsed], list[Problem]]:
    """``parse(path, text)`` of every single-item file; the items that parsed and every problem."""
    parsed, problems = [], []
    for path in paths:
        text, found = files.text(path)
        item = None
        if text is not None:
            item, found = parse(path, text)
        problems += found
        if item is not None:
            parsed.append(item)
    return parsed, problems


def display_path(path: Path, root: Path) -> str:
    """The path relative to the content root when it lies inside it, else as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_source(path: Path, shown_as: str) -> tuple[str | None, list[Problem]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(shown_as, 1, f"cannot read the file: {error.strerror}")]
    return decoded(raw, shown_as)


def parse_file(path: Path, root: Path, parse: Callable[..., tuple[Parsed | None, list[Problem]]]
               ) -> tuple[Parsed | None, list[Problem]]:
    """Read one single-item content file from disk (the CLI's scenario replay, tests) and hand it
    to ``parse(shown_path, text, expected_id=…)``, the id its file name implies (``<id>.md``)."""
    shown = display_path(path, root)
    text, problems = read_source(path, shown)
    if text is None:
        return None, problems
    return parse(shown, text, expected_id=path.name.removesuffix(".md"))
