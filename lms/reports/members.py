"""Who is on a programme's roster: its audience, within what the viewer may see.

Everything the reports list goes through ``roster_members``, so the rule of
membership is the programme's own (``lms.programmes.audience.members``: the
file's rule, HR's additions and removals, and each person's enrolment date —
weeks due before it are catch-up, 补学, not overdue), read in a fixed number
of statements whatever the number of people."""
from __future__ import annotations

from datetime import date

from lms.content.models import Programme
from lms.programmes.audience import Member, members, members_of_each


def programme_start(programme: Programme) -> date | None:
    dates = [item.opens_on for item in programme.items if not item.retired]
    return min(dates) if dates else None


def roster_members(programme: Programme, scope: list[int] | None) -> list[Member]:
    """The programme's members (active people) whose branch is in ``scope``
    (``None``: the whole bank; see ``lms.org.scope.branch_scope``), ordered by
    branch code and 工号."""
    if scope is not None and not scope:
        return []
    return _in_scope(members(programme), scope)


def roster_members_of(programmes: list[Programme], scope: list[int] | None) -> dict[int, list[Member]]:
    """``roster_members`` of several programmes (programme id → members), the people read once."""
    if scope is not None and not scope:
        return {p.id: [] for p in programmes}
    return {pid: _in_scope(found, scope) for pid, found in members_of_each(programmes).items()}


def _in_scope(found: list[Member], scope: list[int] | None) -> list[Member]:
    allowed = None if scope is None else set(scope)
    chosen = [m for m in found if allowed is None or m.user.branch_id in allowed]
    chosen.sort(key=lambda m: (m.user.branch.code if m.user.branch else "", m.user.employee_no))
    return chosen
