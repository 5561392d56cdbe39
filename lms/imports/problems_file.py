"""A file with problems, handed back to be corrected: the uploaded file itself, in its
own format, with a last column 问题 (Problems, in the reader's language) that says on
each refused row which column is wrong and why.

Every row stays where it was, the header and the rows without a problem too: a file
with one refused row imports nothing, so HR corrects the cells and uploads the whole
file again. The import never reads that column (``lms.imports.table.PROBLEM_HEADERS``,
in either language), and a file that has it already gets it filled anew there.

- CSV stays CSV in the encoding and with the separator it came in (UTF-8 with or
  without BOM, GB18030/GBK, UTF-16); every cell formula-safe as the downloads are
  (``lms.reports.exports.csv_safe``), which the import reads back as it was;
- XLSX stays XLSX (openpyxl): the workbook as uploaded, every sheet and format, with
  the formulas replaced by the results Excel saved (what the import read), and the
  new cells written as text, never as formulas.

Nothing is stored: the file is checked again when it is downloaded (``ImportPages.problems``).
"""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from lms import punctuation
from lms.imports.files import Problem, csv_text
from lms.imports.table import Body, Plan, is_problem_header
from lms.reports.exports import csv_read_back, csv_safe, xlsx_text

PROBLEM_WIDTH = 60  # the column's width in Excel, in characters
# The encodings a CSV comes back in (``lms.imports.files.csv_text``), as HTTP names them.
_CHARSETS = {"utf-8-sig": "utf-8", "utf-8": "utf-8", "gb18030": "gb18030", "utf-16": "utf-16"}
_PROBLEM_FONT = Font(color="B00020")
_HEADER_FILL = PatternFill("solid", fgColor="F9D7DB")


def problems_by_row(plan: Plan) -> dict[int, str]:
    """Each row's problems in one cell: "“岗位”：未知岗位“柜台”。" — the column and the message."""
    by_row: dict[int, list[str]] = {}
    for problem in plan.problems:
        if problem.row:
            by_row.setdefault(problem.row, []).append(_cell_text(problem))
    return {row: punctuation.sentences(texts) for row, texts in by_row.items()}


def _cell_text(problem: Problem) -> str:
    if problem.column:
        return _("“%(column)s”: %(message)s", column=problem.column, message=problem.message)
    return problem.message


def annotated(data: bytes, plan: Plan) -> bytes | None:
    """The file with its problems column, in its own format; None when its rows were never
    read (the file, its header or its size is the problem: nothing to mark row by row)."""
    if plan.body is None:
        return None
    texts = problems_by_row(plan)
    if plan.body.fmt == "xlsx":
        return _xlsx(data, plan.body, texts)
    return _csv(data, plan.body.header_row, texts)


def csv_media_type(data: bytes) -> str:
    return f"text/csv; charset={_CHARSETS[csv_text(data).encoding]}"


def _csv(data: bytes, header_row: int, texts: dict[int, str]) -> bytes:
    source = csv_text(data)
    # Spaces at either end are nothing to the import (``cell_text``), and a cell made safe by
    # an earlier download is made safe again from what it was, never twice.
    rows = [[csv_read_back(cell).strip() for cell in row] for row in source.records()]
    header = rows[header_row - 1]
    column = next((at for at, cell in enumerate(header) if is_problem_header(cell)),
                  max(_width(row) for row in rows))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=source.delimiter, lineterminator="\r\n")
    for number, row in enumerate(rows, start=1):
        row = row + [""] * (column + 1 - len(row))
        if number == header_row:
            row[column] = _("Problems")
        elif number > header_row:
            row[column] = texts.get(number, "")
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue().encode(source.encoding)


def _width(cells: list[str]) -> int:
    """How many columns a row fills (empty cells at its end left out)."""
    return next((at + 1 for at in range(len(cells) - 1, -1, -1) if cells[at]), 0)


def _xlsx(data: bytes, body: Body, texts: dict[int, str]) -> bytes:
    # data_only: each formula as the result Excel saved, the value the import read; none is written back.
    workbook = load_workbook(io.BytesIO(data), data_only=True)
    sheet = workbook[body.sheet]
    # Only the cells up to the last row and column the import found a value in. Left to
    # itself, ``iter_rows`` (like ``max_row``) reaches the last formatted cell: a sheet formatted
    # down to row 1,048,576, as HR's often are, would be a million cells made for nothing.
    last_row, last_column = body.extent
    rows = list(sheet.iter_rows(max_row=last_row, max_col=last_column)) if last_row else []
    header = rows[body.header_row - 1] if len(rows) >= body.header_row else ()
    column = next((cell.column for cell in header if is_problem_header(cell.value)), last_column + 1)
    for row in rows[body.header_row:]:  # the last download's problems cleared
        if column <= len(row):
            row[column - 1].value = None
    head = _text_cell(sheet, body.header_row, column, _("Problems"))
    head.font, head.fill = Font(bold=True), _HEADER_FILL
    for row_no, text in texts.items():
        cell = _text_cell(sheet, row_no, column, text)
        cell.font, cell.alignment = _PROBLEM_FONT, Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions[head.column_letter].width = PROBLEM_WIDTH
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cell(sheet, row: int, column: int, text: str):
    cell = sheet.cell(row, column)
    cell.value = xlsx_text(text)
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell
