"""One page of the overdue list, in the download's order (longest overdue first, then branch code
and 工号, a learner's weeks due the same day in the programme's order), with the list's totals.

At 20,000 people × 52 weeks the list is ~400,000 lines: the page used to build every one (each
learner's cells from the database's sums, a line object each) and send them all. Here the
database says which weeks each learner is overdue in (``state_filter.week_masks``: one GROUP BY
row per learner, a bit a week); the lines are counted and the page's place found from those bits,
and only the page's lines get their cells (``cells.cells_for``: one read of those few learners'
attempts). Who is in a programme is decided in Python (``lms.programmes.audience``: the file's
rule, HR's additions and removals, enrolment dates), so the paging is over the database's bits,
not a LIMIT/OFFSET. A quarterly requirement's missed quarters are read in one statement
(``quarters.cells_for``) and its page is a slice of the same lines."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from lms import clock
from lms.content.models import Programme
from lms.programmes.services import QUARTERLY
from lms.reports import cells as cell_rules, state_filter
from lms.reports.members import roster_members
from lms.reports.roster import Overdue, RosterFilter, columns, overdue_lines

PAGE_SIZE = 100


@dataclass
class OverduePage:
    items: list[Overdue]
    total: int  # the lines of every page
    page: int = 1
    pages: int = 1
    people: int | None = None  # on the roster (filter and scope); known when nobody is overdue

    @property
    def nobody_asked(self) -> bool:
        """An empty list about an empty roster: "nobody is overdue" would be true of nobody."""
        return self.people == 0


def _pages(total: int, page: int) -> tuple[int, int]:
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(page, 1), pages), pages


def group_counts(masks: list[int], groups: list[int], width: int) -> list[int]:
    """For each group (a mask of weeks), the set bits of every learner's mask within it:
    ``sum((mask & group).bit_count() for mask in masks)``, without a Python step per learner and
    group (20,000 learners × 52 due days was a million). The masks (under ``width`` bits) are laid
    side by side in one integer, a whole number of bytes each, and each group repeated as often:
    one AND and one bit count per group."""
    if not masks:
        return [0 for _group in groups]
    size = max(1, -(-width // 8))
    packed = int.from_bytes(b"".join(mask.to_bytes(size, "little") for mask in masks), "little")
    return [(packed & int.from_bytes(group.to_bytes(size, "little") * len(masks), "little")).bit_count()
            for group in groups]


def overdue_page(programme: Programme, scope, flt: RosterFilter, page: int = 1, today: date | None = None
                 ) -> OverduePage:
    """Page ``page`` (from 1; past the last: the last) of ``roster.overdue``'s lines."""
    today = today or clock.today()
    if programme.recurring == QUARTERLY:
        lines = overdue_lines(programme, scope, flt, today)
        total = len(lines)
        page, pages = _pages(total, page)
        start = (page - 1) * PAGE_SIZE
        people = None if total else sum(1 for m in roster_members(programme, scope) if flt.keep(m))
        return OverduePage(list(itertools.islice(lines, start, start + PAGE_SIZE)), total, page, pages, people)
    weeks = [w for w in flt.chosen(columns(programme, today)) if w.due_on < today]
    members = [m for m in roster_members(programme, scope) if flt.keep(m)]
    states = ("overdue", flt.state) if flt.state and flt.state != "overdue" else ("overdue",)
    masks = state_filter.week_masks(members, weeks, states, today)
    days = sorted({w.due_on for w in weeks})
    groups = [(sum(1 << i for i, w in enumerate(weeks) if w.due_on == day), day) for day in days]
    counts = group_counts(masks, [group for group, _day in groups], len(weeks))
    total = sum(counts)
    page, pages = _pages(total, page)
    skip, chosen = (page - 1) * PAGE_SIZE, []
    for (group, _day), count in zip(groups, counts):
        if skip >= count:
            skip -= count
            continue
        for place, mask in enumerate(masks):
            hit = mask & group
            if not hit:
                continue
            for i, week in enumerate(weeks):
                if hit >> i & 1:
                    if skip:
                        skip -= 1
                    elif len(chosen) < PAGE_SIZE:
                        chosen.append((place, week))
            if len(chosen) == PAGE_SIZE:
                break
        if len(chosen) == PAGE_SIZE:
            break
    shown = list({place: members[place] for place, _w in chosen}.values())
    cells = cell_rules.cells_for(shown, list({w.id: w for _p, w in chosen}.values()), today)
    items = [Overdue(member=members[place], week=w, cell=cells[members[place].user.id][w.id],
                     days=(today - w.due_on).days) for place, w in chosen]
    return OverduePage(items, total, page, pages, len(members))
