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


# --- the constructs of Moodle's own Moodle XML tests (tests/quizzes/data/moodle-xml-cases.xml) ----

XML_CASES = convert_moodle_xml((Path(__file__).parent / "data" / "moodle-xml-cases.xml").read_text(encoding="utf-8"), "cases.xml")
CASE = {item.title: item for item in XML_CASES.items}


def case(title):
    item = CASE[title]
    assert item.status != NOT_CONVERTED, item.messages
    (question,) = as_bank([item.question]).questions
    return question


def test_every_moodle_xml_case_is_listed_at_its_line_with_why_and_none_raises():
    outcome = {title: (item.line, item.status) for title, item in CASE.items()}
    assert outcome == {
        "说明": (11, NOT_CONVERTED), "论述": (19, NOT_CONVERTED), "渠道配对": (28, CHANGED), "两个都对": (45, NOT_CONVERTED),
        "工单时限": (62, CONVERTED), "补全流程": (71, CHANGED), "致歉在先": (81, CONVERTED), "完形填空": (90, NOT_CONVERTED),
        "附件链接": (97, NOT_CONVERTED), "录音": (105, NOT_CONVERTED), "绿色接听键": (114, CHANGED), "旧版图片": (127, CHANGED),
        "分数不对 <strong>x > 1 & x < 2</strong>": (147, NOT_CONVERTED), "质数": (158, CHANGED), "升级": (175, CHANGED),
    }
    reasons = {title: item.messages[0] for title, item in CASE.items() if item.status == NOT_CONVERTED}
    assert reasons["说明"] == "a description is not a question" and "human grader" in reasons["论述"]
    assert reasons["完形填空"] == "embedded answers (Cloze) hold several questions in one text"
    assert reasons["两个都对"] == "the positive fractions add up to 200 %, not 100 %"
    assert reasons["分数不对 <strong>x > 1 & x < 2</strong>"] == "the positive fractions add up to 99.67 %, not 100 %"
    assert reasons["附件链接"].startswith("the text links to myfolder/rules.txt, a file embedded in the question")
    assert reasons["录音"].startswith("the text links to greeting.mp3")


def test_xml_case_categories_become_tags_beside_the_questions_own():
    assert case("渠道配对").tags == ("投诉处理", "渠道", "配对题") and case("升级").tags == ("升级",)


def test_xml_case_matching_with_a_distractor_hints_and_combined_feedback_said_as_changes():
    question = case("渠道配对")
    assert question.options == ("办理过户", "报宽带障碍", "查电子账单") and question.matches == ("营业厅", "10000号", "网上营业厅")
    assert question.distractors == ("信函",) and grade(question, [0, 1, 2]) == 1.0
    assert [message.split(" (")[0].split(":")[0] for message in CASE["渠道配对"].messages] == [
        "hints", "the feedback for a right, partly right or wrong response is not kept"]
    assert CASE["工单时限"].messages == []  # Moodle's default combined feedback is not worth a note


def test_xml_case_numerical_tolerance_and_wrong_answers_for_feedback():
    question = case("工单时限")
    assert question.accepted == ("24",) and question.tolerances == pytest.approx((0.001,))
    assert [grade(question, typed) for typed in ("24", "24.0009", "24.01", "48")] == [1.0, 1.0, 0.0, 0.0]
    assert question.explanation == "规定是 24 小时内。\n\n24：正确！\n\n48：太晚了。"


def test_xml_case_short_answer_keeps_its_own_blank_and_leaves_the_wildcard_feedback_out():
    question = case("补全流程")
    assert question.stem == "补全流程：倾听、________、处理。" and question.accepted == ("致歉",)
    assert not question.case_sensitive and grade(question, "致歉") == 1.0 and "再想想" not in question.explanation


def test_xml_case_true_false_with_feedback_per_response():
    question = case("致歉在先")
    assert question.correct == (0,) and question.explanation == "先致歉能缓和情绪。\n\n对！\n\n不对。"


def test_xml_case_images_in_text_general_feedback_and_answer_feedback_and_a_link():
    question = case("绿色接听键")
    names = re.findall(r"images/[0-9a-f]{16}\.(?:png|gif)", question.stem + question.explanation)
    assert len(names) == 3 and set(names) <= set(XML_CASES.images)
    assert question.stem.startswith("话机 ![绿色按键](images/") and question.stem.endswith(") 上的绿色键用来接听。")
    assert "详见[话机说明](https://example.cn/phone)。" in question.explanation and "答错了。" in question.explanation
    old = case("旧版图片")
    (appended,) = re.findall(r"!\[\]\((images/[0-9a-f]{16}\.png)\)$", old.stem)
    assert len(XML_CASES.images) == 4 and XML_CASES.images[appended].startswith(b"\x89PNG")


def test_xml_case_html_and_whitespace_in_answers_and_negative_fractions():
    assert case("旧版图片").options == ("挂机键", "功能键")
    question = case("质数")
    assert question.options == ("1", "2", "3", "4", "5") and question.correct == (1, 2, 4)
    assert [grade(question, picks) for picks in ([1, 2, 4], [1, 2], [0, 1], [0, 3])] == pytest.approx([1, 2 / 3, 0, 0], abs=1e-4)
