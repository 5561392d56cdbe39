"""Bulk pairing from a CSV or XLSX file, all or nothing (like the people import).

Columns (Chinese headers, or the English ones): 师傅工号 (Mentor employee no),
徒弟工号 (Apprentice employee no), 开始日期 (Start date), 计划结束日期
(Planned end date), 带教目标 (Goals, optional). ``plan_import`` checks every
row against the people and the pairing rules (``lms.mentoring.pairing``),
counting the file's own rows: an apprentice twice in the file, a mentor whose
capacity the file's rows would exceed. Every problem names its row and
column; ``apply_import`` makes the pairings of a plan without problems in one
transaction, each audited with the file's name. Reading the file, the
header and the empty cells, the preview and the confirmation are the shared
import flow (``lms.imports``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from lms import clock
from lms.database import transaction
from lms.extensions import db
from lms.imports import table
from lms.imports.files import Problem, parse_date
from lms.imports.pages import blank_csv, blank_xlsx
from lms.imports.table import RowRefused
from lms.mentoring import pairing as rules
from lms.numbers import reading_number
from lms.org import employee_numbers
from lms.org.models import User, case_twins
from lms.org.services import zero_padded_employee_numbers

COL_MENTOR, COL_APPRENTICE, COL_START, COL_END, COL_GOALS = "师傅工号", "徒弟工号", "开始日期", "计划结束日期", "带教目标"
HEADERS = (COL_MENTOR, COL_APPRENTICE, COL_START, COL_END, COL_GOALS)
REQUIRED = (COL_MENTOR, COL_APPRENTICE, COL_START, COL_END)
ENGLISH = {COL_MENTOR: "Mentor employee no", COL_APPRENTICE: "Apprentice employee no", COL_START: "Start date",
           COL_END: "Planned end date", COL_GOALS: "Goals"}
# Other spellings HR types; compared in lower case without spaces.
ALIASES = {
    COL_MENTOR: ("mentor", "mentoremployeeno", "mentoremployeenumber", "师傅", "带教人工号", "师傅员工编号",
                 "带教人员工编号", "带教师傅工号"),
    COL_APPRENTICE: ("apprentice", "apprenticeemployeeno", "apprenticeemployeenumber", "徒弟", "徒弟员工编号",
                     "学员工号", "被带教人工号"),
    COL_START: ("startdate", "start", "起始日期"),
    COL_END: ("plannedenddate", "plannedend", "enddate", "结束日期"),
    COL_GOALS: ("goals", "goal", "目标"),
}
FIELD_COLUMNS = {rules.MENTOR: COL_MENTOR, rules.APPRENTICE: COL_APPRENTICE, rules.START: COL_START,
                 rules.END: COL_END, rules.GOALS: COL_GOALS}
MAX_ROWS = 2000


@dataclass
class RowPlan:
    row: int
    mentor: User
    apprentice: User
    start_date: date
    planned_end_date: date
    goals: str


@dataclass
class PairingPlan(table.Plan):
    rows: list[RowPlan] = field(default_factory=list)


def _column_of(header: str) -> str | None:
    key = header.strip().lower().replace(" ", "").replace("_", "")
    for column in HEADERS:
        if header.strip() == column or key == ENGLISH[column].lower().replace(" ", "") or key in ALIASES[column]:
            return column
    return None


def _too_many(count: int) -> str:
    return _("The file has %(count)s pairings; at most %(limit)s can be imported from one file. Split it into "
             "files of at most %(limit)s pairings each and import them one after another.",
             count=reading_number(count), limit=reading_number(MAX_ROWS))


def plan_import(data: bytes, filename: str, *, today: date | None = None, actor: User | None = None) -> PairingPlan:
    """Read the file and check every row (``actor``: who imports it); nothing is changed."""
    today = today or clock.today()
    plan = PairingPlan(filename=filename)
    body = table.read(plan, data, filename, table.Columns(
        HEADERS, REQUIRED, no_rows=_("The file has a header but no pairings."),
        too_many=_too_many, max_rows=MAX_ROWS, column_of=_column_of,
        numbers=(COL_MENTOR, COL_APPRENTICE),
        spellings={c: tuple(a for a in ALIASES[c] if not a.isascii()) + (ENGLISH[c],) for c in HEADERS}))
    if not body:
        return plan

    # A 工号 typed as a number lost its leading zeros in Excel: 123 stands for the existing 00123.
    padded = zero_padded_employee_numbers(row.values[c] for row in body for c in (COL_MENTOR, COL_APPRENTICE)
                                          if row.is_number(c))
    for row in body:
        for column in (COL_MENTOR, COL_APPRENTICE):
            if row.is_number(column):
                row.values[column] = padded.get(row.values[column], row.values[column])
            else:  # full-width (Ｍ００１) or spaced (M 001): the 工号 M001, as everywhere (lms.org.employee_numbers)
                row.values[column] = employee_numbers.for_lookup(row.values[column])
    numbers = {row.values[c] for row in body for c in (COL_MENTOR, COL_APPRENTICE)}
    people = {u.employee_no: u for u in db.session.scalars(select(User).where(User.employee_no.in_(numbers)))}
    twins = case_twins()  # ZZ01 beside zz01: a row naming either could mean the other
    apprentice_rows: dict[int, int] = {}
    mentor_rows: Counter[int] = Counter()

    for line in body:
        row_no, values, cell, problem = line.number, line.values, line.cell, line.problem
        mentor, apprentice = (_person(values[c], people, twins, lambda m, c=c: problem(c, m))
                              for c in (COL_MENTOR, COL_APPRENTICE))
        start = parse_date(cell(COL_START))
        if values[COL_START] and start is None:
            problem(COL_START, _("“%(value)s” is not a date; write it as YYYY-MM-DD.", value=values[COL_START]))
        end = parse_date(cell(COL_END))
        if values[COL_END] and end is None:
            problem(COL_END, _("“%(value)s” is not a date; write it as YYYY-MM-DD.", value=values[COL_END]))
        if apprentice is not None and apprentice.id in apprentice_rows:
            problem(COL_APPRENTICE, _("%(name)s appears already in row %(row)d.", name=rules.who(apprentice),
                                      row=apprentice_rows[apprentice.id]))
            continue
        if apprentice is not None:
            apprentice_rows[apprentice.id] = row_no
        if line.count:
            continue
        for field_name, message in rules.refusals(mentor, apprentice, start, end, values[COL_GOALS],
                                                  pending=mentor_rows[mentor.id], today=today, actor=actor):
            problem(FIELD_COLUMNS.get(field_name, COL_MENTOR), message)
        mentor_rows[mentor.id] += 1
        if not line.count:
            plan.rows.append(RowPlan(row_no, mentor, apprentice, start, end, values[COL_GOALS]))
    plan.problems.sort(key=lambda p: p.row)
    return plan


def _person(employee_no: str, people: dict[str, User], twins: dict[str, list[User]], problem) -> User | None:
    """The person a cell names, or None with its problem (an empty cell has its own)."""
    if not employee_no:
        return None
    if (both := twins.get(employee_no.lower())) is not None:
        problem(employee_numbers.twins_problem(employee_no, both))
        return None
    if (person := people.get(employee_no)) is None:
        problem(_("no one has the employee number “%(value)s”.", value=employee_no))
    return person


@transaction(immediate=True)
def apply_import(plan: PairingPlan, *, actor: User) -> list:
    """Make every pairing of a plan without problems; all or none (a rule
    broken since the preview rolls the whole file back)."""
    if not plan.ok:
        raise rules.PairingError(_("The file has problems; nothing was imported."))
    made = []
    for row in plan.rows:
        try:
            made.append(rules.pair(row.mentor, row.apprentice, row.start_date, row.planned_end_date, row.goals,
                                   actor=actor, file=plan.filename))
        except rules.PairingError as exc:
            raise RowRefused(Problem(row.row, "", str(exc))) from None
    return made


# --- the template -----------------------------------------------------------------------

def template_csv() -> bytes:
    return blank_csv(HEADERS)


def template_xlsx() -> bytes:
    return blank_xlsx(HEADERS, "师徒结对", (12, 12, 14, 14, 40), text_columns=(COL_MENTOR, COL_APPRENTICE))
