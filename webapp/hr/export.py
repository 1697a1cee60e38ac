"""Streaming writers for the certification roster export: CSV, JSON and XLSX.

An export is (headers, rows): ``headers`` is what the first line says for each of ``COLUMNS``
(the column names themselves by default, or localized labels), rows are dicts keyed by
``COLUMNS``. Each writer consumes the rows from an iterator and never holds more than a small
batch: CSV and JSON yield text chunks (a web response streams them, the CLI writes them to a
file); XLSX is written row by row by XlsxWriter in constant-memory mode into a file.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

COLUMNS = (
    "employee_no", "name", "department", "post", "status", "certificate_no", "issued_at",
    "valid_until", "last_exam_score", "roleplay_average", "verify_url", "revocation_reason",
)
FORMATS = ("csv", "xlsx", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BYTE_ORDER_MARK = "\ufeff"  # lets Excel open UTF-8 CSV with the Chinese intact
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
ROWS_PER_CHUNK = 2000
XLSX_MAX_ROWS = 1_048_576  # per sheet, header included


def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return value.isoformat()


def guard_formula(text: str) -> str:
    """Spreadsheet formula-injection guard: a cell starting like a formula is shown as text."""
    return "'" + text if text[:1] in FORMULA_TRIGGERS else text


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return _iso(value)
    return str(value)


def _values(rows: Iterable[Mapping]) -> Iterator[tuple]:
    """Each row's values in ``COLUMNS`` order (a missing key is None)."""
    pick = operator.itemgetter(*COLUMNS)
    for row in rows:
        try:
            yield pick(row)
        except KeyError:
            yield tuple(row.get(column) for column in COLUMNS)


def batched(values: Iterable, size: int) -> Iterator[list]:
    iterator = iter(values)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def csv_chunks(rows: Iterable[Mapping], headers: Sequence[str] = COLUMNS) -> Iterator[str]:
    """``csv_table_chunks`` of rows given as dicts keyed by ``COLUMNS``, text cells formula-guarded
    here (inlined: with a million rows, a function call per cell is most of the time)."""
    triggers = FORMULA_TRIGGERS
    guarded = ([("'" + value if value[:1] in triggers else value) if type(value) is str else value for value in row]
               for row in _values(rows))
    return csv_table_chunks(batched(guarded, ROWS_PER_CHUNK), headers)


def csv_table_chunks(batches: Iterable[Sequence[Sequence]], headers: Sequence[str] = COLUMNS) -> Iterator[str]:
    """UTF-8 CSV text for Excel from batches of value tuples in ``COLUMNS`` order whose text is
    already formula-guarded (``guard_formula``): byte-order mark, header, then one chunk per batch
    from one writer over one buffer. Dates, numbers and None (empty) are left to the csv module
    (``str`` of a date is ISO)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BYTE_ORDER_MARK)
    writer.writerow(headers)
    for batch in batches:
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows: Iterable[Mapping], headers: Sequence[str] = COLUMNS) -> Iterator[str]:
    """A JSON array of objects (keys: ``headers``), streamed one batch of rows at a time."""
    encode = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode  # one encoder, not one per row
    batch: list[str] = []
    separator = "[\n"
    for values in _values(rows):
        batch.append(separator + encode(dict(zip(headers, values))))
        separator = ",\n"
        if len(batch) == ROWS_PER_CHUNK:
            yield "".join(batch)
            batch.clear()
    yield "".join(batch) + ("\n]\n" if separator == ",\n" else "[]\n")


def write_text(chunks: Iterable[str], path: Path | str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as output:
        for chunk in chunks:
            output.write(chunk)


def write_xlsx(rows: Iterable[Mapping], path: Path | str, headers: Sequence[str] = COLUMNS) -> int:
    """Write the rows into an XLSX file (a new sheet every 1,048,575 rows); returns the row count."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "use_zip64": True})
    try:
        header = workbook.add_format({"bold": True})
        sheet, sheet_row, count = None, XLSX_MAX_ROWS, 0
        for row in rows:
            if sheet_row == XLSX_MAX_ROWS:
                sheet = workbook.add_worksheet()
                sheet.write_row(0, 0, headers, header)
                sheet.freeze_panes(1, 0)
                sheet_row = 1
            for column_number, column in enumerate(COLUMNS):
                value = row.get(column)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(sheet_row, column_number, value)
                elif value is not None and value != "":  # a string cell: never a formula
                    text = _iso(value) if isinstance(value, (date, datetime)) else str(value)
                    sheet.write_string(sheet_row, column_number, text)
            sheet_row += 1
            count += 1
        if sheet is None:
            workbook.add_worksheet().write_row(0, 0, headers, header)
    finally:
        workbook.close()
    return count


def write_export(rows: Iterable[Mapping], export_format: str, path: Path | str,
                 headers: Sequence[str] = COLUMNS) -> None:
    """Write rows in one of ``FORMATS`` to a file (the CLI and the XLSX download use this)."""
    if export_format == "xlsx":
        write_xlsx(rows, path, headers)
    elif export_format == "csv":
        write_text(csv_chunks(rows, headers), path)
    elif export_format == "json":
        write_text(json_chunks(rows, headers), path)
    else:
        raise ValueError(f"unknown export format {export_format!r}; use one of {', '.join(FORMATS)}")
