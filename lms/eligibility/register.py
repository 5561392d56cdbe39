"""HR's eligibility register: people × rules, filtered by branch (with its
sub-branches, within the viewer's scope), current position, rule, state and
a text search; a page of people, or every matching row for the exports.

A page costs a fixed number of statements whatever the number of people:
the rules, the branches, the people (one plain read) and ``facts.load``.
Without a state filter only the page's people are evaluated; with one,
everybody who matches the other filters is."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms import clock, punctuation
from lms.content.models import EligibilityRule
from lms.eligibility import engine, facts as facts_mod
from lms.extensions import db
from lms.org.models import POSITIONS, Branch, PositionRecord, User
from lms.text_search import matching

PAGE_SIZE = 50


@dataclass(frozen=True)
class PersonRow:
    id: int
    employee_no: str
    name: str
    branch_id: int | None
    position: str  # current


@dataclass
class RegisterFilter:
    q: str = ""
    branch_ids: list[int] | None = None  # the chosen branch's subtree, checked against the scope
    position: str = ""
    rule_id: int | None = None
    state: str = ""  # "", eligible, not_eligible


@dataclass
class RegisterRow:
    person: PersonRow
    verdicts: list[engine.Verdict]

    def matches(self, state: str) -> bool:
        return not state or any(v.state == state for v in self.verdicts)


@dataclass
class Register:
    rules: list[EligibilityRule]
    rows: list[RegisterRow]
    branches: dict[int, Branch]
    total: int = 0
    page: int = 1
    pages: int = 1
    today: date = field(default_factory=clock.today)


def _people_query(scope: list[int] | None, flt: RegisterFilter):
    """Active people with a current position (the career path the rules are
    about) in ``scope`` matching the filter, by branch code and 工号."""
    current = (select(PositionRecord.user_id, PositionRecord.position)
               .where(PositionRecord.end_date.is_(None)).subquery())
    stmt = (select(User.id, User.employee_no, User.name, User.branch_id, current.c.position)
            .join(current, current.c.user_id == User.id)
            .outerjoin(Branch, Branch.id == User.branch_id)
            .where(User.active.is_(True)))
    if scope is not None:
        stmt = stmt.where(User.branch_id.in_(scope))
    if flt.branch_ids is not None:
        stmt = stmt.where(User.branch_id.in_(flt.branch_ids))
    if flt.position:
        stmt = stmt.where(current.c.position == flt.position)
    if flt.q:
        stmt = stmt.where(matching(flt.q, names=(User.name, Branch.name), codes=(User.employee_no,)))
    return stmt


def people(scope: list[int] | None, flt: RegisterFilter, limit: int | None = None, offset: int = 0
           ) -> list[PersonRow]:
    """The people of the register (``_people_query``), a page of them or all. One statement."""
    if scope is not None and not scope:
        return []
    stmt = _people_query(scope, flt).order_by(Branch.code, User.employee_no, User.id)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return [PersonRow(*row) for row in db.session.execute(stmt)]


def count_people(scope: list[int] | None, flt: RegisterFilter) -> int:
    if scope is not None and not scope:
        return 0
    return db.session.scalar(select(func.count()).select_from(_people_query(scope, flt).subquery()))


def rules_for(flt: RegisterFilter) -> list[EligibilityRule]:
    rules = facts_mod.active_rules()
    if flt.rule_id is not None:
        rules = [r for r in rules if r.id == flt.rule_id]
    return rules


def branches() -> dict[int, Branch]:
    return {b.id: b for b in db.session.scalars(select(Branch))}


def build(scope: list[int] | None, flt: RegisterFilter, page: int | None = 1, today: date | None = None) -> Register:
    """The register's page ``page`` (``None``: every matching person)."""
    today = today or clock.today()
    rules = rules_for(flt)
    if (flt.state and rules) or page is None:
        found = people(scope, flt)
        verdicts = engine.evaluate_people([p.id for p in found], rules, today)[1] if rules else {}
        rows = [RegisterRow(p, verdicts.get(p.id, [])) for p in found]
        if flt.state:
            rows = [r for r in rows if r.matches(flt.state)]
        total = len(rows)
        pages, page, chosen = _paginate(total, page)
        rows = rows[chosen]
    else:
        # Without a state to filter on, the page is cut in SQL and only its people are evaluated.
        total = count_people(scope, flt)
        pages, page, chosen = _paginate(total, page)
        shown = people(scope, flt, limit=PAGE_SIZE, offset=chosen.start)
        verdicts = engine.evaluate_people([p.id for p in shown], rules, today)[1] if rules else {}
        rows = [RegisterRow(p, verdicts.get(p.id, [])) for p in shown]
    return Register(rules=rules, rows=rows, branches=branches(), total=total, page=page, pages=pages, today=today)


def _paginate(total: int, page: int | None) -> tuple[int, int, slice]:
    if page is None:
        return 1, 1, slice(None)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    return pages, page, slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)


def person_verdicts(user: User, today: date | None = None) -> list[engine.Verdict]:
    return engine.verdicts_for(user, today)


# --- the export: one row per person × rule --------------------------------------------

def export_table(register: Register, state: str = "") -> tuple[list[str], list[list]]:
    headers = [_("Employee number"), _("Name"), _("Branch"), _("Position"), _("Rule"), _("Target"), _("Verdict"),
               _("Unmet conditions"), _("Conditions and evidence")]
    out = []
    positions = {code: str(label) for code, label in POSITIONS.items()}
    rules = [(rule.title, target_label(rule.target)) for rule in register.rules]  # in the verdicts' order
    words = {True: state_label("eligible"), False: state_label("not_eligible")}
    branch_names = {bid: b.name for bid, b in register.branches.items()}
    # A person's conditions are shared by their rules, and many people's read
    # alike ("no …", the same sign-off): each condition's words are made once.
    said, lines = _Said(), _Lines()
    for row in register.rows:
        p = row.person
        person = [p.employee_no, p.name, branch_names.get(p.branch_id, ""), positions.get(p.position, p.position)]
        for (title, target), v in zip(rules, row.verdicts, strict=True):
            if state and v.state != state:
                continue
            conditions = v.conditions
            out.append([*person, title, target, words[v.eligible],
                        punctuation.statements([said[c] for c in conditions if not c.met]),
                        "\n".join(map(lines.__getitem__, conditions))])
    return headers, out


class _Said(dict):
    """condition → its words ("label: evidence")."""

    def __missing__(self, condition) -> str:
        said = self[condition] = str(condition)
        return said


class _Lines(dict):
    """condition → its line in the evidence column, ticked or crossed."""

    def __missing__(self, condition) -> str:
        line = self[condition] = ("✓ " if condition.met else "✗ ") + str(condition)
        return line


def target_label(target: str) -> str:
    if target == "mentor":
        return _("Mentor")
    return str(POSITIONS.get(target, target))


def state_label(state: str) -> str:
    return _("Eligible") if state == "eligible" else _("Not eligible")
