"""Moodle XML (the format Moodle exports question banks in) → our question banks. Pure.

Read with the standard library's expat parser; a document type declaration is refused before
parsing, so no entity can expand. Every ``<question>`` is listed with its line:

| Moodle | ours |
|---|---|
| ``category`` | not a question: its last path segment tags the questions after it |
| ``multichoice`` single / multiple, with fractions | ``single`` (weighted) / ``multiple`` (weighted) |
| ``truefalse`` | ``truefalse`` |
| ``shortanswer`` (``usecase``, ``*`` wildcards, fractions) | ``fill`` (``case: sensitive``), blank appended |
| ``numerical`` (tolerances, fractions, units with multiplier 1) | ``numerical`` |
| ``matching`` (a subquestion without text: an extra right item) | ``matching`` |
| ``gapselect`` / ``ddwtos`` with one gap | ``single`` with ``____`` in the stem (several gaps: not converted) |
| ``<tags>`` | tags |
| ``<file encoding="base64">`` shown as ``@@PLUGINFILE@@/x.png`` | ``![alt](images/<hash>.png)``, stored as a question image |
| ``essay``, ``description``, ``calculated*``, ``multianswer``, … | not converted, with the reason |

An image that is not a PNG, JPEG, GIF or WebP (by its bytes), larger than 2 MB, or not embedded in
the file leaves its question not converted, with the reason.
"""
from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET

from .imports import Conversion, Imported, ImportedQuestion, NotConverted, Notes, html_to_markdown, imported, title_of
from .imports import NOT_CONVERTED, PLUGINFILE, embedded_image, escape_markdown, markdown_images
from .questions import WEIGHT_SUM_SLACK

#: A gap ``[[1]]`` as the text shows it (converted from HTML: with its brackets escaped).
GAP = re.compile(r"\\?\[\\?\[(\d+)\\?\]\\?\]")
#: Why a Moodle type is not converted.
UNCONVERTED_TYPES = {
    "essay": "an essay question needs a human grader",
    "description": "a description is not a question",
    "calculated": "calculated questions draw numbers per attempt, which bank questions cannot",
    "calculatedsimple": "calculated questions draw numbers per attempt, which bank questions cannot",
    "calculatedmulti": "calculated questions draw numbers per attempt, which bank questions cannot",
    "multianswer": "embedded answers (Cloze) hold several questions in one text",
    "randomsamatch": "random short-answer matching draws other questions at random",
    "ddimageortext": "drag and drop onto an image needs the image",
    "ddmarker": "drag markers onto an image needs the image",
}
UNCONVERTED_TYPES["cloze"] = UNCONVERTED_TYPES["multianswer"]  # the name Moodle's own export still writes


def _question_lines(text: str) -> list[int]:
    """The line of each ``<question`` start tag, in document order (comments and CDATA blanked)."""
    def blank(match: re.Match) -> str:
        return "\n" * match.group(0).count("\n")

    visible = re.sub(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", blank, text, flags=re.DOTALL)
    return [visible.count("\n", 0, match.start()) + 1 for match in re.finditer(r"<question\b", visible)]


def convert_moodle_xml(text: str, path: str = "<xml>") -> Conversion:
    """Convert a Moodle XML file; an unreadable document is one item, not converted, with why."""
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        return Conversion(path, [Imported(1, path, NOT_CONVERTED, ["a document type declaration is not allowed"])])
    try:
        root = ET.fromstring(text.removeprefix("\ufeff"))
    except ET.ParseError as error:
        return Conversion(path, [Imported(error.position[0], path, NOT_CONVERTED, [f"not well-formed XML: {error}"])])
    if root.tag != "quiz":
        return Conversion(path, [Imported(1, path, NOT_CONVERTED, ["not a Moodle XML file (no <quiz> root element)"])])
    items, category = [], ()
    for element, line in zip(root.iter("question"), _question_lines(text.removeprefix("\ufeff"))):
        kind = element.get("type", "")
        if kind == "category":
            segments = [s.strip() for s in _text(element.find("category")).split("/") if s.strip()]
            category = (segments[-1],) if segments and segments[-1] not in ("top", "$course$", "$system$") else ()
            continue
        name = _text(element.find("name")) or title_of(_text(element.find("questiontext")))

        def convert(notes: Notes, element=element, kind=kind, tags=category) -> ImportedQuestion:
            question = _convert(element, kind, notes)
            own = [_text(tag) for tag in element.findall("tags/tag")]
            question.tags = tuple(dict.fromkeys(t for t in tags + tuple(own) if t))
            return question

        items.append(imported(line, name, convert))
    return Conversion(path, items)


def _text(element: ET.Element | None) -> str:
    """The ``<text>`` of an element (or the element's own text when it is a ``<text>``)."""
    if element is None:
        return ""
    inner = element.find("text")
    return ((inner.text if inner is not None else element.text) or "").strip()


def _markdown(element: ET.Element | None, notes: Notes) -> str:
    """A text element as Markdown: HTML (Moodle's usual format, also its auto-format) converted,
    plain text escaped, Markdown as written; the images it shows from its own ``<file>`` elements
    become question images."""
    if element is None:
        return ""
    files, text_format = _files(element), element.get("format", "html")
    if text_format == "plain_text":
        return escape_markdown(_text(element))
    if text_format == "markdown":
        return markdown_images(_text(element), files, notes)
    return html_to_markdown(_text(element), notes, files)


def _files(element: ET.Element) -> dict[str, bytes]:
    """The files embedded beside a text, by the path its ``@@PLUGINFILE@@/`` links use."""
    files = {}
    for file in element.findall("file"):
        name = f"{(file.get('path') or '/').strip('/')}/{file.get('name') or ''}".lstrip("/")
        if file.get("encoding", "base64") != "base64":
            raise NotConverted(f"embedded file {name} is not base64-encoded")
        try:
            files[name] = base64.b64decode("".join((file.text or "").split()), validate=True)
        except binascii.Error:
            raise NotConverted(f"embedded file {name} is not valid base64") from None
    return files


def _fraction(answer: ET.Element) -> float:
    try:
        return float(answer.get("fraction", "0")) / 100
    except ValueError:
        raise NotConverted(f"answer fraction {answer.get('fraction')!r} is not a number") from None


def _convert(element: ET.Element, kind: str, notes: Notes) -> ImportedQuestion:
    if kind in UNCONVERTED_TYPES:
        raise NotConverted(UNCONVERTED_TYPES[kind])
    convert = _CONVERTERS.get(kind)
    if convert is None:
        raise NotConverted(f"the Moodle question type {kind!r} has no counterpart here")
    stem = _markdown(element.find("questiontext"), notes) + _old_image(element, notes)
    _note_left_out(element, notes)
    question = convert(element, stem, notes)
    general = _markdown(element.find("generalfeedback"), notes)
    answer_feedback = [(_markdown(answer, notes), _markdown(answer.find("feedback"), notes))
                       for answer in element.findall("answer") if _text(answer) != "*"]
    question.explanation = "\n\n".join([general] * bool(general) + [
        f"{said}" if kind == "truefalse" else f"{answer}：{said}" for answer, said in answer_feedback if said])
    return question


def _old_image(element: ET.Element, notes: Notes) -> str:
    """Moodle 1.9's ``<image>`` + ``<image_base64>`` beside the text, shown after it as Moodle does."""
    name = (element.findtext("image") or "").strip()
    if not name:
        return ""
    try:
        data = base64.b64decode("".join((element.findtext("image_base64") or "").split()), validate=True)
    except binascii.Error:
        raise NotConverted(f"the image {name} is not valid base64") from None
    notes.change("the image of Moodle 1.9's image field is shown after the question text, as Moodle shows it")
    return "\n\n" + embedded_image(PLUGINFILE + name, "", {name: data} if data else {}, notes)


#: What Moodle writes when the author left a combined feedback as it was: nothing lost when dropped.
DEFAULT_COMBINED_FEEDBACK = {"", "Your answer is correct.", "Your answer is partially correct.", "Your answer is incorrect."}


def _note_left_out(element: ET.Element, notes: Notes) -> None:
    """Parts a bank question has no place for, said as changes (never dropped silently)."""
    if any(_text(hint) for hint in element.findall("hint")):
        notes.change("hints (shown between tries in Moodle's interactive mode) are not kept: a quiz here gives one try")
    combined = (re.sub(r"<[^>]*>", "", _text(element.find(tag))).strip()
                for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"))
    if any(text not in DEFAULT_COMBINED_FEEDBACK for text in combined):
        notes.change("the feedback for a right, partly right or wrong response is not kept: review shows the explanation")


def _multichoice(element, stem, notes):
    answers = element.findall("answer")
    options = [(_markdown(answer, notes), _fraction(answer)) for answer in answers]
    if (element.findtext("single") or "true").strip().lower() in ("true", "1"):
        full = [index for index, (_text_, fraction) in enumerate(options) if fraction >= 1]
        if len(full) != 1:
            raise NotConverted("a single-answer question needs exactly one answer at 100 %")
        if any(fraction < 0 for _t, fraction in options):
            notes.change("a negative mark for a wrong option became 0 (a single question's mark is never below 0)")
        return ImportedQuestion("single", stem, options=[
            (text, index in full, None if index in full else max(0.0, fraction)) for index, (text, fraction) in enumerate(options)])
    total = sum(fraction for _t, fraction in options if fraction > 0)
    if abs(total - 1) > WEIGHT_SUM_SLACK:
        raise NotConverted(f"the positive fractions add up to {round(total * 100, 2):g} %, not 100 %")
    if all(fraction > 0 for _t, fraction in options):
        raise NotConverted("a multiple-answer question with no wrong option cannot be written")
    return ImportedQuestion("multiple", stem, options=[(text, fraction > 0, fraction) for text, fraction in options])


def _truefalse(element, stem, notes):
    right = [_text(answer).lower() for answer in element.findall("answer") if _fraction(answer) >= 1]
    if len(right) != 1 or right[0] not in ("true", "false"):
        raise NotConverted("a true/false question needs one of true or false at 100 %")
    return ImportedQuestion("truefalse", stem, truth=right[0] == "true")


def _accepted(element: ET.Element, written) -> list[tuple[str, float]]:
    """(answer, fraction) of the answers earning something; wrong answers listed for feedback are left out."""
    accepted = [(written(answer), _fraction(answer)) for answer in element.findall("answer") if _fraction(answer) > 0]
    if not any(fraction >= 1 for _a, fraction in accepted):
        raise NotConverted("no answer earns full marks")
    return accepted


def _shortanswer(element, stem, notes):
    question = ImportedQuestion("fill", stem if "____" in stem else stem + "____",
                                answers=_accepted(element, _text), case_sensitive=element.findtext("usecase", "0").strip() == "1")
    if "____" not in stem:
        notes.change("a blank ____ was added after the question text for the answer")
    return question


def _numerical(element, stem, notes):
    units = element.findall("units/unit")
    if any(float(unit.findtext("multiplier", "1") or 1) != 1 for unit in units):
        raise NotConverted("units with a multiplier other than 1 cannot be expressed")
    if element.findtext("unitgradingtype", "0").strip() not in ("0", ""):
        raise NotConverted("marks taken off for a missing or wrong unit cannot be expressed")

    def written(answer: ET.Element) -> str:
        value = _text(answer)
        tolerance = (answer.findtext("tolerance") or "0").strip()
        return value if value == "*" or float(tolerance or 0) == 0 else f"{value}:{tolerance}"

    unit_names = tuple(name for unit in units if (name := (unit.findtext("unit_name") or "").strip()))
    return ImportedQuestion("numerical", stem, answers=_accepted(element, written), units=unit_names)


def _matching(element, stem, notes):
    pairs, distractors = [], []
    for sub in element.findall("subquestion"):
        left, right = _markdown(sub, notes), _text(sub.find("answer"))
        if "=>" in left or "=>" in right:
            raise NotConverted("a matching item containing '=>' cannot be written in our format")
        (pairs.append((left, right)) if left else distractors.append(right))
    if len(pairs) < 2:
        raise NotConverted("a matching question needs two or more pairs")
    return ImportedQuestion("matching", stem, pairs=pairs, distractors=distractors)


def _one_gap(element, stem, notes, choice_tag: str):
    """gapselect / ddwtos with a single gap: a single-choice question among the gap's group."""
    gaps = GAP.findall(stem)
    if len(gaps) != 1:
        raise NotConverted(f"{len(gaps)} gaps: only a question with one gap can be a single-choice question")
    choices = [(_text(choice), (choice.findtext("group") or "1").strip()) for choice in element.findall(choice_tag)]
    right = int(gaps[0]) - 1
    if not 0 <= right < len(choices):
        raise NotConverted(f"the gap [[{gaps[0]}]] names no choice")
    group = choices[right][1]
    options = [(text, index == right, None) for index, (text, in_group) in enumerate(choices) if in_group == group]
    return ImportedQuestion("single", GAP.sub("____", stem), options=options)


_CONVERTERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "gapselect": lambda element, stem, notes: _one_gap(element, stem, notes, "selectoption"),
    "ddwtos": lambda element, stem, notes: _one_gap(element, stem, notes, "dragbox"),
}
