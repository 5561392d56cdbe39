"""Bulk import of people from CSV or XLSX, all or nothing.

The file has the Chinese headers HR uses in Excel: 工号, 姓名, 支行, 岗位, 入职日期, 角色
(and, optionally, 邮箱 and 准入例外原因). A row that puts someone into a position
an eligibility rule guards (``position_gates``) they do not meet is a problem
naming the unmet conditions, unless its 准入例外原因 cell gives HR's reason.
``plan_import`` reads and checks every row against the organisation and
returns a plan (create / update / unchanged per row) with *every* problem,
each naming its row and column; ``apply_import`` carries out a plan without
problems. Importing the same file twice changes nothing the second time.
A row that deactivates someone or takes a role away lists what it leaves
without someone to act (``lms.org.dependents``: a leaver's mentoring
pairings); HR makes one choice for the whole import, as on the person page:
end them in the same all-or-nothing import (each with the row's reason,
audited and notified like ending one by hand) or leave them flagged (需处理).
Reading the file, the header and the empty cells, the preview and the
confirmation are the shared import flow (``lms.imports``).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lms import clock, printable, punctuation
from lms.audit import services as audit
from lms.control_characters import invisible_character
from lms.database import transaction
from lms.extensions import db
from lms.imports import table
from lms.imports.files import parse_date
from lms.imports.pages import blank_csv, blank_xlsx
from lms.org import (admins, changed_people, dependents, employee_numbers, import_spelling, new_people, position_gates,
                     services)
from lms.org.models import EMAIL_PATTERN, POSITIONS, ROLES, Branch, User, case_twins
from lms.numbers import reading_number
from lms.own_case import own_case
from lms.reports.exports import csv_safe
from lms.query_dates import EARLIEST

COL_NO, COL_NAME, COL_BRANCH, COL_POSITION, COL_HIRED, COL_ROLES = "工号", "姓名", "支行", "岗位", "入职日期", "角色"
HEADERS = (COL_NO, COL_NAME, COL_BRANCH, COL_POSITION, COL_HIRED, COL_ROLES)
# Optional: a column that may be missing, a cell that may be empty (then the address stays as it is).
COL_EMAIL = "邮箱"
# Optional: HR's reason to move someone into a gated position they are not eligible for (audited).
COL_OVERRIDE = "准入例外原因"
# Optional: whether the person still works at the bank, as HR systems export it. Someone who
# left is deactivated (and not created); someone at work again is reactivated; empty: as they are.
COL_STATUS = "在职状态"
OPTIONAL = (COL_EMAIL, COL_OVERRIDE, COL_STATUS)
STATUS_HEADERS = {COL_STATUS, "状态", "人员状态", "员工状态", "用工状态", "在职情况"}
AT_WORK = {"在职", "在岗", "正式", "试用", "试用期", "实习", "实习期", "active", "employed"}
LEFT = {"离职", "已离职", "离岗", "辞职", "退休", "已退休", "解聘", "辞退", "调出", "left", "inactive"}
MAX_ROWS = 5000
ROLE_SEPARATORS = re.compile(r"[、,，;；\s]+")
# Words HR uses besides the catalogue's labels.
POSITION_ALIASES = {"实习": "intern", "实习生": "intern", "中层": "manager"}
ROLE_ALIASES = {"管理员": "admin", "人事": "hr", "带教人": "mentor"}


@dataclass
class RowPlan:
    row: int
    employee_no: str
    name: str
    branch: Branch
    position: str
    hire_date: date
    roles: set[str]
    user: User | None = None
    email: str | None = None  # None: not given, the address stays as it is
    override_reason: str = ""  # COL_OVERRIDE
    leaving: bool | None = None  # COL_STATUS: True left the bank, False at work, None not said
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (what, before, after)
    # What the row's deactivation or lost role leaves without someone to act (``dependents``).
    dependents: list[dependents.Dependents] = field(default_factory=list)

    @property
    def name_warning(self) -> str | None:
        """Which character of the name a certificate would show as a box (``lms.printable``)."""
        return printable.warning_for(self.name)

    @property
    def action(self) -> str:
        if self.user is None:
            return "unchanged" if self.leaving else "create"  # someone who left is not created
        return "update" if self.changes else "unchanged"


@dataclass
class ImportPlan(table.Plan):
    rows: list[RowPlan] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    def listed(self, action: str, keep=None) -> tuple[list[RowPlan], int]:
        """As ``table.Plan.listed``; also listed, wherever they stand: a row whose change
        leaves something without someone to act, a name a certificate cannot print."""
        return super().listed(action, keep or (lambda row: bool(row.dependents or row.name_warning)))

    @property
    def leaves_dependents(self) -> bool:
        """Whether HR must choose what happens to what the import leaves without someone to act."""
        return any(r.dependents for r in self.rows)


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    passwords: list[tuple[str, str, str]]  # (employee_no, name, temporary password)
    dependents_ended: bool = False  # HR chose to end what the import left without someone to act


# --- looking up what the cells name -----------------------------------------------

def _labels(mapping: dict, aliases: dict) -> dict[str, str]:
    """Code, English label and Chinese label of each entry → code."""
    lookup = {code.lower(): code for code in mapping}
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            lookup.update({str(label).lower(): code for code, label in mapping.items()})
    lookup.update(aliases)
    return lookup


def _branches() -> dict[str, Branch]:
    lookup = {}
    for branch in db.session.scalars(select(Branch)):
        lookup[branch.code.lower()] = branch
        lookup[branch.name.lower()] = branch
    return lookup


def _describe_roles(roles) -> str:
    return punctuation.listing(str(ROLES[r]) for r in sorted(roles)) or "—"


# --- the plan ---------------------------------------------------------------------

def plan_import(data: bytes, filename: str, *, actor: User | None = None, today: date | None = None) -> ImportPlan:
    """Read the file and check every row; nothing is changed."""
    today = today or clock.today()
    plan = ImportPlan(filename=filename)
    body = table.read(plan, data, filename, table.Columns(
        (*HEADERS, *OPTIONAL), HEADERS, no_rows=_("The file has a header but no people."),
        too_many=_too_many, max_rows=MAX_ROWS, column_of=_column_of,
        numbers=(COL_NO,), spellings=import_spelling.HEADER_ALIASES))
    if not body:
        return plan

    positions = _labels(POSITIONS, POSITION_ALIASES)
    roles = _labels(ROLES, ROLE_ALIASES)
    branches = _branches()
    existing = {u.employee_no: u for u in db.session.scalars(select(User))}
    folded, twins = {no.lower(): u for no, u in sorted(existing.items(), reverse=True)}, case_twins()
    padded = services.zero_padded_employee_numbers(l.values[COL_NO] for l in body if l.is_number(COL_NO))
    seen: dict[str, table.Row] = {}
    # What the eligibility rules need about everyone the file names, read once for all rows.
    gates = position_gates.prepare((existing.get(_employee_no(l, padded)) for l in body),
                                   {positions.get(l.values[COL_POSITION].lower()) for l in body} - {None})

    for line in body:
        row_no, values, cell, problem = line.number, line.values, line.cell, line.problem
        employee_no = _employee_no(line, padded)
        if employee_no:
            if len(employee_no) > 32 or re.search(r"\s", employee_no):
                problem(COL_NO, _("“%(value)s” is not a valid employee number (no spaces, at most 32 characters).",
                                  value=employee_no))
            elif invisible_character(employee_no):
                problem(COL_NO, _("It contains an invisible character or a text-direction mark (%(code)s). "
                                  "Type it again without it.", code=invisible_character(employee_no)))
            elif (wrong := employee_numbers.problem(employee_no)) is not None:
                problem(COL_NO, wrong)
            elif (people := twins.get(employee_no.lower())) is not None:  # ZZ01 and zz01: which one?
                problem(COL_NO, employee_numbers.twins_problem(employee_no, people))
            elif employee_no not in existing and (other := folded.get(employee_no.lower())) is not None:
                problem(COL_NO, _("“%(value)s” differs from %(existing)s (%(name)s) only in upper and lower case: "
                                  "write it as %(existing)s to change that person, or give the new person another "
                                  "employee number.", value=employee_no, existing=other.employee_no, name=other.name))
            elif (first := seen.get(employee_no.lower())) is not None:
                differ = [f"“{line.shown(c)}”" for c in (*HEADERS[1:], *OPTIONAL) if first.values[c] != values[c]]
                if not differ:  # the same person twice (a join in the HR system's report)
                    plan.notes.append(table.Problem(row_no, "", _("the same as row %(row)d: read once.",
                                                                  row=first.number)))
                    continue
                problem(COL_NO, _("“%(value)s” appears already in row %(row)d, which differs in %(columns)s: keep "
                                  "the row that is right and delete the other.", value=employee_no, row=first.number,
                                  columns=punctuation.listing(differ)))
            else:
                seen[employee_no.lower()] = line
        name = import_spelling.tidy_name(values[COL_NAME])
        if name != values[COL_NAME]:
            plan.notes.append(table.Problem(row_no, line.shown(COL_NAME), _(
                "“%(value)s” is read as “%(name)s”: spaces between Chinese characters are left out and a dot in a "
                "name is written “·”.", value=values[COL_NAME], name=name)))
        if len(name) > 80:
            problem(COL_NAME, _("longer than %(n)d characters.", n=80))
        elif invisible_character(name):
            problem(COL_NAME, _("It contains an invisible character or a text-direction mark (%(code)s). "
                                "Type it again without it.", code=invisible_character(name)))

        branch = branches.get(values[COL_BRANCH].lower())
        if values[COL_BRANCH] and branch is None:
            meant = import_spelling.branch_meant(values[COL_BRANCH], set(branches.values()))
            if meant is not None:
                problem(COL_BRANCH, _("unknown branch “%(value)s”. If it is “%(branch)s”, write “%(branch)s” or its "
                                      "code %(code)s.", value=values[COL_BRANCH], branch=meant.name, code=meant.code))
            else:
                problem(COL_BRANCH, _("unknown branch “%(value)s”.", value=values[COL_BRANCH]))
        position = positions.get(values[COL_POSITION].lower())
        if values[COL_POSITION] and position is None:
            problem(COL_POSITION, _("unknown position “%(value)s”.", value=values[COL_POSITION]))
        hire_date = parse_date(cell(COL_HIRED))
        if values[COL_HIRED] and hire_date is None:
            problem(COL_HIRED, _("“%(value)s” is not a date; write it as YYYY-MM-DD.", value=values[COL_HIRED]))
        elif hire_date and hire_date > today:
            problem(COL_HIRED, _("%(day)s is in the future.", day=hire_date.isoformat()))
        elif hire_date and hire_date < EARLIEST:
            problem(COL_HIRED, _("%(day)s is before %(earliest)s: check the year.", day=hire_date.isoformat(),
                                 earliest=EARLIEST.isoformat()))
        email = values[COL_EMAIL]
        if email and (len(email) > 255 or not re.match(EMAIL_PATTERN, email)):
            problem(COL_EMAIL, _("“%(value)s” is not an e-mail address.", value=email))
        override = values[COL_OVERRIDE]
        if len(override) > 500:
            problem(COL_OVERRIDE, _("longer than %(n)d characters.", n=500))
        wanted_roles = set()
        for word in (w for w in ROLE_SEPARATORS.split(values[COL_ROLES]) if w):
            code = roles.get(word.lower())
            if code is None:
                problem(COL_ROLES, _("unknown role “%(value)s”.", value=word))
            else:
                wanted_roles.add(code)

        status = values[COL_STATUS].lower()
        leaving = True if status in LEFT else False if status in AT_WORK else None
        if status and leaving is None:
            problem(COL_STATUS, _("unknown status “%(value)s”; write 在职 (at work) or 离职 (left).", value=values[COL_STATUS]))

        if line.count:
            continue
        row = RowPlan(row_no, employee_no, name, branch, position, hire_date, wanted_roles,
                      user=existing.get(employee_no), email=email or None, override_reason=override,
                      leaving=leaving)
        if leaving:
            _check_leaving(row, actor, problem)
        else:
            _check_rules(row, actor, today, problem, gates)
            if row.user is not None:
                _describe_changes(row, gates)
        _find_dependents(row)
        plan.rows.append(row)
    plan.notes.sort(key=lambda p: p.row)
    plan.problems.sort(key=lambda p: (p.row, (*HEADERS, *OPTIONAL).index(p.key or p.column) if p.column else -1))
    return plan


def _too_many(count: int) -> str:
    return _("The file has %(count)s people; at most %(limit)s can be imported from one file. Split it into files "
             "of at most %(limit)s people each and import them one after another.", count=reading_number(count),
             limit=reading_number(MAX_ROWS))


def _employee_no(line: table.Row, padded: dict[str, str]) -> str:
    """A 工号 typed as a number lost its leading zeros in Excel: 123 is the existing 00123;
    one typed full-width (Ｅ１００１) is E1001 (``employee_numbers.normalise``)."""
    typed = employee_numbers.normalise(line.values[COL_NO])
    return padded.get(typed, typed) if line.is_number(COL_NO) else typed


def _column_of(header: str) -> str | None:
    if header in HEADERS or header in OPTIONAL:
        return header
    if column := import_spelling.column_of_alias(header):
        return column
    return COL_STATUS if header in STATUS_HEADERS else None


def _check_leaving(row: RowPlan, actor: User | None, problem) -> None:
    """Someone who left: deactivated if they have an active account; nothing else of the row changes."""
    user = row.user
    if user is None or not user.active:
        return
    if own_case(actor, user.id):
        problem(COL_STATUS, _("you cannot deactivate yourself."))
    elif (last_admin := admins.last_admin_problem(user, user.roles, active_after=False)) is not None:
        problem(COL_STATUS, last_admin)
    elif not services.may_manage(actor, user):
        problem(COL_NO, _("only an administrator may change an administrator's account."))
    else:
        row.changes.append((COL_STATUS, _("at work"), _("left: the account is deactivated")))


def _roles_after(row: RowPlan) -> set[str]:
    return row.user.roles if row.leaving else row.roles


def _active_after(row: RowPlan) -> bool:
    return False if row.leaving else (True if row.leaving is False else row.user.active)


def _find_dependents(row: RowPlan) -> None:
    """What deactivating the row's person, or the roles the row takes away, leaves
    without someone to act — as the person page lists it (``dependents.affected``)."""
    user = row.user
    if row.action != "update" or not user.active:
        return
    if row.leaving or user.roles - row.roles:
        row.dependents = dependents.affected(user, roles_after=_roles_after(row), active_after=_active_after(row))


def _check_rules(row: RowPlan, actor: User | None, today: date, problem, gates: position_gates.Gates) -> None:
    user = row.user
    if actor is not None and "admin" not in actor.roles:
        if user is not None and "admin" in user.roles and ("admin" not in row.roles or _differs(row)):
            problem(COL_NO, _("only an administrator may change an administrator's account."))
        elif "admin" in row.roles and (user is None or "admin" not in user.roles):
            problem(COL_ROLES, _("only an administrator may grant the administrator role."))
    changed = row.roles ^ (user.roles if user is not None else set())
    own = user is not None and own_case(actor, user.id)
    if own and changed:
        problem(COL_ROLES, _("you cannot change your own roles."))
    elif "trainer" in changed and "trainer" not in services.assignable_roles(actor):
        problem(COL_ROLES, _("only an administrator may grant or remove the trainer role."))
    if user is not None and (last_admin := admins.last_admin_problem(user, row.roles)) is not None:
        problem(COL_ROLES, last_admin)
    current = user.current_position if user is not None else None
    if own:
        _check_own_row(row, problem)
    elif current is not None and current.position != row.position and today <= current.start_date:
        problem(COL_POSITION, _("the current position started on %(day)s; a change can start the day after at the earliest.",
                                day=current.start_date.isoformat()))
    elif current is None or current.position != row.position:
        _check_gates(row, actor, problem, gates)


def _check_own_row(row: RowPlan, problem) -> None:
    """The importer's own row: what decides their post stays as it is (``lms.own_case``)."""
    user, current = row.user, row.user.current_position
    own = {COL_NAME: user.name != row.name, COL_BRANCH: user.branch_id != row.branch.id,
           COL_HIRED: user.hire_date != row.hire_date,
           COL_POSITION: (current.position if current else None) != row.position}
    for column in (column for column, differs in own.items() if differs):
        problem(column, _("this row is you: another HR colleague changes your own record."))


def _check_gates(row: RowPlan, actor: User | None, problem, gates: position_gates.Gates) -> None:
    """The same rule as a change on the web (``services.check_position_gates``), as a problem of the row."""
    refused = gates.refusals(row.user, row.position)
    if not refused:
        return
    if not row.override_reason:
        problem(COL_POSITION, _("not eligible for %(position)s: %(conditions)s. To record it anyway, give HR's "
                                "reason in the column “%(column)s”.", position=POSITIONS[row.position],
                                conditions=position_gates.describe(refused), column=COL_OVERRIDE))
    elif not services.may_override_eligibility(actor):
        problem(COL_OVERRIDE, _("only HR may override an eligibility rule."))
    elif row.user is not None and own_case(actor, row.user.id):
        problem(COL_OVERRIDE, _("you cannot override an eligibility rule for yourself."))


def _differs(row: RowPlan) -> bool:
    user = row.user
    current = user.current_position
    return ((row.leaving is False and not user.active) or user.name != row.name or user.branch_id != row.branch.id or user.hire_date != row.hire_date
            or user.roles != row.roles or (current.position if current else None) != row.position
            or (row.email is not None and row.email != user.email))


def _describe_changes(row: RowPlan, gates: position_gates.Gates) -> None:
    user = row.user
    if user.name != row.name:
        row.changes.append((COL_NAME, user.name, row.name))
    if user.branch_id != row.branch.id:
        row.changes.append((COL_BRANCH, user.branch.name if user.branch else "—", row.branch.name))
    if user.hire_date != row.hire_date:
        row.changes.append((COL_HIRED, user.hire_date.isoformat() if user.hire_date else "—",
                            row.hire_date.isoformat()))
    current = user.current_position
    if (current.position if current else None) != row.position:
        row.changes.append((COL_POSITION, str(POSITIONS[current.position]) if current else "—",
                            str(POSITIONS[row.position])))
        if row.override_reason and gates.refusals(user, row.position):
            row.changes.append((COL_OVERRIDE, "—", row.override_reason))
    if user.roles != row.roles:
        row.changes.append((COL_ROLES, _describe_roles(user.roles), _describe_roles(row.roles)))
    if row.email is not None and row.email != user.email:
        row.changes.append((COL_EMAIL, user.email or "—", row.email))
    if row.leaving is False and not user.active:
        row.changes.append((COL_STATUS, _("deactivated"), _("at work: the account is reactivated")))


# --- carrying it out --------------------------------------------------------------

@transaction(immediate=True)
def apply_import(plan: ImportPlan, *, actor: User | None = None, today: date | None = None,
                 end_dependents: bool = False) -> ImportResult:
    """Create and update the people of a plan without problems, in the caller's
    transaction: the new people all at once (``new_people``), then the changes row
    by row. New people get a temporary password they must change.
    ``end_dependents``: also end what a deactivation or a lost role leaves
    without someone to act (a leaver's pairings), with the row's reason;
    otherwise those stay, flagged for HR."""
    if not plan.ok:
        raise services.OrgError(_("The file has problems; nothing was imported."))
    today = today or clock.today()
    created = [row for row in plan.rows if row.action == "create"]
    people = [new_people.NewPerson(row.employee_no, row.name, row.branch, frozenset(row.roles), row.position,
                                   row.hire_date, services.generate_temporary_password(), email=row.email,
                                   override_reason=row.override_reason) for row in created]
    try:
        new_people.create_people(people, actor=actor, note=_("Imported from %(file)s", file=plan.filename))
    except new_people.PersonRefused as exc:
        # A rule broken since the file was checked (another HR officer imported the
        # same people a moment before): the whole file is rolled back, the row named.
        raise table.RowRefused(table.Problem(created[exc.index].row, "", str(exc))) from None
    try:
        changed_people.apply_rows([row for row in plan.rows if row.action == "update"], plan.filename,
                                  actor=actor, today=today, end_dependents=end_dependents)
    except changed_people.RowFailed as exc:
        raise table.RowRefused(table.Problem(exc.row, "", str(exc))) from None
    passwords = [(row.employee_no, row.name, person.temporary_password) for row, person in zip(created, people)]
    result = ImportResult(len(created), plan.count("update"), plan.count("unchanged"), passwords,
                          dependents_ended=end_dependents and plan.leaves_dependents)
    if result.created or result.updated:  # a file that changes nothing leaves no trace
        audit.record("people.imported", object_type="import", file=plan.filename, created=result.created,
                     updated=result.updated, unchanged=result.unchanged)
    return result


def passwords_csv(result: ImportResult) -> bytes:
    """The initial passwords as a CSV Excel opens (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([COL_NO, COL_NAME, "初始密码"])
    for row in result.passwords:
        # A name like "=HYPERLINK(…)" (or " =…", "\t=…", "＝…") would be run as a formula by Excel.
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def template_csv() -> bytes:
    return blank_csv(HEADERS)


def template_xlsx() -> bytes:
    return blank_xlsx(HEADERS, "人员", (12, 10, 14, 16, 12, 20), text_columns=(COL_NO,))
