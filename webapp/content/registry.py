"""Content kinds and the catalog of parsed ids they check each other against.

Each domain subclasses ContentKind for its files and calls ``register_kind`` from its
``init_app``; ``flask content validate|import|export|stats`` then covers every registered kind.
Parsing and checking are pure; only ``import_items``, ``published_files`` and ``stats`` touch the db.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .problems import Problem
from .sources import ContentFiles, matches


class Catalog:
    """Parsed ids by name, e.g. ``catalog.ids("courses.lesson")``, over the whole content root."""

    def __init__(self) -> None:
        self._ids: dict[str, frozenset[str]] = {}
        self._shared: dict[str, Any] = {}

    def add(self, name: str, ids: Iterable[str]) -> None:
        self._ids[name] = self._ids.get(name, frozenset()) | frozenset(ids)

    def ids(self, name: str) -> frozenset[str]:
        return self._ids.get(name, frozenset())

    def names(self) -> list[str]:
        return sorted(self._ids)

    def share(self, name: str, value: Any) -> None:
        self._shared[name] = value

    def shared(self, name: str) -> Any:
        """A value another kind shares (e.g. "norms.score", the norms scorer), or None."""
        return self._shared.get(name)


class ContentKind:
    """One kind of content file. Subclasses set ``name`` and ``order`` and override the methods."""

    name: str
    order: int  # import order: courses 10, banks 20, exams 30, norms 40, scenarios 50, posts 60
    #: Root-relative paths of this kind's files, as fnmatch patterns (``*`` does not cross "/").
    patterns: tuple[str, ...] = ()
    #: Other kinds whose files ``parse`` also reads (exams read the banks to check their draws).
    reads: tuple[str, ...] = ()

    def owns(self, path: str) -> bool:
        """Whether a root-relative path (e.g. "courses/m/01-x.md") is one of this kind's files."""
        return any(matches(path, pattern) for pattern in self.patterns)

    def discover(self, files: ContentFiles) -> list[str]:
        """This kind's files among the content files."""
        return sorted(path for path in files if self.owns(path))

    def parse(self, paths: list[str], files: ContentFiles) -> tuple[list, list[Problem]]:
        """Parse the files at ``paths`` (pure; ``files`` holds every content file, for references)."""
        raise NotImplementedError

    def ids(self, parsed: list) -> dict[str, Iterable[str]]:
        """Ids this kind offers other kinds, by catalog name (e.g. "courses.lesson")."""
        return {}

    def shares(self, parsed: list) -> dict[str, Any]:
        """Values this kind offers other kinds' checks, by catalog name (e.g. "norms.score")."""
        return {}

    def check(self, parsed: list, catalog: Catalog) -> list[Problem]:
        """Cross-reference checks against the ids and shared values of every kind."""
        return []

    def import_items(self, parsed: list) -> dict[str, int]:
        """Write parsed items with db.session, without committing; return counts by outcome."""
        raise NotImplementedError

    def marked_significant(self, path: str, text: str, significant: bool) -> str:
        """The text with the trainer's answer to "does this change call for recertification?"
        written where this kind keeps it (lessons: ``significant_change``); others ignore it."""
        return text

    def published_files(self) -> dict[str, bytes]:
        """The current items as files, by root-relative path: what export writes and editors open."""
        raise NotImplementedError

    def stats(self) -> dict[str, Any]:
        """JSON-able counts of what is stored."""
        raise NotImplementedError

    def content_stats(self) -> dict[str, Any]:
        """The part of ``stats`` about the content itself, without the records made with it
        (attempts, calls, certificates …): what an import changes, cheap to count at any size."""
        return self.stats()


_kinds: dict[str, ContentKind] = {}


def register_kind(kind: ContentKind) -> None:
    """Register (or replace, when create_app runs again) the kind with this name."""
    _kinds[kind.name] = kind


def registered_kinds() -> list[ContentKind]:
    return sorted(_kinds.values(), key=lambda kind: kind.order)


def owning_kind(path: str) -> ContentKind | None:
    """The kind whose file ``path`` (root-relative, "/"-separated) is, or None (also for any path
    with an empty, "." or ".." segment: a pattern's ``*`` would match those)."""
    if "\\" in path or any(segment in ("", ".", "..") for segment in path.split("/")):
        return None
    return next((kind for kind in registered_kinds() if kind.owns(path)), None)


@dataclass
class LoadedContent:
    """Everything parsed from the selected files, ready to import once ``problems`` is empty."""

    parsed: dict[str, list] = field(default_factory=dict)  # kind name -> parsed items
    files: dict[str, int] = field(default_factory=dict)  # kind name -> number of files
    problems: list[Problem] = field(default_factory=list)
    catalog: Catalog = field(default_factory=Catalog)

    def summary(self) -> str:
        items = {name: 0 for name in self.catalog.names()}
        for kind in registered_kinds():
            for name, ids in kind.ids(self.parsed.get(kind.name, [])).items():
                items[name] = len(set(ids))
        counted = ", ".join(f"{name} {count}" for name, count in items.items() if count)
        return f"{sum(self.files.values())} files checked, no problems ({counted or 'nothing found'})"


def content_folders() -> list[str]:
    """The top folders of a content root that hold some kind's files (e.g. courses, quizzes)."""
    return sorted({pattern.split("/")[0] for kind in registered_kinds() for pattern in kind.patterns})


def read_content_root(root: Path) -> ContentFiles:
    """The content files of a content root on disk (``flask content validate|import``, tests)."""
    return ContentFiles.read(root, content_folders())


def _is_selected(path: str, selection: Sequence[str]) -> bool:
    return any(path == chosen or path.startswith(chosen + "/") for chosen in selection)


def _relative(path: Path | str, root: Path) -> str:
    if isinstance(path, str):
        return path
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    return "" if relative == "." else relative


def load_content(source: ContentFiles | Path, selection: Sequence[Path | str] = ()) -> LoadedContent:
    """Parse and check every registered kind in the content files (or a content root on disk,
    read once: ``flask content validate|import``).

    ``selection`` (root-relative paths of files or folders, or paths under the root on disk)
    narrows what is parsed, reported and imported; the catalog still covers every file so
    references to unselected content do not look broken.
    """
    if isinstance(source, ContentFiles):
        files, chosen = source, [str(path) for path in selection]
    else:
        files, chosen = read_content_root(source), [_relative(path, source) for path in selection]
    if "" in chosen:  # the root itself
        chosen = []
    loaded = LoadedContent()
    for kind in registered_kinds():
        every_file = kind.discover(files)
        paths = [path for path in every_file if _is_selected(path, chosen)] if chosen else every_file
        parsed, problems = _parsed(kind, paths, files)
        everything = _parsed(kind, every_file, files)[0] if chosen else parsed
        for name, ids in kind.ids(everything).items():
            loaded.catalog.add(name, ids)
        for name, value in kind.shares(everything).items():
            loaded.catalog.share(name, value)
        if paths:
            loaded.parsed[kind.name], loaded.files[kind.name] = parsed, len(paths)
        loaded.problems += problems
    for kind in registered_kinds():
        if kind.name in loaded.parsed:
            loaded.problems += kind.check(loaded.parsed[kind.name], loaded.catalog)
    loaded.problems.sort()
    return loaded


class _ParseCache:
    """Parsing is pure, so its result is remembered by the bytes it read: the editor checks one
    changed file against everything else many times a minute, and everything else rarely changes."""

    SIZE = 48

    def __init__(self) -> None:
        self._results: OrderedDict[str, tuple[list, list[Problem]]] = OrderedDict()
        self._lock = threading.Lock()

    def parse(self, kind: ContentKind, paths: list[str], files: ContentFiles) -> tuple[list, list[Problem]]:
        key = self._key(kind, paths, files)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        result = kind.parse(paths, files)
        with self._lock:
            self._results[key] = result
            while len(self._results) > self.SIZE:
                self._results.popitem(last=False)
        return result

    @staticmethod
    def _key(kind: ContentKind, paths: list[str], files: ContentFiles) -> str:
        """Digest of the selected paths and of every byte the parse can read: the kind's files,
        those of the kinds it reads, and everything beside the selected files (images, links)."""
        digest = hashlib.sha256(kind.name.encode() + b"\0")
        for path in paths:
            digest.update(path.encode() + b"\0")
        read = set(kind.discover(files)) | {path for name in kind.reads for path in _kinds[name].discover(files)}
        read |= {sibling for folder in {path.rsplit("/", 1)[0] for path in paths} for sibling in files.under(folder)}
        for path in sorted(read):
            digest.update(b"\1" + path.encode() + b"\0")
            digest.update(hashlib.sha256(files[path]).digest())
        return digest.hexdigest()


_parse_cache = _ParseCache()


def _parsed(kind: ContentKind, paths: list[str], files: ContentFiles) -> tuple[list, list[Problem]]:
    return _parse_cache.parse(kind, paths, files)
