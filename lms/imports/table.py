"""What every import checks before its own rows: the file can be read, the
header row (the first row that is not empty) has the required columns, there
are rows and not too many, and no required cell is empty.

An import calls ``read`` with its ``Columns`` and then checks each ``Row``
(its cells by column, its problems named by row and column); what ``read``
finds wrong is already in ``plan.problems``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from lms.imports.files import ImportFileError, Problem, cell_text, read_table


@dataclass
class Plan:
    """What a file would do: its checked rows (an import's own row plans) and every problem."""

    filename: str
    rows: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


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
    too_many: str  # the message for more than ``max_rows`` rows
    max_rows: int
    column_of: Callable[[str], str | None] | None = None

    def find(self, header: str) -> str | None:
        if self.column_of is not None:
            return self.column_of(header)
        return header if header in self.all else None


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

    def problem(self, column: str, message: str) -> None:
        """A problem of this row, named by the column's header as the file spells it."""
        self._plan.problems.append(Problem(self.number, self._shown.get(column, column), message))
        self.count += 1


def read(plan: Plan, data: bytes, filename: str, columns: Columns) -> list[Row]:
    """The body rows of the file; [] when the file, its header or its size is
    wrong (the problem is in ``plan.problems``). A row's empty required cells
    are already problems of the row (``Row.count``)."""
    try:
        table = read_table(data, filename)
    except ImportFileError as exc:
        plan.problems.append(Problem(1, "", str(exc)))
        return []
    skipped = 0
    while table and not any(cell_text(c) for c in table[0]):
        table.pop(0)
        skipped += 1
    if not table:
        plan.problems.append(Problem(1, "", _("The file is empty.")))
        return []
    header_row_no = skipped + 1
    index: dict[str, int] = {}
    shown: dict[str, str] = {}  # column → the header as the file spells it
    for position, header in enumerate(cell_text(c) for c in table[0]):
        column = columns.find(header) if header else None
        if column and column not in index:
            index[column], shown[column] = position, header
    missing = [c for c in columns.required if c not in index]
    for column in missing:
        plan.problems.append(Problem(header_row_no, column, _("this column is missing from the header row.")))
    if missing:
        return []
    body = [(header_row_no + 1 + i, cells) for i, cells in enumerate(table[1:]) if any(cell_text(c) for c in cells)]
    if not body:
        plan.problems.append(Problem(header_row_no, "", columns.no_rows))
        return []
    if len(body) > columns.max_rows:
        plan.problems.append(Problem(header_row_no, "", columns.too_many))
        return []
    rows = []
    for number, cells in body:
        row = Row(number, cells, {}, plan, index, shown)
        row.values = {column: cell_text(row.cell(column)) for column in columns.all}
        for column in columns.required:
            if not row.values[column]:
                row.problem(column, _("required, but empty."))
        rows.append(row)
    return rows

