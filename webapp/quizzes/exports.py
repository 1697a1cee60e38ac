"""Our question banks → Moodle GIFT and Moodle XML, so that importing the file (into Moodle, or
back here with ``gift.py`` / ``moodle_xml.py``) gives the same questions. Pure: a ``Bank`` in, text out.

Texts are written in Moodle's ``markdown`` format, so stems, options and explanations keep their
Markdown as written; the explanation becomes the general feedback, the question id the name/title,
tags become ``// [tag:…]`` lines (GIFT) or ``<tags>`` (XML).

| ours | GIFT | Moodle XML |
|---|---|---|
| ``single`` (partial options) | ``{=right ~%50%partial ~wrong}`` | ``multichoice``, single, fractions |
| ``multiple`` | ``{~%50%a ~%50%b ~%-100%c}`` | ``multichoice``, not single, fractions |
| ``truefalse`` | ``{T}`` / ``{F}`` | ``truefalse`` |
| ``fill`` (weights, ``*``) | short answer, the block where the blank ``____`` stood | ``shortanswer`` (``usecase``) |
| ``numerical`` (tolerance, range, weights) | ``{#=1.5:0.1 =%50%2:1}`` | ``numerical`` (units with multiplier 1, optional) |
| ``matching`` (distractors) | ``{=a -> 1 = -> x}`` | ``matching`` (a subquestion without text: a distractor) |

An unweighted ``multiple`` is written with the weights that grade it as we do: each right option
100/n %, each wrong one −100/n % (n = right options), the sum kept within [0, 1] as Moodle does.

Question images (``![…](images/<hash>.png)``) travel in Moodle XML as Moodle writes them: a
``<file encoding="base64">`` inside the text element that shows it, referred to as
``@@PLUGINFILE@@/<hash>.png``.

Not exported, each listed with the reason: ``ordering`` (neither format has it), and in GIFT a
case-sensitive ``fill`` or a ``numerical`` with units (GIFT can say neither), a question showing an
image (GIFT carries no files), or a text GIFT cannot hold (a blank line inside an option, ``->`` in
a matching item).
"""
from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from .bank import Bank
from .imports import PLUGINFILE, images_of, shown_images
from .questions import BLANK, Question, number_text

_GIFT_SPECIAL = "~=#{}:"


class NotExported(Exception):
    """A question the format cannot express faithfully; the message says why."""


@dataclass(frozen=True)
class BankExport:
    text: str
    skipped: list[tuple[str, str]]  # (question id, why it was not exported)

    def notes(self) -> list[str]:
        return [f"{question_id}: not exported: {reason}" for question_id, reason in self.skipped]


def option_fractions(question: Question) -> list[float]:
    """Each option's share of the marks (single and multiple), as Moodle's fractions (1.0 = 100 %)."""
    if question.weights:
        return list(question.weights)
    if question.type == "multiple":
        share = 1 / len(question.correct)
        return [share if index in question.correct else -share for index in range(len(question.options))]
    return [1.0 if index in question.correct else 0.0 for index in range(len(question.options))]


def accepted_fractions(question: Question) -> list[float]:
    """Each accepted answer's share (fill and numerical)."""
    return list(question.weights) or [1.0] * len(question.accepted)


def moodle_percent(fraction: float) -> str:
    """0.333333 → "33.33333": Moodle's own precision (five decimals)."""
    return f"{fraction * 100:.5f}".rstrip("0").rstrip(".")


def numerical_answer(question: Question, index: int) -> tuple[str, str]:
    """(value, tolerance) of an accepted number as written in both formats; ``*`` is any number."""
    value, tolerance = question.accepted[index], question.tolerances[index]
    return value, number_text(tolerance)


def _not_exported_anywhere(question: Question) -> None:
    if question.type == "ordering":
        raise NotExported("ordering questions have no counterpart in GIFT or in Moodle's core question types")


def _export_each(bank: Bank, write) -> tuple[list, list[tuple[str, str]]]:
    written, skipped = [], []
    for question in bank.questions:
        try:
            _not_exported_anywhere(question)
            written.append(write(question))
        except NotExported as refusal:
            skipped.append((question.id, str(refusal)))
    return written, skipped


# --- GIFT -----------------------------------------------------------------------------------------

def gift_escape(text: str) -> str:
    """Backslash first, then GIFT's special characters; a line break becomes ``\\n`` (a blank line
    would end the question)."""
    text = text.replace("\\", "\\\\")
    for char in _GIFT_SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _one_line(text: str, what: str) -> str:
    if "\n" in text:
        raise NotExported(f"{what} spans several lines, which GIFT cannot hold")
    return gift_escape(text)


def export_gift(bank: Bank) -> BankExport:
    sections, skipped = _export_each(bank, _gift_question)
    header = f"// {bank.id}: {gift_escape(bank.title)} (Hotline Academy)\n\n"
    return BankExport(header + "\n\n".join(sections) + ("\n" if sections else ""), skipped)


def _gift_question(question: Question) -> str:
    if images_of(question):
        raise NotExported("the question shows an image and GIFT carries no files: export to Moodle XML to keep it")
    stem, after = gift_escape(question.stem), ""
    if question.type == "fill":
        if question.case_sensitive:
            raise NotExported("GIFT short answers ignore letter case: export to Moodle XML to keep case: sensitive")
        before, after = BLANK.split(question.stem, maxsplit=1)
        stem, after = gift_escape(before.rstrip()), gift_escape(after.lstrip())
    block = _gift_block(question)
    tags = "".join(f"// [tag:{tag}]\n" for tag in question.tags if "]" not in tag)
    feedback = f"####{gift_escape(question.explanation)}"
    return f"{tags}::{gift_escape(question.id)}::[markdown]{stem}{{{block}{feedback}}}{after}"


def _weighted(marker: str, fraction: float, text: str) -> str:
    return f"{marker}%{moodle_percent(fraction)}%{text}"


def _gift_block(question: Question) -> str:
    if question.type == "truefalse":
        return "T" if question.correct == (0,) else "F"
    if question.type == "single":
        return " ".join(f"={_one_line(text, 'an option')}" if index in question.correct
                        else _weighted("~", fraction, _one_line(text, "an option")) if fraction
                        else f"~{_one_line(text, 'an option')}"
                        for index, (text, fraction) in enumerate(zip(question.options, option_fractions(question))))
    if question.type == "multiple":
        return " ".join(_weighted("~", fraction, _one_line(text, "an option"))
                        for text, fraction in zip(question.options, option_fractions(question)))
    if question.type == "fill":
        return " ".join(_weighted("=", fraction, _one_line(text, "an accepted answer"))
                        for text, fraction in zip(question.accepted, accepted_fractions(question)))
    if question.type == "numerical":
        if question.units:
            raise NotExported("GIFT numerical questions take no units: export to Moodle XML to keep units")
        answers = []
        for index, fraction in enumerate(accepted_fractions(question)):
            value, tolerance = numerical_answer(question, index)
            answers.append(_weighted("=", fraction, value if value == "*" or tolerance == "0" else f"{value}:{tolerance}"))
        return "#" + " ".join(answers)
    if question.type == "matching":
        return " ".join(f"={_matching_item(left)} -> {_matching_item(right)}" for left, right in
                        zip(question.options, question.matches)) + "".join(
            f" = -> {_matching_item(right)}" for right in question.distractors)
    raise NotExported(f"the {question.type} type has no GIFT counterpart")


def _matching_item(text: str) -> str:
    if "->" in text:
        raise NotExported("a matching item containing '->' cannot be written in GIFT")
    return _one_line(text, "a matching item")


# --- Moodle XML -----------------------------------------------------------------------------------

def export_moodle_xml(bank: Bank, images: Mapping[str, bytes]) -> BankExport:
    """``images``: the bytes of the question images the bank shows (``images/<hash>.png`` -> bytes)."""
    quiz = ET.Element("quiz")  # no category: Moodle imports into the one chosen, and ours would become a tag
    elements, skipped = _export_each(bank, lambda question: _embed_images(_xml_question(question), images))
    quiz.extend(elements)
    ET.indent(quiz)
    return BankExport('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n", skipped)


def _text(parent: ET.Element, text: str) -> ET.Element:
    ET.SubElement(parent, "text").text = text
    return parent


def _markdown(parent: ET.Element, tag: str, text: str, **attributes) -> ET.Element:
    return _text(ET.SubElement(parent, tag, format="markdown", **attributes), text)


XML_TYPES = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
             "fill": "shortanswer", "numerical": "numerical", "matching": "matching"}


def _xml_question(question: Question) -> ET.Element:
    if question.type not in XML_TYPES:
        raise NotExported(f"the {question.type} type has no Moodle XML counterpart")
    element = ET.Element("question", type=XML_TYPES[question.type])
    _text(ET.SubElement(element, "name"), question.id)
    _markdown(element, "questiontext", question.stem)
    _markdown(element, "generalfeedback", question.explanation)
    ET.SubElement(element, "defaultgrade").text = "1"
    {"single": _xml_choice, "multiple": _xml_choice, "truefalse": _xml_truefalse, "fill": _xml_fill,
     "numerical": _xml_numerical, "matching": _xml_matching}[question.type](element, question)
    if question.tags:
        tags = ET.SubElement(element, "tags")
        for tag in question.tags:
            _text(ET.SubElement(tags, "tag"), tag)
    return element


def _embed_images(question: ET.Element, images: Mapping[str, bytes]) -> ET.Element:
    """Each image a Markdown text shows as a base64 ``<file>`` of that text, linked the way Moodle links it."""
    for holder in question.iter():
        text = holder.find("text")
        if holder.get("format") != "markdown" or text is None or not text.text:
            continue
        for name in shown_images([text.text]):
            if name not in images:
                raise NotExported(f"the image {name} is not stored here")
            file_name = name.removeprefix("images/")
            text.text = text.text.replace(f"]({name})", f"]({PLUGINFILE}{file_name})")
            ET.SubElement(holder, "file", name=file_name, path="/", encoding="base64").text = (
                base64.b64encode(images[name]).decode("ascii"))
    return question


def _answer(element: ET.Element, fraction: float, text: str, markdown: bool = True) -> ET.Element:
    answer = ET.SubElement(element, "answer", fraction=moodle_percent(fraction), format="markdown" if markdown else "plain_text")
    _text(answer, text)
    return answer


def _xml_choice(element, question):
    ET.SubElement(element, "single").text = "true" if question.type == "single" else "false"
    ET.SubElement(element, "shuffleanswers").text = "1"
    ET.SubElement(element, "answernumbering").text = "abc"
    for text, fraction in zip(question.options, option_fractions(question)):
        _answer(element, fraction, text)


def _xml_truefalse(element, question):
    _answer(element, 1.0 if question.correct == (0,) else 0.0, "true", markdown=False)
    _answer(element, 1.0 if question.correct == (1,) else 0.0, "false", markdown=False)


def _xml_fill(element, question):
    ET.SubElement(element, "usecase").text = "1" if question.case_sensitive else "0"
    for text, fraction in zip(question.accepted, accepted_fractions(question)):
        _answer(element, fraction, text, markdown=False)


def _xml_numerical(element, question):
    for index, fraction in enumerate(accepted_fractions(question)):
        value, tolerance = numerical_answer(question, index)
        ET.SubElement(_answer(element, fraction, value, markdown=False), "tolerance").text = tolerance
    if question.units:
        units = ET.SubElement(element, "units")
        for name in question.units:
            unit = ET.SubElement(units, "unit")
            ET.SubElement(unit, "multiplier").text = "1"
            ET.SubElement(unit, "unit_name").text = name
    # units optional (no penalty), typed in the answer box: what our numerical questions do
    ET.SubElement(element, "unitgradingtype").text = "0"
    ET.SubElement(element, "showunits").text = "0" if question.units else "3"
    ET.SubElement(element, "unitsleft").text = "0"


def _xml_matching(element, question):
    ET.SubElement(element, "shuffleanswers").text = "true"
    for left, right in zip(question.options, question.matches):
        _text(ET.SubElement(_markdown(element, "subquestion", left), "answer"), right)
    for right in question.distractors:
        _text(ET.SubElement(_markdown(element, "subquestion", ""), "answer"), right)
