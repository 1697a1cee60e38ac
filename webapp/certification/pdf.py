"""The certificate PDF: one landscape A4 page, Chinese text embedded (WenQuanYi Zen Hei subset),
and a QR code that opens the public verification page. Pure: values in, bytes out.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import segno
from fpdf import FPDF

CJK_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
#: Font files fpdf2 can embed (TrueType outlines, collections included).
EMBEDDABLE_FONT_SUFFIXES = (".ttc", ".ttf", ".otf")
ISSUER = "热线学院 Hotline Academy"
INK = (33, 37, 41)
ACCENT = (0, 82, 155)  # China Telecom blue
MUTED = (108, 117, 125)


@dataclass(frozen=True)
class CertificateContent:
    holder_name: str
    employee_no: str
    post_title_zh: str
    post_title_en: str
    certificate_no: str
    code: str
    issued_on: date
    valid_until: date
    verify_url: str


class NoCJKFont(RuntimeError):
    """No font that draws Chinese is installed (Debian: apt-get install fonts-wqy-zenhei)."""


@cache
def find_cjk_font() -> str:
    """WenQuanYi Zen Hei where Debian installs it, else fontconfig's pick for Simplified Chinese.

    fc-match always answers with some font: only one that really covers Chinese is taken."""
    if Path(CJK_FONT_PATH).is_file():
        return CJK_FONT_PATH
    if fc_match := shutil.which("fc-match"):
        found = subprocess.run([fc_match, "-f", "%{file}\n%{lang}", ":lang=zh-cn"],
                               capture_output=True, text=True, check=False).stdout.split("\n")
        if len(found) == 2 and found[0].lower().endswith(EMBEDDABLE_FONT_SUFFIXES) and "zh-cn" in found[1].split("|"):
            return found[0]
    raise NoCJKFont("no Chinese font found: install fonts-wqy-zenhei (or any font fontconfig offers for zh-cn)")


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _qr_svg(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", border=2, xmldecl=False, omitsize=True)
    buffer.seek(0)
    return buffer


def render_certificate(content: CertificateContent, font_path: str | None = None) -> bytes:
    """Raises NoCJKFont when no font is given and none is installed."""
    font_path = font_path or find_cjk_font()
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(f"{content.post_title_zh} {content.certificate_no}")
    pdf.set_author(ISSUER)
    pdf.set_creator(ISSUER)
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", "", font_path, collection_font_number=0)
    pdf.add_page()
    width, height = pdf.w, pdf.h

    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_line_width(0.3)
    pdf.rect(12, 12, width - 24, height - 24)

    def line(text: str, size: float, y: float, color=INK) -> None:
        pdf.set_font("cjk", size=size)
        pdf.set_text_color(*color)
        pdf.set_xy(20, y)
        pdf.cell(width - 40, size * 0.5, text, align="C")

    line("岗位资格证书", 30, 26, ACCENT)
    line("Certificate of Post Qualification", 13, 44, MUTED)
    line(f"兹证明 {content.holder_name}（工号 {content.employee_no}）", 18, 62)
    line("已完成规定的培训、测验与情景演练考核，具备以下岗位资格：", 13, 76)
    line(content.post_title_zh, 26, 90, ACCENT)
    line(content.post_title_en, 13, 105, MUTED)

    rows = (
        ("证书编号 Certificate no.", content.certificate_no),
        ("发证日期 Issued", f"{_chinese_date(content.issued_on)}  {content.issued_on.isoformat()}"),
        ("有效期至 Valid until", f"{_chinese_date(content.valid_until)}  {content.valid_until.isoformat()}"),
        ("验证码 Verification code", content.code),
    )
    pdf.set_font("cjk", size=11)
    y = 128
    for label, value in rows:
        pdf.set_text_color(*MUTED)
        pdf.set_xy(34, y)
        pdf.cell(62, 7, label)
        pdf.set_text_color(*INK)
        pdf.cell(120, 7, value)
        y += 9

    qr_size = 42
    qr_x, qr_y = width - 34 - qr_size, 122
    pdf.image(_qr_svg(content.verify_url), x=qr_x, y=qr_y, w=qr_size, h=qr_size)
    pdf.set_font("cjk", size=8)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(qr_x - 30, qr_y + qr_size + 1)
    pdf.cell(qr_size + 60, 4, "扫码验证 Scan to verify", align="C")
    pdf.set_xy(20, height - 22)
    pdf.cell(width - 40, 5, content.verify_url, align="C", link=content.verify_url)
    line(ISSUER, 10, height - 30, MUTED)
    return bytes(pdf.output())
