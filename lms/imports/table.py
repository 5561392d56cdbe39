"""What every import checks before its own rows: the file can be read, the
header row has the required columns, there are rows and not too many, and no
required cell is empty or shows an Excel error.

The header row is the first row, among the first ``HEADER_SEARCH_ROWS`` of a
sheet, that names every required column: a title (merged across the columns)
or notes above it are skipped. A header of two rows (a group name merged
over 支行, 岗位, 入职日期; 工号 merged down both rows) is read as one. The sheet is the first visible one with such a
row (a workbook may start with instructions, or its data may be on its second
sheet); hidden sheets are never read. A header is recognised with its spaces,
line breaks, full-width characters, a leading ``*`` (required) and a note in
brackets left out: ``入职\n日期（YYYY-MM-DD）`` is 入职日期. Other columns,
in any order, are ignored.

A totals row at the bottom (``合计``, ``总计``, ``共 52 人``…) is left out
with a note (``Plan.notes``: what was read other than as written, shown with the
preview). A 工号 that Excel shortened to 15 digits (a long number, shown as
``1.23457E+17``) is refused: its last digits are lost.

An import calls ``read`` with its ``Columns`` and then checks each ``Row``
(its cells by column, its problems named by row and column); what ``read``
finds wrong is already in ``plan.problems``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from lms import punctuation
from lms.control_characters import IN_TEXT, text_direction_character
from lms.imports.files import (ExcelError, ImportFileError, Problem, Sheet, UnsavedFormula, cell_text, file_format,
                               has_text, read_sheets)
from lms.xlsx_hidden import numbers_text

HEADER_SEARCH_ROWS = 20
PREVIEW_ROWS = 200  # rows of each kind a preview lists (``Plan.listed``)
_WHOLE_FLOAT = re.compile(r"\d+\.0+")
# Excel keeps 15 significant digits of a number: a longer 工号 typed as a number has lost its last ones.
_EXCEL_DIGITS = 10 ** 15
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")
# The first cell of a totals row an HR system adds below the people.
_TOTALS = re.compile(r"(?:合计|总计|小计|共计|总数|总人数|共\s*\d+\s*人|total\b)", re.IGNORECASE)
_NOTE = re.compile(r"^[*]+|[*]+$|\(.*\)$|\[.*\]$|【.*】$")
# The column a file with problems comes back with (``lms.imports.problems_file``), in either
# language: never read, so the corrected file is imported with it still there.
PROBLEM_HEADERS = ("问题", "problems")


def is_problem_header(header) -> bool:
    return header_key(cell_text(header)).lower() in PROBLEM_HEADERS


def header_key(header: str) -> str:
    """A header as HR may spell it, reduced to its words: full-width characters
    made half-width, no spaces or line breaks, no ``*`` mark or bracketed note."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header))
    return _NOTE.sub("", text) or text


@dataclass
class Plan:
    """What a file would do: its checked rows (an import's own row plans) and every problem."""

    filename: str
    rows: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheet: str = ""  # the sheet read, when the workbook has more than one
    notes: list[Problem] = field(default_factory=list)  # what was read other than as written (HR checks them)
    body: Body | None = None  # where the rows were read, once ``read`` got to them

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def refused_rows(self) -> set[int]:
        """The file's rows with a problem: listed with their problems, not among the rows."""
        return {p.row for p in self.problems if p.row}

    def accepted(self, action: str) -> list:
        """The rows without a problem that would do ``action`` (an import's row plans have one)."""
        refused = self.refused_rows
        return [r for r in self.rows if r.action == action and r.row not in refused]

    def listed(self, action: str, keep: Callable[[object], bool] | None = None) -> tuple[list, int]:
        """The rows of ``action`` a preview lists — the first ``PREVIEW_ROWS`` and any
        later one ``keep`` asks for — and how many it leaves out: a 20,000-row file
        was a 3.7 MB page."""
        rows = self.accepted(action)
        shown = [r for n, r in enumerate(rows) if n < PREVIEW_ROWS or (keep is not None and keep(r))]
        return shown, len(rows) - len(shown)


@dataclass(frozen=True)
class Body:
    """Where a file's rows were read: its format ("csv", "xlsx"), the sheet and the header row (as
    Excel numbers it; the lower one of a header of two rows). The rows below it are numbered so too.
    ``extent``: the last row and the last column that hold a value, as read (formatting alone
    does not count)."""

    fmt: str
    sheet: str
    header_row: int
    extent: tuple[int, int] = (0, 0)


class RowRefused(Exception):
    """A row the rules refuse at confirmation (something changed since the
    preview): the whole file is rolled back and the problem shown."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


@dataclass(frozen=True)
class Columns:
    """An import's columns: every one it reads (in the order problems are
    listed), the required ones, and how a header names a column (by default
    the column's own header, exactly)."""

    all: tuple[str, ...]
    required: tuple[str, ...]
    no_rows: str  # the message for a header without rows
    too_many: Callable[[int], str]  # the message for more than ``max_rows`` rows, given how many
    max_rows: int
    column_of: Callable[[str], str | None] | None = None
    numbers: tuple[str, ...] = ()  # the 工号 columns: a whole float (123.0) in them is the number 123
    # Column → the headers it is accepted under besides its own, the better first (named when it is missing).
    spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def find(self, header: str) -> str | None:
        key = header_key(header)
        if self.column_of is not None:
            return self.column_of(header) or self.column_of(key)
        return key if key in self.all else None

    def header_of(self, cells) -> dict[str, int]:
        """Column → its position, for the columns a row names (the first of two alike)."""
        index: dict[str, int] = {}
        rank: dict[str, int] = {}
        for position, cell in enumerate(cells):
            header = cell_text(cell)
            column = self.find(header) if header else None
            if column is None:
                continue
            # 支行 before 所属机构 before 部门, wherever they stand in the row
            key = header_key(header)
            better = 0 if key == column else 1 + (self.spellings.get(column, ()) + (key,)).index(key)
            if column not in index or better < rank[column]:
                index[column], rank[column] = position, better
        return index


@dataclass
class Row:
    """One row of the body: its number in the file, its cells and their text by column."""

    number: int
    cells: list
    values: dict[str, str]
    _plan: Plan
    _index: dict[str, int]
    _shown: dict[str, str]
    count: int = 0  # how many problems this row has

    def cell(self, column: str):
        position = self._index.get(column)
        return self.cells[position] if position is not None and position < len(self.cells) else None

    def is_number(self, column: str) -> bool:
        """Whether the cell holds a number (an Excel number cell, or a CSV's ``123.0``
        a program wrote from one), not text: a 工号 typed as a number has lost its
        leading zeros."""
        value = self.cell(column)
        if isinstance(value, str):
            return bool(_WHOLE_FLOAT.fullmatch(value.strip()))
        return isinstance(value, int | float) and not isinstance(value, bool)

    def shown(self, column: str) -> str:
        """The column's header as the file spells it."""
        return self._shown.get(column, column)

    def problem(self, column: str, message: str) -> None:
        """A problem of this row, named by the column's header as the file spells it."""
        self._plan.problems.append(Problem(self.number, self._shown.get(column, column), message, column))
        self.count += 1


def read(plan: Plan, data: bytes, filename: str, columns: Columns) -> list[Row]:
    """The body rows of the file; [] when the file, its header or its size is
    wrong (the problem is in ``plan.problems``). A row's empty required cells
    are already problems of the row (``Row.count``)."""
    try:
        # Rows past the limit (and past a header below a title, a totals row) are counted, not held.
        sheets = read_sheets(data, filename, keep=columns.max_rows + HEADER_SEARCH_ROWS + 2)
    except ImportFileError as exc:
        plan.problems.append(Problem(exc.row, "", str(exc)))
        return []
    visible = [s for s in sheets if not s.hidden]
    found = _find_header(visible, columns)
    if (hidden := _hidden_sheet(sheets, found, columns)) is not None:
        plan.problems.append(Problem(1, "", _(
            "The rows are on the sheet “%(sheet)s”, which is hidden in Excel, and a hidden sheet is never read. "
            "Unhide it (right-click a sheet tab → Unhide), check it, and upload the file again.", sheet=hidden.name)))
        return []
    if found is None:
        plan.problems.append(Problem(1, "", _(
            "The file is empty: no sheet has anything in it. Check that you chose the right file; the blank template "
            "on the upload page has the headers to fill in.")))
        return []
    sheet, header_at, header = found
    if len(sheets) > 1:
        plan.sheet = sheet.name
    table = sheet.rows[header_at:]
    header_row_no = header_at + 1
    index = columns.header_of(header)
    # column → the header as the file spells it (a line break in it shown as a space)
    shown = {column: " ".join(cell_text(header[position]).split()) for column, position in index.items()}
    missing = [c for c in columns.required if c not in index]
    for column in missing:
        if columns.spellings.get(column):
            names = punctuation.listing(f"“{h}”" for h in (column, *columns.spellings[column]))
            message = _("this column is missing from the header row (accepted headers: %(names)s).", names=names)
        else:
            message = _("this column is missing from the header row.")
        plan.problems.append(Problem(header_row_no, column, message))
    if missing:
        return []
    # The column of problems a corrected file may still have is no part of its rows.
    ignored = [position for position, cell in enumerate(header) if is_problem_header(cell)]
    body = [(header_row_no + 1 + i, _without(cells, ignored)) for i, cells in enumerate(table[1:])]
    body = [(number, cells) for number, cells in body if has_text(cells)]
    while body and _TOTALS.match(_first_text(body[-1][1])):
        number, cells = body.pop()
        plan.notes.append(Problem(number, "", _("“%(text)s” is a totals row: it is not imported.",
                                                text=_first_text(cells))))
    plan.notes.reverse()
    if not body:
        plan.problems.append(Problem(header_row_no, "", columns.no_rows))
        return []
    if len(body) + sheet.unread > columns.max_rows:
        plan.problems.append(Problem(header_row_no, "", columns.too_many(len(body) + sheet.unread)))
        return []
    if _hidden(plan, sheet, header_row_no, index, shown, [number for number, _cells in body]):
        return []
    plan.body = Body(file_format(data, filename), sheet.name, header_row_no, _extent(sheet.rows))
    rows = []
    for number, cells in body:
        row = Row(number, cells, {}, plan, index, shown)
        row.values = {column: cell_text(row.cell(column)) for column in columns.all}
        for column in columns.numbers:
            if _WHOLE_FLOAT.fullmatch(row.values[column]):
                row.values[column] = row.values[column].split(".", 1)[0]  # 123.0 from a float column is 123
        for column in columns.all:
            if isinstance(row.cell(column), ExcelError):
                row.problem(column, _("the cell shows Excel's error “%(error)s” (a formula that failed); correct "
                                      "it or type the value.", error=row.values[column]))
                row.values[column] = ""
            elif isinstance(row.cell(column), UnsavedFormula):
                row.problem(column, _("the cell holds the formula %(formula)s, but the file has no result for it; "
                                      "open the file in Excel or WPS and save it again, or paste the values.",
                                      formula=row.cell(column)))
            elif code := text_direction_character(row.values[column]):
                # Read by HR, the apprentice and the audit log: refused in every
                # column of every import (lms.control_characters.TEXT_DIRECTION).
                row.problem(column, _("it contains a text-direction character (%(code)s) that would show the text "
                                      "reversed or out of order to its readers. Most programs show it as nothing: "
                                      "type the cell again.", code=code))
                row.values[column] = ""
            elif control := IN_TEXT.search(row.values[column]):
                # A NUL or another control character (a file cut or made by a program, not typed): no name,
                # branch or date holds one, and PostgreSQL cannot store a NUL (the confirm failed after the preview).
                row.problem(column, _("it contains a control character (U+%(code)s) that no cell of this file holds: "
                                      "type the cell again.", code="%04X" % ord(control.group())))
                row.values[column] = ""
            elif column in columns.numbers and _shortened(row.cell(column)):
                row.problem(column, _("“%(value)s” is a long number that Excel kept to 15 digits: its last digits "
                                      "are lost. Format the column as Text and type the employee number again.",
                                      value=_excel_shows(row.cell(column))))
            elif column in columns.required and not row.values[column]:
                row.problem(column, _("required, but empty."))
        rows.append(row)
    return rows


def _extent(rows: list[list]) -> tuple[int, int]:
    """The last row and the last column holding a value (1-based, as Excel numbers them)."""
    last_row = last_column = 0
    for number, cells in enumerate(rows, start=1):
        filled = [at for at, value in enumerate(cells, start=1) if value is not None]
        if filled:
            last_row, last_column = number, max(last_column, filled[-1])
    return last_row, last_column


def _without(cells: list, positions: list[int]) -> list:
    if not positions:
        return cells
    return [None if position in positions else cell for position, cell in enumerate(cells)]


def _first_text(cells) -> str:
    return next((text for text in (cell_text(c) for c in cells) if text), "")


def _shortened(value) -> bool:
    """A 工号 Excel stored as a number of more than 15 digits, or wrote as ``1.23457E+17``."""
    if isinstance(value, float):
        return abs(value) >= _EXCEL_DIGITS
    return isinstance(value, str) and bool(_SCIENTIFIC.fullmatch(value.strip()))


def _excel_shows(value) -> str:
    return f"{value:.5E}" if isinstance(value, float) else cell_text(value)


def _hidden(plan: Plan, sheet: Sheet, header_row_no: int, index: dict[str, int], shown: dict[str, str],
            numbers: list[int]) -> bool:
    """Refuse rows and columns that Excel does not show (hidden by hand,
    filtered out, folded in a group) but that the import would read: HR hid
    them not to import them, or never saw them. True when there are any."""
    hiding = sheet.hiding
    if not hiding:
        return False
    found = False
    for column, position in index.items():
        if hiding.column(position + 1):
            plan.problems.append(Problem(header_row_no, shown.get(column, column), _(
                "this column is hidden in Excel, yet it would be imported: unhide it and check it, then upload "
                "the file again."), column))
            found = True
    rows = [n for n in numbers if n in hiding.rows]
    if rows:
        plan.problems.append(Problem(0, "", ngettext(
            "Row %(rows)s is hidden in Excel (hidden, filtered out or folded in a group), yet it would be "
            "imported. Delete the row if it is not to be imported, or unhide it (clear the filter), then upload "
            "the file again.",
            "Rows %(rows)s are hidden in Excel (hidden, filtered out or folded in a group), yet they would be "
            "imported. Delete the rows that are not to be imported, or unhide them (clear the filter), then "
            "upload the file again.", len(rows), rows=numbers_text(rows))))
        found = True
    return found


def _two_rows(above: list, cells: list) -> list:
    """A header of two rows (任职信息 merged over 支行, 岗位, 入职日期; 工号 merged down
    both rows): each cell of the lower row, or the cell above it where it is empty."""
    width = max(len(above), len(cells))
    return [cells[i] if i < len(cells) and cell_text(cells[i]) else (above[i] if i < len(above) else None)
            for i in range(width)]


def _hidden_sheet(sheets: list[Sheet], found, columns: Columns) -> Sheet | None:
    """The hidden sheet HR meant, when no visible one holds the columns: one whose header names every
    required column, or (nothing visible at all) the first hidden one with anything in it."""
    hidden = [s for s in sheets if s.hidden]
    if not hidden or found is not None and _complete(found[2], columns):
        return None
    there = _find_header(hidden, columns)
    if there is None or found is not None and not _complete(there[2], columns):
        return None
    return there[0]


def _complete(cells: list, columns: Columns) -> bool:
    return all(c in columns.header_of(cells) for c in columns.required)


def _find_header(sheets: list[Sheet], columns: Columns) -> tuple[Sheet, int, list] | None:
    """The first visible sheet, its row and its header cells, that names every
    required column (in one row, or in two: ``_two_rows``); else the row that
    names the most of them (its missing columns are the problems), else the
    first row with anything in it; None: nothing anywhere."""
    best, best_count, first = None, 0, None

    def named(cells) -> int:
        return sum(1 for c in columns.header_of(cells) if c in columns.required)

    for sheet in sheets:
        for at, cells in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            if first is None and any(cell_text(c) for c in cells):
                first = (sheet, at, cells)
            count = named(cells)
            if count == len(columns.required):
                return sheet, at, cells
            if at and count and named(both := _two_rows(sheet.rows[at - 1], cells)) == len(columns.required):
                return sheet, at, both
            if count > best_count:
                best, best_count = (sheet, at, cells), count
    if best is None and first is None:  # more than HEADER_SEARCH_ROWS empty rows on top: look further
        first = next(((s, at, cells) for s in sheets for at, cells in enumerate(s.rows)
                      if any(cell_text(c) for c in cells)), None)
    return best or first

