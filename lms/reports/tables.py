"""The rows of each downloadable table, in the order and words of the page."""
from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _

from lms.org.models import POSITIONS
from lms.reports.labels import cell_texts
from lms.scores import score


def _pct(value) -> str:
    return "" if value is None else f"{score(value * 100)}%"


def _position(user) -> str:
    p = user.current_position
    return str(POSITIONS.get(p.position, p.position)) if p else ""


def _positions():
    """``_position`` for the lines of a download: each position's words translated once (a
    lazy string asks Flask-Babel for the locale each time: a quarter of the overdue list's CPU)."""
    words: dict[str, str] = {}

    def position(user) -> str:
        p = user.current_position
        if p is None:
            return ""
        found = words.get(p.position)
        if found is None:
            found = words[p.position] = str(POSITIONS.get(p.position, p.position))
        return found

    return position


def roster_table(roster) -> tuple[list[str], Iterator[list]]:
    """The headers and the rows, made as they are written (a generator: a
    year's roster is never held whole)."""
    quarterly = roster.programme.recurring == "quarterly"  # the columns are quarters ("2026 Q3")
    headers = [_("Employee number"), _("Name"), _("Branch"), _("Position")] + \
              [w.title if quarterly else _("Week %(n)d", n=w.number) for w in roster.weeks]

    def rows():
        text, position, week_ids = cell_texts(), _positions(), [w.id for w in roster.weeks]
        for m, cells in roster.row_cells():
            u = m.user
            yield ([u.employee_no, u.name, u.branch.name if u.branch else "", position(u)]
                   + [text(cells[week_id]) for week_id in week_ids])

    return headers, rows()


def totals_table(totals) -> tuple[list[str], list[list]]:
    quarterly = totals.programme.recurring == "quarterly"  # a row per branch and quarter ("2026 Q3")
    headers = [_("Branch"), _("Quarter") if quarterly else _("Week"), _("Learners"), _("Passed"), _("Completion"),
               _("First-try pass rate"), _("Mean score"), _("Overdue")]
    rows = []
    for branch in totals.branches:
        for w in totals.weeks:
            t = totals.table.get((branch.id, w.id))
            if t is not None:
                rows.append([branch.name, w.title if quarterly else w.number, t.learners, t.passed, _pct(t.completion),
                             _pct(t.first_try_pass_rate), "" if t.mean_score is None else score(t.mean_score),
                             t.overdue])
    for w in totals.weeks:
        t = totals.bank[w.id]
        rows.append([_("All branches"), w.title if quarterly else w.number, t.learners, t.passed, _pct(t.completion),
                     _pct(t.first_try_pass_rate), "" if t.mean_score is None else score(t.mean_score), t.overdue])
    return headers, rows


def overdue_table(items, quarterly: bool = False) -> tuple[list[str], Iterator[list]]:
    """``quarterly``: a quarterly requirement's list, one line per person and missed quarter.
    ``items``: a list or a generator (``roster.overdue_lines``); the rows are made as they are written."""
    headers = [_("Employee number"), _("Name"), _("Branch"), _("Position"), _("Quarter") if quarterly else _("Week"),
               _("Due"), _("Days overdue"), _("Status")]
    return headers, _overdue_rows(items)


def _overdue_rows(items) -> Iterator[list]:
    """A person's 工号, name, branch and position, and a week's title and due date, read once
    (the year's overdue list at 20,000 people is ~400,000 lines, ~20 a person and ~8,000 a week)."""
    text, position = cell_texts(), _positions()
    people: dict[int, tuple] = {}  # user id → the line's first four cells
    weeks: dict[int, tuple] = {}  # id of the week (or quarter) → (it, its title, its due date)
    for o in items:
        user = o.member.user
        person = people.get(user.id)
        if person is None:
            person = people[user.id] = (user.employee_no, user.name, user.branch.name if user.branch else "",
                                        position(user))
        week = weeks.get(id(o.week))
        if week is None:  # the week itself kept: its id stays its own while the lines are made
            week = weeks[id(o.week)] = (o.week, o.week.title, o.week.due_on)
        yield [*person, week[1], week[2], o.days, text(o.cell)]


def _standing(s) -> list:
    return [_pct(s.pass_rate), _pct(s.first_try_pass_rate), "" if s.mean_score is None else score(s.mean_score),
            s.attempts, s.taken]


def _taken(result) -> str:
    """The last column: exams taken, or a quarterly requirement's quarters counted."""
    return _("Quarters counted") if result.programme.recurring == "quarterly" else _("Exams taken")


def learner_rankings_table(result) -> tuple[list[str], list[list]]:
    headers = [_("Rank"), _("Employee number"), _("Name"), _("Branch"), _("Pass rate"), _("First-try pass rate"),
               _("Mean score"), _("Attempts"), _taken(result)]
    rows = [[f"{r.rank}" + (f" {_('tied')}" if r.tied else ""), r.member.user.employee_no, r.member.user.name,
             r.member.user.branch.name if r.member.user.branch else ""] + _standing(r.standing)
            for r in result.learners]
    return headers, rows


def branch_rankings_table(result) -> tuple[list[str], list[list]]:
    headers = [_("Rank"), _("Branch"), _("Learners"), _("Pass rate"), _("First-try pass rate"), _("Mean score"),
               _("Attempts"), _taken(result)]
    rows = [[f"{r.rank}" + (f" {_('tied')}" if r.tied else ""), r.branch.name, r.learners] + _standing(r.standing)
            for r in result.branches]
    return headers, rows
