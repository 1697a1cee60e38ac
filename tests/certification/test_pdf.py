"""The certificate PDF: Chinese text extractable (embedded font), QR code present (no app)."""
import io
from datetime import date

import pytest
from pypdf import PdfReader

from webapp.certification import pdf
from webapp.certification.pdf import CertificateContent, render_certificate

CONTENT = CertificateContent(
    holder_name="张小明", employee_no="A1001", post_title_zh="10000号客服代表",
    post_title_en="10000 hotline agent", certificate_no="HA-2025-000042", code="q5Wd0c1m-Qh_3xYz",
    issued_on=date(2025, 1, 31), valid_until=date(2027, 1, 31),
    verify_url="https://academy.example.cn/verify/q5Wd0c1m-Qh_3xYz",
)


def test_pdf_contains_the_certificate_text_in_chinese():
    data = render_certificate(CONTENT)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("岗位资格证书", "张小明", "A1001", "10000号客服代表", "10000 hotline agent", "HA-2025-000042",
                     "2025年1月31日", "2027年1月31日", "q5Wd0c1m-Qh_3xYz", CONTENT.verify_url):
        assert expected in text


def test_the_font_is_embedded_and_the_qr_code_is_drawn():
    reader = PdfReader(io.BytesIO(render_certificate(CONTENT)))
    page = reader.pages[0]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    descendant = fonts[0]["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not a reference to a system font
    drawing = page.get_contents().get_data().decode("latin-1")
    assert drawing.count(" l\n") + drawing.count(" l ") > 100  # the QR code: segno's SVG drawn as vector paths
    assert page["/Annots"][0].get_object()["/A"]["/URI"] == CONTENT.verify_url


def test_the_font_is_found_through_fontconfig_when_not_at_the_debian_path(monkeypatch):
    monkeypatch.setattr(pdf, "CJK_FONT_PATH", "/nonexistent/font.ttc")
    pdf.find_cjk_font.cache_clear()
    try:
        found = pdf.find_cjk_font()
    finally:
        pdf.find_cjk_font.cache_clear()
    assert found.endswith(pdf.EMBEDDABLE_FONT_SUFFIXES) and found != "/nonexistent/font.ttc"
    assert render_certificate(CONTENT, found).startswith(b"%PDF-")


def test_no_font_at_all_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(pdf, "CJK_FONT_PATH", "/nonexistent/font.ttc")
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    pdf.find_cjk_font.cache_clear()
    try:
        with pytest.raises(pdf.NoCJKFont, match="fonts-wqy-zenhei"):
            render_certificate(CONTENT)
    finally:
        pdf.find_cjk_font.cache_clear()
