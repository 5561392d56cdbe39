"""The roster's cells for a download or the overdue list of thousands of learners: the same
``cells.Cell`` as ``cells.cell_for``, from one GROUP BY row per (learner, exam) instead of
every attempt read into Python.

A year's roster of 20,000 learners × 52 weeks is ~1.6 million attempts: reading each into an
``AttemptRow`` and deciding each cell from them took ~90 s of CPU (bench/hr_downloads.py),
beyond a worker's 60 s. What a cell says needs only, per learner and exam: the best finalised
result and whether the attempt that decides passed (``cells.deciding_columns``: the GROUP BY the
state filter, the branch totals and the rankings decide by — the highest percent, the earliest of
equals, when a passed and a failed attempt share the best because the pass mark changed between
them), the finalised attempts, every attempt, whether one is open within its time, how many wait
for grading (those whose fail is certain told apart by ``waiting``: one more statement, only when
one waits), and how the first finalised attempt went.

Exams scored by their latest attempt go through ``cells.cell_for`` from their attempts (one more
statement, only then). The two ways give the same cells (tests/reports/test_cells_sql.py)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select

from lms import clock
from lms.exams.models import Attempt, AttemptState, grace
from lms.extensions import db
from lms.programmes import services as week_rules
from lms.reports import cells as cell_rules, waiting as waiting_rules


# One sum counts the finalised attempts and, in its upper bits, the ones waiting for grading.
_GRADING = 65536


def _sums(exam_ids: list[int], user_ids: list[int]):
    """Per (learner, exam): the best finalised percent, whether the attempt that decides passed
    (``cells.deciding_columns`` and ``deciding_passed``, as the state filter, the branch totals and
    the rankings decide: on equal best percents the earliest attempt), finalised + ``_GRADING`` ×
    waiting, every attempt, an open one in time, and the first finalised attempt (0: none, 1:
    failed, 2: passed). ``max`` leaves out a NULL percent."""
    finalised = Attempt.state == AttemptState.FINALISED
    first = and_(finalised, Attempt.number == 1)
    limit = clock.now() - grace()
    per = (select(Attempt.user_id.label("user_id"), Attempt.exam_id.label("exam_id"),
                  *cell_rules.deciding_columns(and_(finalised, Attempt.percent.is_not(None)), Attempt.passed),
                  func.sum(case((finalised, 1), (Attempt.state == AttemptState.GRADING, _GRADING), else_=0))
                  .label("counted"),
                  func.count().label("attempts"),
                  func.max(case((and_(Attempt.state == AttemptState.OPEN, Attempt.deadline >= limit), 1), else_=0))
                  .label("open_now"),
                  func.max(case((and_(first, Attempt.passed.is_(True)), 2), (first, 1), else_=0)).label("first"))
           .where(Attempt.exam_id.in_(exam_ids), Attempt.user_id.in_(user_ids))
           .group_by(Attempt.user_id, Attempt.exam_id).subquery())
    query = select(per.c.user_id, per.c.exam_id, per.c.best, cell_rules.deciding_passed(per.c), per.c.counted,
                   per.c.attempts, per.c.open_now, per.c.first)
    # Plain rows through the session's connection: the ORM's result machinery costs more per
    # row than the rule below for the million rows of a year's roster.
    return db.session.connection().execute(query)


WAITING = -3  # ``Made.sums`` of a row with a paper to grade
# The distinct sums a download remembers; past them (percents of every value) it starts afresh at
# the next batch: a bound on its memory whatever the data.
KEPT = 50_000


class Made(dict):
    """The cells of one download, each made once: key ``(fact code + 1) << 3 | date bits``
    (``facts[code]``: one (learner, exam) row of ``_sums`` as ``_cell`` reads it, code -1: no
    attempt; the bits: not open yet, past due, due before the learner joined). A year's roster
    repeats a few thousand distinct cells: the same key gives the same cell, shared by every
    batch of the download (nothing changes a Cell once made). ``sums``: a row of ``_sums``
    (past the learner and the exam) → its fact's code or ``WAITING``: a million rows
    are a few thousand distinct sums, each worked out once."""

    def __init__(self):
        super().__init__()
        self.sums: dict[tuple, int] = {}
        self.codes: dict[tuple, int] = {}
        self.facts: list[tuple] = []

    def batch(self) -> None:
        """Before a batch: forget everything when past ``KEPT`` distinct sums (the cells already
        handed out stay as they are)."""
        if len(self.sums) > KEPT:
            self.sums.clear()
            self.codes.clear()
            self.facts.clear()
            self.clear()

    def code(self, fact: tuple) -> int:
        found = self.codes.get(fact)
        if found is None:
            found = self.codes[fact] = len(self.facts)
            self.facts.append(fact)
        return found

    def code_of_sums(self, sums: tuple) -> int:
        counted = sums[2]
        if counted >= _GRADING:
            return WAITING  # whose fail is certain is the learner's own (``waiting``)
        return self.code(_fact(sums, 0))

    def __missing__(self, key: int) -> cell_rules.Cell:
        code, bits = (key >> 3) - 1, key & 7
        cell = self[key] = _cell(self.facts[code] if code >= 0 else None, bool(bits & 1), bool(bits & 2),
                                 bool(bits & 4))
        return cell


def cells_for(members, weeks: list, today: date | None = None, made: Made | None = None
              ) -> dict[int, dict[int, cell_rules.Cell]]:
    """user id → week id → ``cells.Cell``, as ``cells.cells_for`` says them. ``members``: a batch
    small enough for an IN list (``in_list.IN_LIST_LIMIT``). ``made``: the cells made for the
    batches before (one ``Made`` per download and day)."""
    today = today or clock.today()
    made = Made() if made is None else made
    made.batch()
    user_ids = [m.user.id for m in members]
    best = [w for w in weeks if w.exam.scoring != "latest"]
    exam_ids = sorted({w.exam_id for w in best})
    facts_of: dict[int, dict[int, int]] = {}  # user id → exam id → fact code
    if user_ids and exam_ids:
        verdicts = None  # the waiting attempts' certain fails (``waiting``), read once if any waits
        known, last, mine = made.sums, None, None
        for row in _sums(exam_ids, user_ids):
            sums = row[2:]
            code = known.get(sums)
            if code is None:
                code = known[sums] = made.code_of_sums(sums)
            user_id, exam_id = row[0], row[1]
            if code < 0:
                if verdicts is None:
                    verdicts = waiting_rules.verdicts(exam_ids, user_ids)
                code = made.code(_fact(sums, sum(verdicts.get((user_id, exam_id), {}).values())))
            if user_id != last:
                mine = facts_of.get(user_id)
                if mine is None:
                    mine = facts_of[user_id] = {}
                last = user_id
            mine[exam_id] = code
    latest = [w for w in weeks if w.exam.scoring == "latest"]
    slow = cell_rules.cells_for(members, latest, today) if latest else {}
    latest_ids = [w.id for w in latest]
    # Per enrolment date, each week's (id, exam id, date bits): plain values read once, the
    # weeks' ORM attributes cost more than the rule for a million cells.
    plain = [(w.id, w.exam_id, (w.opens_on > today) | (w.due_on < today) << 1, w.due_on) for w in weeks]
    layouts: dict = {}
    out = {}
    none: dict[int, int] = {}
    for m in members:
        uid, enrolled = m.user.id, m.enrolled_on
        layout = layouts.get(enrolled)
        if layout is None:
            layout = layouts[enrolled] = [(week_id, exam_id, bits | (enrolled is not None and due_on < enrolled) << 2)
                                          for week_id, exam_id, bits, due_on in plain]
        get = facts_of.get(uid, none).get
        mine = out[uid] = {week_id: made[(get(exam_id, -1) + 1) << 3 | bits] for week_id, exam_id, bits in layout}
        for week_id in latest_ids:  # weeks scored by the latest attempt: from the attempts
            mine[week_id] = slow[uid][week_id]
    return out


def _fact(sums: tuple, certain: int) -> tuple:
    """What ``_cell`` reads of a row of ``_sums``, ``certain`` of its waiting papers' fails
    certain: those count as failed attempts, as on the learner's page."""
    top, passed, counted, attempts, open_now, first = sums
    grading, finished = divmod(int(counted), _GRADING)
    return (top, passed == 1, finished + certain, attempts, open_now,
            grading > certain, certain > 0, first)


def _cell(row, not_open: bool, past_due: bool, due_before_joining: bool) -> cell_rules.Cell:
    """``cells.cell_for`` from one (learner, exam) fact (None: no attempt), for a week not open yet,
    past due, due before the learner joined (catch-up) or not."""
    if row is None:
        status = cell_rules.NOT_OPEN if not_open else week_rules.NOT_STARTED
        late = past_due and status != cell_rules.NOT_OPEN
        catch_up = late and due_before_joining
        return cell_rules.Cell(status=status, overdue=late and not catch_up, catch_up=catch_up)
    top, passed, finished, attempts, open_now, grading, certain_fail, first = row
    if top is not None and passed:
        status = week_rules.PASSED
    elif open_now:
        status = week_rules.IN_PROGRESS
    elif grading:
        status = week_rules.GRADING
    elif top is not None or certain_fail:
        status = week_rules.FAILED
    elif not_open:
        status = cell_rules.NOT_OPEN
    else:
        status = week_rules.NOT_STARTED
    late = past_due and status not in (week_rules.PASSED, cell_rules.NOT_OPEN)
    catch_up = late and due_before_joining
    return cell_rules.Cell(status=status, overdue=late and not catch_up, catch_up=catch_up, finished=int(finished),
                           attempts=int(attempts), percent=None if top is None else float(top),
                           first_try_passed=None if not first else first == 2)
