"""The roster's cells for a download or the overdue list of thousands of learners: the same
``cells.Cell`` as ``cells.cell_for``, from one GROUP BY row per (learner, exam) instead of
every attempt read into Python.

A year's roster of 20,000 learners × 52 weeks is ~1.6 million attempts: reading each into an
``AttemptRow`` and deciding each cell from them took ~90 s of CPU (bench/hr_downloads.py),
beyond a worker's 60 s. What a cell says needs only, per learner and exam: the best finalised
result and whether an attempt with it passed (``cells.deciding``: the highest percent, the
earliest of equals), the finalised attempts, every attempt, whether one is open within its time,
how many wait for grading (those whose fail is certain told apart by ``waiting``: one more
statement, only when one waits), and how the first finalised attempt went.

When a passed and a failed attempt share the best percent (the pass mark was changed between
them) the earliest decides: those few (learner, exam) pairs, and exams scored by their latest
attempt, go through ``cells.cell_for`` from their attempts (one more statement, only then).
The two ways give the same cells (tests/reports/test_cells_sql.py)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select

from lms import clock
from lms.exams.models import Attempt, AttemptState, grace
from lms.extensions import db
from lms.programmes import services as week_rules
from lms.reports import cells as cell_rules, waiting as waiting_rules


def _sums(exam_ids: list[int], user_ids: list[int]):
    finalised = Attempt.state == AttemptState.FINALISED
    done = and_(finalised, Attempt.percent.is_not(None))
    first = and_(finalised, Attempt.number == 1)
    limit = clock.now() - grace()
    query = (select(Attempt.user_id, Attempt.exam_id,
                    func.max(case((done, Attempt.percent))),
                    func.max(case((and_(done, Attempt.passed.is_(True)), Attempt.percent))),
                    func.max(case((and_(done, Attempt.passed.is_not(True)), Attempt.percent))),
                    func.sum(case((finalised, 1), else_=0)), func.count(),
                    func.max(case((and_(Attempt.state == AttemptState.OPEN, Attempt.deadline >= limit), 1), else_=0)),
                    func.sum(case((Attempt.state == AttemptState.GRADING, 1), else_=0)),
                    func.max(case((first, 1), else_=0)),
                    func.max(case((and_(first, Attempt.passed.is_(True)), 1), else_=0)))
             .where(Attempt.exam_id.in_(exam_ids), Attempt.user_id.in_(user_ids))
             .group_by(Attempt.user_id, Attempt.exam_id))
    # Plain rows through the session's connection: the ORM's result machinery costs more per
    # row than the rule below for the million rows of a year's roster.
    return db.session.connection().execute(query)


def cells_for(members, weeks: list, today: date | None = None) -> dict[int, dict[int, cell_rules.Cell]]:
    """user id → week id → ``cells.Cell``, as ``cells.cells_for`` says them. ``members``: a batch
    small enough for an IN list (``in_list.IN_LIST_LIMIT``)."""
    today = today or clock.today()
    user_ids = [m.user.id for m in members]
    best = [w for w in weeks if w.exam.scoring != "latest"]
    by_exam: dict[int, list] = {}
    for w in best:
        by_exam.setdefault(w.exam_id, []).append(w)
    sums: dict[tuple[int, int], tuple] = {}
    exact: set[tuple[int, int]] = set()  # decided from the attempts: a passed and a failed one share the best
    if user_ids and by_exam:
        verdicts = None  # the waiting attempts' certain fails (``waiting``), read once if any waits
        for user_id, exam_id, top, top_passed, top_failed, finished, attempts, open_now, grading, *first in _sums(
                sorted(by_exam), user_ids):
            if top_passed is not None and top_passed == top and top_failed == top:
                exact.add((user_id, exam_id))
                continue
            certain = 0
            if grading:
                if verdicts is None:
                    verdicts = waiting_rules.verdicts(sorted(by_exam), user_ids)
                certain = sum(verdicts.get((user_id, exam_id), {}).values())
            # A waiting attempt whose fail is certain is a failed attempt, as on the learner's page.
            sums[(user_id, exam_id)] = (top, top_passed is not None and top_passed == top, int(finished) + certain,
                                        attempts, open_now, int(grading) > certain, certain > 0, *first)
    latest = [w for w in weeks if w.exam.scoring == "latest"]
    slow = {}
    exact_users = sorted({u for u, _e in exact})
    if latest or exact_users:
        exam_ids = sorted({w.exam_id for w in latest} | {e for _u, e in exact})
        attempts = cell_rules.load_attempts(exam_ids, exact_users if not latest else user_ids)
        slow = cell_rules.cells_for(members, latest + [w for w in best if any(e == w.exam_id for _u, e in exact)],
                                    today, attempts=attempts)
    # Plain values read once: the weeks' ORM attributes cost more than the rule for a million cells.
    plain = [(w.id, w.exam_id, w.exam.scoring == "latest", w.opens_on, w.due_on) for w in weeks]
    # A year's roster repeats few distinct cells: each is made once per call (the same row and the
    # same side of the week's dates give the same cell; nothing changes a Cell once made).
    made: dict[tuple, cell_rules.Cell] = {}
    out = {}
    for m in members:
        uid, enrolled = m.user.id, m.enrolled_on
        mine = out[uid] = {}
        for week_id, exam_id, by_latest, opens_on, due_on in plain:
            if by_latest or (uid, exam_id) in exact:
                mine[week_id] = slow[uid][week_id]
                continue
            row = sums.get((uid, exam_id))
            key = (row, opens_on > today, due_on < today, enrolled is not None and due_on < enrolled)
            cell = made.get(key)
            if cell is None:
                cell = made[key] = _cell(row, opens_on, due_on, today, enrolled)
            mine[week_id] = cell
    return out


def _cell(row, opens_on: date, due_on: date, today: date, enrolled_on: date | None) -> cell_rules.Cell:
    """``cells.cell_for`` from one (learner, exam) row of ``_sums`` (None: no attempt)."""
    if row is None:
        status = cell_rules.NOT_OPEN if opens_on > today else week_rules.NOT_STARTED
        late = due_on < today and status != cell_rules.NOT_OPEN
        catch_up = late and enrolled_on is not None and due_on < enrolled_on
        return cell_rules.Cell(status=status, overdue=late and not catch_up, catch_up=catch_up)
    top, passed, finished, attempts, open_now, grading, certain_fail, first, first_passed = row
    if top is not None and passed:
        status = week_rules.PASSED
    elif open_now:
        status = week_rules.IN_PROGRESS
    elif grading:
        status = week_rules.GRADING
    elif top is not None or certain_fail:
        status = week_rules.FAILED
    elif opens_on > today:
        status = cell_rules.NOT_OPEN
    else:
        status = week_rules.NOT_STARTED
    late = due_on < today and status not in (week_rules.PASSED, cell_rules.NOT_OPEN)
    catch_up = late and enrolled_on is not None and due_on < enrolled_on
    return cell_rules.Cell(status=status, overdue=late and not catch_up, catch_up=catch_up, finished=int(finished),
                           attempts=int(attempts), percent=None if top is None else float(top),
                           first_try_passed=bool(first_passed) if first else None)
