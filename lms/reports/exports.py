"""Tables as downloads: XLSX (openpyxl's write-only workbook, so a whole
roster streams row by row) and CSV (UTF-8 with a BOM, so Excel opens Chinese
correctly). Both are formula-safe: a text that starts like a formula
(= + - @, a tab or a carriage return; in CSV also after leading spaces, and
their full-width forms ＝ ＋ － ＠) stays text — in CSV it gets a leading
apostrophe, in XLSX the cell is written as a string. Control characters a
worksheet cannot hold are left out of XLSX cells (they made the download fail)."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel also reads a CSV cell as a formula after leading spaces, and (with a
# Chinese or Japanese input method) from the full-width ＝ ＋ － ＠.
_CSV_FORMULA = re.compile("^[ \u00a0\u3000]*[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]")
# What XML 1.0 (and so a worksheet) cannot carry: control characters other than tab, newline, carriage
# return, and the non-characters U+FFFE and U+FFFF (openpyxl writes those, and Excel calls the file damaged).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def csv_safe(value) -> object:
    """A text Excel could take for a formula gets a leading apostrophe (shown as text)."""
    if isinstance(value, str) and _CSV_FORMULA.match(value):
        return "'" + value
    return "" if value is None else value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return out.getvalue().encode("utf-8")


def to_xlsx(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: dict[int, int] | None = None
            ) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])
    for column, width in (widths or {}).items():
        sheet.column_dimensions[_letter(column)].width = width
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
    head = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=_ILLEGAL.sub("", str(h)))
        cell.font, cell.fill = bold, fill
        head.append(cell)
    sheet.append(head)
    for row in rows:
        sheet.append([_cell(sheet, v, WriteOnlyCell) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value, cell_class):
    if isinstance(value, str):
        # A control character (a vertical tab pasted from Excel into a name, an
        # escape in a reason) cannot be written to a worksheet: openpyxl raises,
        # and the whole download failed. Leave the character out.
        value = _ILLEGAL.sub("", value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = cell_class(sheet, value=value)
        cell.data_type = "s"  # never a formula
        return cell
    return value


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
