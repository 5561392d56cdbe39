"""The roster filtered by a state ("failed in week 3", "overdue in any week")
decided by the database, not by a cell per learner and week in Python.

One GROUP BY per (learner, exam) gives what ``cells.cell_for`` decides from:
the best finalised result and whether the deciding attempt passed (``cells.deciding_passed``:
the earliest of equal top percents, as on the learner's page), an open attempt still in
time, an attempt waiting for grading (those whose fail is certain are failed weeks, as on
the learner's page: ``waiting``, one more statement when one waits). The outer GROUP BY per learner folds
the weeks into bit masks (one bit a week): passed, in progress, waiting,
failed. Each learner's state in the chosen weeks is then a few bit operations
with the weeks' dates and the learner's enrolment date (overdue against
catch-up) — a year of 5,000 learners × 52 weeks is 5,000 rows of five
integers. Exams scored by their latest attempt (rare) go through ``cells``
for their weeks: the same words either way (tested)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, and_, case, cast, func, literal, select

from lms import clock, in_list
from lms.content.models import ProgrammeItem
from lms.exams.models import Attempt, AttemptState, grace
from lms.extensions import db
from lms.programmes import services as week_rules
from lms.reports import cells as cell_rules, waiting as waiting_rules

# Weeks folded into one integer column (a signed 64-bit sum holds 62 bits).
BITS = 60
_KINDS = ("passed", "in_progress", "grading", "failed")


def _masks(exam_bits: dict[int, int], user_ids: list[int] | None, passed_only: bool = False
           ) -> dict[int, list[int]]:
    """user id → [passed, in progress, grading, failed] week masks, for the
    weeks of ``exam_bits`` (exam id → the mask of its weeks). One statement.
    ``passed_only``: the passed weeks alone (the others 0), the learners without one left out."""
    counts = and_(Attempt.state == AttemptState.FINALISED, Attempt.percent.is_not(None))
    if passed_only:
        return _passed_masks(exam_bits, user_ids, counts)
    limit = clock.now() - grace()
    open_now = func.max(case((and_(Attempt.state == AttemptState.OPEN, Attempt.deadline >= limit), 1), else_=0))
    grading = func.max(case((Attempt.state == AttemptState.GRADING, 1), else_=0))
    query = select(Attempt.user_id.label("user_id"), Attempt.exam_id.label("exam_id"),
                   *cell_rules.deciding_columns(counts, Attempt.passed), open_now.label("open_now"),
                   grading.label("grading")).where(Attempt.exam_id.in_(sorted(exam_bits)))
    if user_ids is not None:
        query = query.where(Attempt.user_id.in_(user_ids))
    per = query.group_by(Attempt.exam_id, Attempt.user_id).subquery()
    passed = cell_rules.deciding_passed(per.c) == 1  # as ``cells.deciding``: the earliest of equal tops
    # The order of cells.cell_for: passed, then in progress, then waiting, then failed.
    kind = case((passed, 0), (per.c.open_now == 1, 1), (per.c.grading == 1, 2), (per.c.best.is_not(None), 3),
                else_=None)
    bit = _bit(per.c.exam_id, exam_bits)
    columns = [func.coalesce(func.sum(case((kind == n, bit), else_=literal(0, BigInteger))), 0) for n in range(4)]
    out = {}
    for user_id, *masks in db.session.execute(select(per.c.user_id, *columns).group_by(per.c.user_id)):
        out[user_id] = [int(m) for m in masks]
    return out


def _bit(exam_id_column, exam_bits: dict[int, int]):
    return cast(case({exam_id: literal(mask, BigInteger) for exam_id, mask in exam_bits.items()},
                     value=exam_id_column, else_=literal(0, BigInteger)), BigInteger)


def _passed_masks(exam_bits: dict[int, int], user_ids: list[int] | None, counts) -> dict[int, list[int]]:
    """``_masks`` of the passed weeks alone: what the overdue list (and the roster filtered by
    "overdue") needs. A year of a bank is a million (learner, exam) groups: each decides only
    whether it passed, from one aggregate (``cells.deciding_key``), and the bits of those that did
    are summed per learner."""
    query = select(Attempt.user_id.label("user_id"), Attempt.exam_id.label("exam_id"),
                   cell_rules.deciding_key(counts).label("key")).where(Attempt.exam_id.in_(sorted(exam_bits)))
    if user_ids is not None:
        query = query.where(Attempt.user_id.in_(user_ids))
    per = query.group_by(Attempt.exam_id, Attempt.user_id).subquery()
    rows = db.session.execute(select(per.c.user_id, func.sum(_bit(per.c.exam_id, exam_bits)))
                              .where(cell_rules.key_passed(per.c.key) == 1).group_by(per.c.user_id))
    return {user_id: [int(mask), 0, 0, 0] for user_id, mask in rows}


def _certain_fails_as_failed(found: dict[int, list[int]], exam_bits: dict[int, int], user_ids) -> None:
    """Move the weeks whose every waiting attempt has a certain fail (``waiting``) from "waiting
    for grading" to "failed", as the learner's own page reads them. One statement."""
    for (user_id, exam_id), verdict in waiting_rules.verdicts(sorted(exam_bits), user_ids).items():
        masks = found.get(user_id)
        if masks is None or not waiting_rules.all_certain(verdict):
            continue
        moved = masks[2] & exam_bits[exam_id]
        masks[2] &= ~moved
        masks[3] |= moved


def _week_states(members, weeks: list[ProgrammeItem], today: date, passed_only: bool = False
                 ) -> dict[int, list[int]]:
    """user id → [passed, in progress, grading, failed] masks over ``weeks``
    (bit i: ``weeks[i]``), the learners without an attempt left out. ``passed_only``: the
    exams scored by their best attempt say only which weeks passed (``_passed_masks``)."""
    ids = [m.user.id for m in members]
    user_ids = in_list.ids_or_everyone(ids)  # many: everyone's attempts grouped, the others left out
    out: dict[int, list[int]] = {}
    best = [(i, w) for i, w in enumerate(weeks) if w.exam.scoring != "latest"]
    for start in range(0, len(best), BITS):
        group = best[start:start + BITS]
        exam_bits: dict[int, int] = {}
        for offset, (i, w) in enumerate(group):
            exam_bits[w.exam_id] = exam_bits.get(w.exam_id, 0) | (1 << offset)
        found = _masks(exam_bits, user_ids, passed_only)
        if any(masks[2] for masks in found.values()):
            _certain_fails_as_failed(found, exam_bits, user_ids)
        places = [i for i, _w in group]
        shift = places[0] if places == list(range(places[0], places[0] + len(places))) else None
        for user_id, masks in found.items():
            mine = out.setdefault(user_id, [0, 0, 0, 0])
            for kind, mask in enumerate(masks):
                if shift is not None:  # the group's weeks are consecutive: its bits move as one
                    mine[kind] |= mask << shift
                    continue
                while mask:  # each bit set (20,000 learners × 52 weeks: not every bit tried)
                    low = mask & -mask
                    mine[kind] |= 1 << places[low.bit_length() - 1]
                    mask ^= low
    latest = [(i, w) for i, w in enumerate(weeks) if w.exam.scoring == "latest"]
    if latest:
        cells = cell_rules.cells_for(members, [w for _i, w in latest], today)
        for m in members:
            for i, w in latest:
                status = cells[m.user.id][w.id].status
                if status in _KINDS:
                    out.setdefault(m.user.id, [0, 0, 0, 0])[_KINDS.index(status)] |= 1 << i
    return out


def matching(members, weeks: list[ProgrammeItem], state: str, today: date) -> list:
    """The members whose cell in any of ``weeks`` is in ``state`` (a word of
    ``cells.STATES``), in their order — what ``cells.cell_for(...).matches``
    says for each, without a cell per learner and week."""
    return [m for m, hit in zip(members, week_masks(members, weeks, (state,), today)) if hit]


def week_masks(members, weeks: list[ProgrammeItem], states: tuple[str, ...], today: date) -> list[int]:
    """Per member (in their order), the weeks (bit i: ``weeks[i]``) whose cell is in every one of
    ``states`` (words of ``cells.STATES``: "overdue" and "failed" is an overdue week failed) —
    ``cells.cell_for(...).matches`` for each, from the database's GROUP BY (``_week_states``)."""
    if not weeks or not members:
        return [0] * len(members)
    everything = (1 << len(weeks)) - 1
    opened = sum(1 << i for i, w in enumerate(weeks) if w.opens_on <= today)
    due = sum(1 << i for i, w in enumerate(weeks) if w.due_on < today)
    # Overdue and catch-up weeks are the due weeks not passed (and not "not open yet": a due week
    # has opened, unless its dates are odd): when every state asked reads only the passed weeks,
    # the database decides only those.
    passed_only = set(states) <= {week_rules.PASSED, "overdue", "catch_up"} and not due & ~opened
    found = _week_states(members, weeks, today, passed_only)
    before: dict[date | None, int] = {}  # enrolment date → the weeks due before it (catch-up, not overdue)
    out = []
    for m in members:
        passed, in_progress, grading, failed = found.get(m.user.id, (0, 0, 0, 0))
        in_progress &= ~passed
        grading &= ~(passed | in_progress)
        failed &= ~(passed | in_progress | grading)
        started = passed | in_progress | grading | failed
        hits = everything
        for state in states:
            if state == week_rules.PASSED:
                hit = passed
            elif state == week_rules.IN_PROGRESS:
                hit = in_progress
            elif state == week_rules.GRADING:
                hit = grading
            elif state == week_rules.FAILED:
                hit = failed
            elif state == week_rules.NOT_STARTED:
                hit = opened & ~started
            else:  # overdue or catch-up: due, not passed, and not "not open yet"
                late = due & ~passed & (opened | started)
                enrolled = m.enrolled_on
                if enrolled not in before:
                    before[enrolled] = 0 if enrolled is None else sum(
                        1 << i for i, w in enumerate(weeks) if w.due_on < enrolled)
                hit = late & before[enrolled] if state == "catch_up" else late & ~before[enrolled]
            hits &= hit
        out.append(hits)
    return out
