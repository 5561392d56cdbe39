"""Reading an uploaded table (CSV or XLSX) for an all-or-nothing import: the
rows of each sheet as cell values, cell text and dates as HR types them or as
an HR system exports them, and a problem naming its row and column.
CSV: UTF-8 (with or without BOM), GBK/GB18030 (Excel's CSV on Chinese
Windows), UTF-16 (Excel's "Unicode text"); comma, semicolon or tab. Used by
the people import (``lms.org.imports``) and the pairing import
(``lms.mentoring.imports``).

What real spreadsheets hold, and how it is read:

- every sheet of a workbook, hidden ones marked (``Sheet.hidden``): the
  import takes the first visible sheet whose header it recognises
  (``lms.imports.table``), so a cover or instructions sheet may come first;
- a number shown with leading zeros by its cell format (``00123`` typed as a
  number in a column formatted ``00000``) is read as the text Excel shows;
- a formula is read by the result the file saved with it; a cell showing one
  of Excel's errors (``#N/A`` from a failed VLOOKUP) is an ``ExcelError`` and a
  formula saved without its result (a file a program wrote and nobody opened
  in Excel) an ``UnsavedFormula``, never a value;
- dates: a date cell, an Excel serial number (a date column saved with a
  Chinese date format that the reader does not know, or exported as a plain
  number; ``46082.375`` with its time of day), ``2026-03-05``, ``2026/3/5``, ``2026.3.5``, ``2026年3月5日``,
  ``20260305``, with a time (an HR system's ``2026-03-05 08:30:00``) or without;
- rows and columns Excel does not show (hidden by hand, filtered out, folded
  in a group) are marked (``Sheet.hiding``, read by ``lms.xlsx_hidden``): the
  import refuses them rather than import what nobody sees;
- an old Excel 97–2003 workbook (.xls) is refused, naming the format.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from xml.etree.ElementTree import ParseError

from flask_babel import gettext as _
from openpyxl import load_workbook

from lms.xlsx_hidden import Hidden, hidden_cells
from lms.xlsx_safety import unpacked_problem


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding); ``row``: the line it stopped at, if one."""

    def __init__(self, message: str, row: int = 1):
        super().__init__(message)
        self.row = row


class ExcelError(str):
    """A cell showing one of Excel's errors (``#N/A``, ``#REF!``, ``#VALUE!``…): a formula that failed."""


class UnsavedFormula(str):
    """A formula whose result the file does not hold (written by a program, never
    opened and saved in Excel or WPS): its value is unknown, not empty."""


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    hidden: bool = False  # the whole sheet (never read)
    hiding: Hidden | None = None  # its hidden rows and columns


# An OLE2 compound document: Excel 97–2003 (.xls) and WPS (.et) workbooks.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A cell format that only pads a whole number with zeros (00000): what Excel shows is the 工号.
_ZERO_PADDED = re.compile(r"0+")


@dataclass
class Problem:
    row: int
    column: str  # as the file spells its header
    message: str
    key: str = ""  # the import's own name of the column (its order in the list of problems)

    def __str__(self) -> str:
        if not self.row:  # about rows it names itself
            return self.message
        if self.column:
            return _("Row %(row)d, column “%(column)s”: %(message)s", row=self.row, column=self.column,
                     message=self.message)
        return _("Row %(row)d: %(message)s", row=self.row, message=self.message)


def _decode_csv(data: bytes) -> str:
    """UTF-16 with its BOM (Excel's "Unicode text", tab-separated), UTF-8 (with or
    without BOM), else GB18030 (a superset of GBK, as Excel in China saves)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(_("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX.")) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX."))


CSV_CELL_LIMIT = csv.field_size_limit()  # the csv module refuses a longer cell


def _read_csv(data: bytes) -> list[list[object]]:
    text = _decode_csv(data)
    # The header row has no separators inside its cells, so it tells which one the file uses.
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[object]] = []
    line = 1  # where the row being read starts (a quoted cell may hold line breaks)
    try:
        for row in reader:
            rows.append(row)
            line = reader.line_num + 1
    except csv.Error as exc:  # a cell past the csv module's limit, or a line it cannot read
        if "field limit" in str(exc):
            raise ImportFileError(_("A cell of this row is longer than %(n)s characters, which no import file's is: "
                                    "check the row (a quote left open runs a cell on to the end of the file).",
                                    n=f"{CSV_CELL_LIMIT:,}"), row=line) from None
        raise ImportFileError(_("This row cannot be read as CSV (%(reason)s): save the file from Excel again as CSV "
                                "(UTF-8) or XLSX.", reason=str(exc)), row=line) from None
    return rows


def _value(cell) -> object:
    """A cell's value as the sheet shows it (formulas by their saved result)."""
    value = cell.value
    if value is None:
        return None
    data_type = getattr(cell, "data_type", None)
    if data_type == "e":
        return ExcelError(value)
    if (data_type == "n" and isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
            and float(value).is_integer()):
        number_format = getattr(cell, "number_format", None) or ""
        if _ZERO_PADDED.fullmatch(number_format):
            return str(int(value)).zfill(len(number_format))
    return value


def _read_xlsx(data: bytes) -> list[Sheet]:
    too_large = unpacked_problem(data)  # a zip bomb is refused before openpyxl inflates it
    if too_large:
        raise ImportFileError(too_large)
    # ParseError: XML no Excel writes — entity declarations (a billion laughs, an external
    # entity; expat refuses both) or a damaged part. It escaped as a server error.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError) as exc:
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
    try:
        hiding = hidden_cells(data)
        try:
            sheets = [Sheet(sheet.title, [[_value(cell) for cell in row] for row in sheet.iter_rows()],
                            hidden=sheet.sheet_state != "visible", hiding=hiding.get(sheet.title))
                      for sheet in workbook.worksheets if hasattr(sheet, "iter_rows")]
        finally:
            workbook.close()
        if _has_formulas(data):
            _mark_unsaved_formulas(data, sheets)
    except ParseError as exc:
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
    return sheets


def _has_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(re.search(rb"<(?:\w+:)?f[ >/]", archive.read(info))
                   for info in archive.infolist() if info.filename.startswith("xl/worksheets/"))


def _mark_unsaved_formulas(data: bytes, sheets: list[Sheet]) -> None:
    """Formulas are read by their saved result; one without a result is marked
    (an ``UnsavedFormula``) rather than read as an empty cell."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        for sheet, formulas in zip(sheets, (s for s in workbook.worksheets if hasattr(s, "iter_rows")), strict=True):
            for cells, row in zip(sheet.rows, formulas.iter_rows(), strict=False):
                for position, cell in enumerate(row):
                    if (cell.data_type == "f" and position < len(cells) and cells[position] is None
                            and isinstance(cell.value, str)):
                        cells[position] = UnsavedFormula(cell.value)
    finally:
        workbook.close()


def read_sheets(data: bytes, filename: str) -> list[Sheet]:
    """Every table of the file: a workbook's sheets in order, or the one table of a CSV."""
    name = filename.lower()
    if data[:8] == OLE2_MAGIC or name.endswith((".xls", ".et")):
        raise ImportFileError(_("This is an old Excel 97–2003 workbook (.xls), which cannot be read. In Excel "
                                "choose Save As → Excel Workbook (*.xlsx) or CSV UTF-8, and upload that file."))
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")) or not name:
        return [Sheet(filename, _read_csv(data))]
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def read_table(data: bytes, filename: str) -> list[list[object]]:
    """The rows of the file's first visible table, as cell values."""
    sheets = read_sheets(data, filename)
    return next((s.rows for s in sheets if not s.hidden), sheets[0].rows if sheets else [])


def cell_text(value) -> str:
    if value is None or isinstance(value, UnsavedFormula):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a 工号 typed as a number in Excel
    if isinstance(value, datetime):
        value = value.date()
    return str(value).strip()


# Excel's day 0 (its serial numbers count from here, counting the 1900 leap day Lotus invented).
EXCEL_EPOCH = date(1899, 12, 30)
# The serial numbers read as dates: 1927-05-19 … 2173-10-14 (five digits), never a small count.
SERIALS = range(10000, 100000)
_DATE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))"
                   r"(?:[\sT]+(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)?")


def parse_date(value) -> date | None:
    """A date as HR's files hold it (see the module's docstring); None when it is not one."""
    if isinstance(value, ExcelError | UnsavedFormula | bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if isinstance(value, int | float) or re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        serial = float(text)  # a fraction is the time of day (a date-time column saved as a number)
        if int(serial) not in SERIALS:
            return None
        return EXCEL_EPOCH + timedelta(days=int(serial))
    match = _DATE.fullmatch(text)
    if not match:
        return None
    year, month, day, month8, day8 = match.groups()
    try:
        return date(int(year), int(month or month8), int(day or day8))
    except ValueError:
        return None

