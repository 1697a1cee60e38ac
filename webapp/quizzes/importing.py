"""Imported questions into a bank file under the content root, shared by ``flask quizzes import-*``
and the trainers' import page.

Writing the file is all an import does: in the content framework the files on disk are the draft.
The new questions then show on the content status page as what publishing would create, are
checked with everything else, and reach trainees only when a trainer publishes. The images they
show are written beside the bank (``quizzes/banks/images/<hash>.png``), where publishing reads them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from webapp.content.problems import Problem
from webapp.content.services import default_root

from .aiken import convert_aiken
from .bank import parse_bank
from .gift import convert_gift
from .imports import Conversion, appended_bank
from .kinds import BANKS_FOLDER
from .moodle_xml import convert_moodle_xml

#: The formats a file may be imported from: name → converter(text, path) -> Conversion.
IMPORTERS = {"gift": convert_gift, "moodle-xml": convert_moodle_xml, "aiken": convert_aiken}


@dataclass(frozen=True)
class DraftBank:
    path: Path  # quizzes/banks/<id>.md under the content root
    text: str  # the whole file, the new questions appended (numbered after the last one)
    sections: str  # the new questions alone
    problems: list[Problem]  # the bank parser's, on the whole file: nothing is written while any remain
    images: dict[str, bytes]  # images/<hash>.png -> bytes, shown by the new questions

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.text, encoding="utf-8")
        for name, data in self.images.items():
            (self.path.parent / name).parent.mkdir(exist_ok=True)
            (self.path.parent / name).write_bytes(data)


def draft_bank(conversion: Conversion, bank_id: str, lesson: str, difficulty: int, title: str | None = None,
               module: str | None = None, files: Mapping[str, bytes] | None = None,
               root: Path | None = None) -> DraftBank:
    """The bank file ``bank_id`` (new, or as it is) with the converted questions appended; ``files``
    are the content files it is looked up in (the editor's, in memory), else the content root on disk."""
    relative = f"{BANKS_FOLDER.as_posix()}/{bank_id}.md"
    target = (root or default_root()) / relative
    if files is None:
        existing, shown = (target.read_text(encoding="utf-8") if target.exists() else None), str(target)
    else:
        existing, shown = (files[relative].decode("utf-8") if relative in files else None), relative
    text, sections = appended_bank(existing, bank_id, title or bank_id, module, conversion.questions, lesson, difficulty)
    _bank, problems = parse_bank(shown, text, bank_id)
    return DraftBank(target, text, sections, problems, conversion.images)
