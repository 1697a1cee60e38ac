"""YAML front matter: splitting it from the body and checking its fields (pure).

PyYAML follows YAML 1.1, so ``2027-12-31`` loads as a date, ``no`` as False and ``010`` as 8:
every field is type-checked after loading instead of trusting what YAML produced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from .problems import Problem

FENCE = "---"
YAML_DOCUMENT_END = "..."
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*")


class FrontMatter(dict):
    """The loaded mapping, remembering the file line of each top-level key."""

    def __init__(self, data: Mapping[str, Any] = (), key_lines: Mapping[str, int] = (), line: int = 1):
        super().__init__(data)
        self.key_lines = dict(key_lines)
        self.line = line  # line of the opening fence

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


def split_front_matter(path: str, text: str) -> tuple[FrontMatter, int, list[Problem]]:
    """Return (front matter, 1-based line where the body starts, problems)."""
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        return FrontMatter(), 1, [
            Problem(path, 1, "missing front matter: the file must start with a '---' line")
        ]
    closing = next(
        (i for i, line in enumerate(lines[1:], start=1) if line.rstrip() in (FENCE, YAML_DOCUMENT_END)),
        None,
    )
    if closing is None:
        return FrontMatter(), len(lines) + 1, [
            Problem(path, 1, "front matter is not closed: add a '---' line after it")
        ]
    front, problems = _load_yaml(path, "\n".join(lines[1:closing]), first_line=2)
    return front, closing + 2, problems


def _load_yaml(path: str, source: str, first_line: int) -> tuple[FrontMatter, list[Problem]]:
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        return FrontMatter(line=first_line - 1), [
            Problem(path, line, f"invalid YAML in front matter: {error.problem or error.context}")
        ]
    except yaml.YAMLError as error:
        return FrontMatter(line=first_line - 1), [Problem(path, first_line, f"invalid YAML: {error}")]
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return FrontMatter(line=first_line - 1), [
            Problem(path, first_line, "front matter must be 'key: value' lines")
        ]
    problems: list[Problem] = []
    key_lines: dict[str, int] = {}
    for key_node, _ in node.value if node is not None else ():
        key, line = str(key_node.value), first_line + key_node.start_mark.line
        if key in key_lines:
            problems.append(Problem(path, line, f'"{key}" is given twice (first on line {key_lines[key]})'))
        else:
            key_lines[key] = line
    return FrontMatter({str(k): v for k, v in data.items()}, key_lines, first_line - 1), problems


@dataclass(frozen=True)
class FieldType:
    description: str  # completes "… must be <description>"
    accepts: Callable[[Any], bool]


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # YAML true is an int in Python


TEXT = FieldType("a non-empty text", _is_text)
POSITIVE_INT = FieldType("a whole number above 0", lambda v: _is_int(v) and v > 0)
NON_NEGATIVE_INT = FieldType("a whole number (0 or more)", lambda v: _is_int(v) and v >= 0)
BOOLEAN = FieldType("true or false", lambda v: isinstance(v, bool))
ID = FieldType(
    "an id of lowercase a-z, 0-9 and '-' segments joined by '.'",
    lambda v: isinstance(v, str) and ID_PATTERN.fullmatch(v) is not None,
)
TEXT_LIST = FieldType(
    "a list of texts, e.g. [a, b]", lambda v: isinstance(v, list) and all(_is_text(x) for x in v)
)
LOCALIZED_TEXT = FieldType(
    "a mapping with a 'zh' and an 'en' text",
    lambda v: isinstance(v, dict) and set(v) == {"zh", "en"} and all(_is_text(x) for x in v.values()),
)


def one_of(*choices: Any) -> FieldType:
    return FieldType("one of " + ", ".join(map(str, choices)), lambda v: v in choices and not isinstance(v, bool))


def int_between(low: int, high: int) -> FieldType:
    return FieldType(f"a whole number from {low} to {high}", lambda v: _is_int(v) and low <= v <= high)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class FieldChecker:
    """Reads typed fields from a mapping, collecting a Problem for each missing or wrong one.

    Problems point at the key's own line when the mapping is a FrontMatter, else at ``line``.
    """

    def __init__(self, data: Mapping[str, Any], path: str, line: int):
        self.data, self.path, self.line = data, path, line
        self.problems: list[Problem] = []

    def _line_of(self, key: str) -> int:
        return self.data.line_of(key) if isinstance(self.data, FrontMatter) else self.line

    def require(self, key: str, expected: FieldType) -> Any:
        if key not in self.data:
            self.problems.append(Problem(self.path, self.line, f'missing "{key}" (expected {expected.description})'))
            return None
        return self.optional(key, expected)

    def optional(self, key: str, expected: FieldType, default: Any = None) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        if expected.accepts(value):
            return value
        self.problems.append(
            Problem(self.path, self._line_of(key), f'"{key}" must be {expected.description}, not {_shown(value)}')
        )
        return None

    def reject_unknown(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.problems.append(Problem(self.path, self._line_of(key), f'unknown key "{key}" (known: {known})'))
