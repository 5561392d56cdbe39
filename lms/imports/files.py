"""Reading an uploaded table (CSV or XLSX) for an all-or-nothing import: the
rows of its first sheet as cell values, cell text and dates as HR types them,
and a problem naming its row and column. Used by the people import
(``lms.org.imports``) and the pairing import (``lms.mentoring.imports``)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook

from lms.xlsx_safety import unpacked_problem


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding)."""


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)d, column “%(column)s”: %(message)s", row=self.row, column=self.column,
                     message=self.message)
        return _("Row %(row)d: %(message)s", row=self.row, message=self.message)


def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK, as Excel in China saves)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX."))


def _read_csv(data: bytes) -> list[list[object]]:
    text = _decode_csv(data)
    # The header row has no separators inside its cells, so it tells which one the file uses.
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(data: bytes) -> list[list[object]]:
    too_large = unpacked_problem(data)  # a zip bomb is refused before openpyxl inflates it
    if too_large:
        raise ImportFileError(too_large)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> list[list[object]]:
    """The rows of the file's first table, as cell values."""
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")) or not name:
        return _read_csv(data)
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a 工号 typed as a number in Excel
    if isinstance(value, datetime):
        value = value.date()
    return str(value).strip()


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+0{1,2}:0{2}(?::0{2})?)?",
                         cell_text(value))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None

