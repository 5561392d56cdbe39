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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from xml.etree.ElementTree import ParseError

from flask_babel import gettext as _
from openpyxl import load_workbook

from lms.reports.exports import csv_read_back
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
    unread: int = 0  # rows with something in them below ``rows``, counted but not kept (``read_sheets``)


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


def _decode_csv(data: bytes) -> tuple[str, str]:
    """UTF-16 with its BOM (Excel's "Unicode text", tab-separated), UTF-8 (with or
    without BOM), else GB18030 (a superset of GBK, as Excel in China saves); and the
    encoding that writes the text back as the file had it."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError(_("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX.")) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") else encoding
    raise ImportFileError(_("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX."))


@dataclass(frozen=True)
class CsvText:
    """A CSV as read: its text, the encoding that writes it back, its separator."""

    text: str
    encoding: str
    delimiter: str

    def records(self):
        """The rows, each a list of cells as the file writes them."""
        return csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)


def csv_text(data: bytes) -> CsvText:
    text, encoding = _decode_csv(data)
    # The header row has no separators inside its cells, so it tells which one the file uses.
    first_line = text.split("\n", 1)[0]
    return CsvText(text, encoding, max(",;\t", key=first_line.count))


CSV_CELL_LIMIT = csv.field_size_limit()  # the csv module refuses a longer cell


def _csv_records(reader) -> Iterable[list[object]]:
    """The rows of ``reader``; a row it cannot read is an ``ImportFileError`` naming the line it starts on."""
    line = 1  # where the row being read starts (a quoted cell may hold line breaks)
    try:
        for row in reader:
            # A cell a download made formula-safe ('=…, lms.reports.exports.csv_safe) is read as it was.
            yield [csv_read_back(cell) for cell in row]
            line = reader.line_num + 1
    except csv.Error as exc:  # a cell past the csv module's limit, or a line it cannot read
        if "field limit" in str(exc):
            raise ImportFileError(_("A cell of this row is longer than %(n)s characters, which no import file's is: "
                                    "check the row (a quote left open runs a cell on to the end of the file).",
                                    n=f"{CSV_CELL_LIMIT:,}"), row=line) from None
        raise ImportFileError(_("This row cannot be read as CSV (%(reason)s): save the file from Excel again as CSV "
                                "(UTF-8) or XLSX.", reason=str(exc)), row=line) from None


def _read_csv(data: bytes, keep: int | None) -> Sheet:
    rows, unread = _bounded(_csv_records(csv_text(data).records()), keep)
    return Sheet("", rows, unread=unread)


def has_text(cells) -> bool:
    """Whether a row holds anything (a formula's error alone, a VLOOKUP dragged past the data, is nothing)."""
    return any(cell_text(c) for c in cells if not isinstance(c, ExcelError))


def _bounded(rows: Iterable[list], keep: int | None) -> tuple[list[list], int]:
    """The rows until ``keep`` of them with something in them are kept (all when None),
    and how many more hold something: those are counted, never held (a file far over an
    import's limit is refused without its rows in memory)."""
    if keep is None:
        return list(rows), 0
    kept, filled, unread = [], 0, 0
    for row in rows:
        if filled < keep:
            kept.append(row)
            filled += has_text(row)
        elif has_text(row):
            unread += 1
    return kept, unread


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


def _unreadable() -> str:
    return _("The file is not a readable XLSX workbook: it is damaged, or not a workbook saved by Excel or WPS. "
             "Open it in Excel or WPS, save it again as Excel Workbook (*.xlsx), and upload that file.")


def _read_xlsx(data: bytes, keep: int | None) -> list[Sheet]:
    too_large = unpacked_problem(data)  # a zip bomb is refused before openpyxl inflates it
    if too_large:
        raise ImportFileError(too_large)
    # ParseError: XML no Excel writes — entity declarations (a billion laughs, an external
    # entity; expat refuses both) or a damaged part. It escaped as a server error.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError) as exc:
        raise ImportFileError(_unreadable()) from exc
    try:
        hiding = hidden_cells(data)
        try:
            sheets = []
            for sheet in workbook.worksheets:
                if not hasattr(sheet, "iter_rows"):
                    continue
                rows, unread = _bounded(([_value(cell) for cell in row] for row in sheet.iter_rows()), keep)
                sheets.append(Sheet(sheet.title, rows, hidden=sheet.sheet_state != "visible",
                                    hiding=hiding.get(sheet.title), unread=unread))
        finally:
            workbook.close()
        if _has_formulas(data):
            _mark_unsaved_formulas(data, sheets)
    except ParseError as exc:
        raise ImportFileError(_unreadable()) from exc
    return sheets


_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any sheet holds a formula; each sheet's XML read a block at a time, never whole
    (a 60,000-row sheet is some 20 MB of it)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(info) as part:
                tail = b""
                while block := part.read(1 << 20):
                    if _FORMULA_ELEMENT.search(tail + block):
                        return True
                    tail = block[-32:]  # an element cut between two blocks
    return False


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


def file_format(data: bytes, filename: str) -> str:
    """How the file is read: "xlsx", "csv", or "xls" (refused) / "" (not a table)."""
    name = filename.lower()
    if data[:8] == OLE2_MAGIC or name.endswith((".xls", ".et")):
        return "xls"
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return "xlsx"
    if name.endswith((".csv", ".txt")) or not name:
        return "csv"
    return ""


def read_sheets(data: bytes, filename: str, keep: int | None = None) -> list[Sheet]:
    """Every table of the file: a workbook's sheets in order, or the one table of a CSV.
    ``keep``: each sheet holds its rows until that many with something in them, and only
    counts the rest (``Sheet.unread``)."""
    fmt = file_format(data, filename)
    if fmt == "xls":
        raise ImportFileError(_("This is an old Excel 97–2003 workbook (.xls), which cannot be read. In Excel "
                                "choose Save As → Excel Workbook (*.xlsx) or CSV UTF-8, and upload that file."))
    if fmt == "xlsx":
        return _read_xlsx(data, keep)
    if fmt == "csv":
        sheet = _read_csv(data, keep)
        sheet.name = filename
        return [sheet]
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


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

