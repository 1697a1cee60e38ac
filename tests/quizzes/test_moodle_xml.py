"""Moodle XML and Aiken import (pure): every core type converts faithfully or is listed with why."""
import base64
import re
from pathlib import Path

import pytest

from webapp.content.imagefiles import MAX_IMAGE_BYTES
from webapp.quizzes.aiken import convert_aiken
from webapp.quizzes.bank import parse_bank
from webapp.quizzes.imports import CHANGED, CONVERTED, NOT_CONVERTED, bank_header, bank_sections
from webapp.quizzes.moodle_xml import convert_moodle_xml

EXPORT = (Path(__file__).parent / "data" / "moodle-export.xml").read_text(encoding="utf-8")


def as_bank(questions):
    text = bank_header("xml-demo", "导入", None) + bank_sections(questions, "xml-demo", 1, "a.b", 2)
    bank, problems = parse_bank("xml-demo.md", text, "xml-demo")
    assert [str(p) for p in problems] == []
    return bank


def grade(question, answer):
    return question.question_type.grade(question, answer)


def test_a_moodle_export_with_every_core_type():
    conversion = convert_moodle_xml(EXPORT, "m.xml")
    outcome = {item.title: (item.line, item.status) for item in conversion.items}
    assert outcome == {
        "开头语": (7, CHANGED), "转接": (17, CHANGED), "禁语": (25, CONVERTED), "热线号码": (31, CONVERTED),
        "型号": (39, CHANGED), "语速": (45, CONVERTED), "配对": (53, CHANGED), "选词": (60, CHANGED),
        "两空": (67, NOT_CONVERTED), "心得": (73, NOT_CONVERTED), "看图": (77, CONVERTED), "假图": (86, NOT_CONVERTED),
        "计算": (93, NOT_CONVERTED),
    }
    single, multiple, truefalse, fill, cased, numerical, matching, gap, pictured = as_bank(conversion.questions).questions
    assert single.stem == "接通后**第一句**应该说什么？" and single.tags == ("开头语", "开场")
    assert [grade(single, index) for index in (0, 1, 2)] == [1.0, 0.5, 0.0]
    assert single.explanation == "问候、单位、服务意愿。\n\n您好，中国电信10000号：标准。\n\n您好：缺少单位。"
    assert [grade(multiple, picks) for picks in ([0, 1], [0], [0, 2])] == [1.0, 0.5, 0.0]
    assert truefalse.type == "truefalse" and grade(truefalse, 1) == 1.0
    assert [grade(fill, typed) for typed in ("10000", "10001", "9")] == [1.0, 0.5, 0.0]
    assert "再想想" not in fill.explanation
    assert cased.case_sensitive and grade(cased, "iphone") == 0.0 and grade(cased, "iPhone") == 1.0
    assert [grade(numerical, typed) for typed in ("165字", "185", "200")] == [1.0, 0.5, 0.0]
    assert matching.distractors == ("请稍等",) and grade(matching, [0, 1]) == 1.0
    assert gap.stem == "资费争议应先查证后____。" and gap.options == ("退费", "补偿") and gap.correct == (0,)
    reasons = {item.title: item.messages[0] for item in conversion.items if item.status == NOT_CONVERTED}
    assert "human grader" in reasons["心得"] and "2 gaps" in reasons["两空"]
    assert reasons["假图"] == "image notes.png not converted: the file is not a PNG, JPEG, GIF or WebP image"
    (image,) = conversion.images
    assert pictured.stem == f"图中亮起的是哪个按键？![话机按键]({image})" and pictured.correct == (0,)
    assert re.fullmatch(r"images/[0-9a-f]{16}\.png", image) and conversion.images[image].startswith(b"\x89PNG")


def embedded(text_html: str, file_bytes: bytes, name: str = "a.png", fmt: str = "html") -> str:
    return (f'<quiz><question type="truefalse"><name><text>图</text></name><questiontext format="{fmt}">'
            f'<text><![CDATA[{text_html}]]></text><file name="{name}" path="/" encoding="base64">'
            f'{base64.b64encode(file_bytes).decode()}</file></questiontext>'
            '<generalfeedback><text>说明</text></generalfeedback>'
            '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
            '</question></quiz>')


@pytest.mark.parametrize(("text", "data", "reason"), [
    ('<img src="@@PLUGINFILE@@/a.png">', b"\x89PNG\r\n\x1a\n" + bytes(MAX_IMAGE_BYTES),
     "image a.png not converted: the image is larger than 2 MB"),
    ('<img src="@@PLUGINFILE@@/b.png">', b"\x89PNG\r\n\x1a\n", "image @@PLUGINFILE@@/b.png not converted: it is not a file embedded"),
    ('<img src="https://moodle.example.cn/x.png">', b"\x89PNG\r\n\x1a\n", "image https://moodle.example.cn/x.png not converted: it is not a file embedded"),
])
def test_an_image_that_cannot_be_kept_leaves_its_question_not_converted(text, data, reason):
    (item,) = convert_moodle_xml(embedded(text, data), "m.xml").items
    assert item.status == NOT_CONVERTED and item.messages[0].startswith(reason)


def test_images_in_markdown_text_webp_and_gif_are_kept():
    webp = b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(8)
    (item,) = convert_moodle_xml(embedded("看 ![图 \\[1\\]](@@PLUGINFILE@@/w.webp)", webp, "w.webp", "markdown"), "m.xml").items
    (name,) = item.question.images
    assert item.status == CONVERTED and name.endswith(".webp") and item.question.stem == f"看 ![图 \\[1\\]]({name})"
    (item,) = convert_moodle_xml(embedded('<img src="@@PLUGINFILE@@/g.gif">', b"GIF89a" + bytes(6), "g.gif"), "m.xml").items
    assert item.status == CONVERTED and next(iter(item.question.images)).endswith(".gif")


@pytest.mark.parametrize(("text", "reason"), [
    ("<quiz><question", "not well-formed XML"),
    ('<!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', "document type declaration"),
    ("<questions/>", "no <quiz> root element"),
])
def test_broken_files_are_one_clear_note_not_an_exception(text, reason):
    (item,) = convert_moodle_xml(text, "bad.xml").items
    assert item.status == NOT_CONVERTED and reason in item.messages[0]


def test_malformed_values_are_listed_not_raised():
    text = ('<quiz><question type="numerical"><questiontext><text>几？</text></questiontext>'
            '<answer fraction="abc"><text>1</text></answer></question></quiz>')
    (item,) = convert_moodle_xml(text, "m.xml").items
    assert item.status == NOT_CONVERTED and "fraction" in item.messages[0]


def test_aiken():
    text = "热线号码是？\nA. 10000\nB) 10086\nANSWER: A\n\n没有答案的题\nA. 甲\nB. 乙\n\n选项顺序错\nB. 甲\nA. 乙\nANSWER: A\n"
    conversion = convert_aiken(text, "a.txt")
    assert [(item.line, item.status) for item in conversion.items] == [(1, CHANGED), (6, NOT_CONVERTED), (10, NOT_CONVERTED)]
    (question,) = as_bank(conversion.questions).questions
    assert question.options == ("10000", "10086") and question.correct == (0,)
