"""The streaming export writers: read every format back (no app)."""
import csv
import io
import json
from datetime import date, datetime

import openpyxl
import pytest

from webapp.hr import export
from webapp.hr.export import COLUMNS, csv_chunks, json_chunks, write_export, write_xlsx

ROWS = [
    {"employee_no": "A1001", "name": "张小明", "department": "客服一部", "post": "10000号客服代表",
     "status": "certified", "certificate_no": "HA-2025-000001", "issued_at": datetime(2025, 1, 31, 9, 30),
     "valid_until": date(2027, 1, 31), "last_exam_score": 88.5, "roleplay_average": 81,
     "verify_url": "https://academy.example.cn/verify/abc", "revocation_reason": None},
    {"employee_no": "A1002", "name": "=HYPERLINK(\"http://evil\")", "department": "+客服二部", "post": "营业厅咨询员",
     "status": "revoked", "certificate_no": "HA-2025-000002", "issued_at": datetime(2025, 2, 1),
     "valid_until": date(2027, 2, 1), "last_exam_score": None, "roleplay_average": None,
     "verify_url": "", "revocation_reason": "@服务禁语；-投诉属实"},
]


def test_csv_has_a_bom_the_fixed_header_and_guards_formulas():
    data = "".join(csv_chunks(iter(ROWS))).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    assert rows[0]["name"] == "张小明"
    assert rows[0]["issued_at"] == "2025-01-31 09:30:00" and rows[0]["valid_until"] == "2027-01-31"
    assert rows[0]["last_exam_score"] == "88.5" and rows[0]["roleplay_average"] == "81"
    assert rows[0]["revocation_reason"] == ""
    assert rows[1]["name"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[1]["department"] == "'+客服二部"
    assert rows[1]["revocation_reason"] == "'@服务禁语；-投诉属实"


def test_json_is_one_array_of_objects():
    parsed = json.loads("".join(json_chunks(iter(ROWS))))
    assert [tuple(item) for item in parsed] == [COLUMNS, COLUMNS]
    assert parsed[0]["name"] == "张小明" and parsed[0]["last_exam_score"] == 88.5
    assert parsed[0]["valid_until"] == "2027-01-31" and parsed[1]["roleplay_average"] is None
    assert parsed[1]["name"] == "=HYPERLINK(\"http://evil\")"  # JSON is data, not a spreadsheet


def test_empty_exports_are_still_well_formed():
    assert json.loads("".join(json_chunks(iter([])))) == []
    assert "".join(csv_chunks(iter([]))) == "\ufeff" + ",".join(COLUMNS) + "\r\n"


def test_xlsx_opens_with_typed_cells_and_no_formulas(tmp_path):
    path = tmp_path / "roster.xlsx"
    assert write_xlsx(iter(ROWS), path) == 2
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.values)
    assert values[0] == COLUMNS
    assert values[1][:2] == ("A1001", "张小明")
    assert values[1][COLUMNS.index("last_exam_score")] == 88.5
    assert values[1][COLUMNS.index("issued_at")] == "2025-01-31 09:30:00"
    evil = sheet.cell(row=3, column=2)
    assert evil.value == "=HYPERLINK(\"http://evil\")" and evil.data_type == "s"  # text, never a formula


def test_chunks_stream_instead_of_materialising(monkeypatch):
    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 10)
    consumed = []

    def rows():
        for number in range(35):
            consumed.append(number)
            yield dict(ROWS[0], employee_no=f"E{number}")

    chunks = csv_chunks(rows())
    next(chunks)
    assert len(consumed) == 10  # the first chunk went out after 10 rows, not after all 35
    assert sum(chunk.count("\r\n") for chunk in chunks) == 25
    json_stream = json_chunks(rows())
    assert len(json.loads("".join(json_stream))) == 35


def test_xlsx_continues_on_a_new_sheet_when_one_is_full(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 3)
    path = tmp_path / "big.xlsx"
    write_xlsx((dict(ROWS[0], employee_no=f"E{n}") for n in range(5)), path)
    book = openpyxl.load_workbook(path)
    assert [sheet.max_row for sheet in book.worksheets] == [3, 3, 2]
    assert [row[0] for sheet in book.worksheets for row in sheet.iter_rows(min_row=2, values_only=True)] == \
        [f"E{n}" for n in range(5)]


@pytest.mark.parametrize("export_format", ["csv", "json", "xlsx"])
def test_write_export_to_a_file(tmp_path, export_format):
    path = tmp_path / f"roster.{export_format}"
    write_export(iter(ROWS), export_format, path)
    assert path.stat().st_size > 0


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_export(iter(ROWS), "pdf", tmp_path / "x")
