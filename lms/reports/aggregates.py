"""The branch totals counted by the database: per branch and week, how many
learners passed, how many finished a first attempt and passed it, and the
sum and count of the results that count — for thousands of learners in two
GROUP BY statements instead of a cell per learner and week.

The rule is ``cells.cell_for``'s: for an exam scored by its best attempt,
the result that counts is the highest finalised percent, passed if the
earliest attempt with that percent passed (``cells.deciding_key``: one aggregate). Exams scored by their latest attempt (rare)
and learners who joined after the programme began (catch-up) go through
``cells`` one by one: their numbers are the same either way (tested)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, and_, case, cast, func, literal, select

from lms import clock
from lms.exams.models import Attempt, AttemptState
from lms.extensions import db
from lms.org.models import User
from lms.reports import cells as cell_rules
from lms.reports.members import programme_start

# IN lists longer than this are split (SQLite's default limit is 32,766 variables).
CHUNK = 20000


def learner_exam_results(exam_ids: list[int], user_ids: list[int] | None = None, start=None, end=None):
    """One row per (learner, exam) of their finalised attempts (finalised in
    [start, end) when given; of these learners when ``user_ids`` is given):
    ``attempts``, ``key`` (``cells.deciding_key``: ``cells.key_passed`` and ``cells.key_percent``
    read the deciding result; on equal top percents the earliest decides) and ``first`` (NULL: the
    first attempt is not among them, 1: it failed, 2: it passed). The branch totals and the
    rankings count passes from these same facts (a subquery)."""
    finalised = Attempt.state == AttemptState.FINALISED
    # The state is read inside the aggregates, not in the WHERE clause: SQLite, without statistics,
    # would walk every finalised attempt of the bank by ix_attempt_state (and the table) rather
    # than these exams' part of the covering index ix_attempt_report, which holds finalised_at.
    counted = func.count(case((finalised, 1)))
    per = (select(Attempt.user_id.label("user_id"), Attempt.exam_id.label("exam_id"),
                  counted.label("attempts"), cell_rules.deciding_key(finalised).label("key"),
                  func.max(case((and_(finalised, Attempt.number == 1),
                                 1 + func.coalesce(cast(Attempt.passed, Integer), 0)))).label("first"))
           .where(Attempt.exam_id.in_(exam_ids)).having(counted > 0))
    if start is not None:
        per = per.where(Attempt.finalised_at >= start, Attempt.finalised_at < end)
    if user_ids is not None:
        per = per.where(Attempt.user_id.in_(user_ids))
    return per.group_by(Attempt.exam_id, Attempt.user_id).subquery()


def first_tries(c):
    """Of ``learner_exam_results``' rows (``c``: its columns): the first attempts, and those passed."""
    return func.count(c.first), func.coalesce(func.sum(c.first), 0) - func.count(c.first)


def _facts(member_ids: list[int], exam_ids: list[int]):
    """(branch id, exam id, passed, first tries, first passed, sum of results, results)."""
    per = learner_exam_results(exam_ids, member_ids)
    query = (select(User.branch_id, per.c.exam_id, func.coalesce(func.sum(cell_rules.key_passed(per.c.key)), 0),
                    *first_tries(per.c), func.coalesce(func.sum(cell_rules.key_percent(per.c.key)), 0.0),
                    func.count(per.c.key))
             .join(User, User.id == per.c.user_id).group_by(User.branch_id, per.c.exam_id))
    return db.session.execute(query).all()


def _passes(member_ids: list[int], exam_ids: list[int]):
    """``_facts`` of the passes alone (the other figures 0): one aggregate per (learner, exam)."""
    per = (select(Attempt.user_id.label("user_id"), Attempt.exam_id.label("exam_id"),
                  cell_rules.deciding_key(Attempt.state == AttemptState.FINALISED).label("key"))
           .where(Attempt.exam_id.in_(exam_ids), Attempt.user_id.in_(member_ids))
           .group_by(Attempt.exam_id, Attempt.user_id).subquery())
    query = (select(User.branch_id, per.c.exam_id, func.coalesce(func.sum(cell_rules.key_passed(per.c.key)), 0),
                    literal(0), literal(0), literal(0.0), literal(0))
             .join(User, User.id == per.c.user_id).group_by(User.branch_id, per.c.exam_id))
    return db.session.execute(query).all()


def branch_week_totals(members, weeks, today: date | None = None, total_class=None, passes_only: bool = False
                       ) -> dict:
    """(branch id, week id) → ``total_class`` (``roster.Total``) filled in, for
    the members' own branches. ``passes_only``: learners, passed and overdue only (the rankings'
    completion chart), the first tries and the results left at 0 for the learners counted by
    the database."""
    today = today or clock.today()
    start = None
    by_branch: dict[int, list] = {}
    for m in members:
        if m.user.branch is not None:
            by_branch.setdefault(m.user.branch.id, []).append(m)
    table = {(bid, w.id): total_class(branch=ms[0].user.branch, week=w, learners=len(ms))
             for bid, ms in by_branch.items() for w in weeks}
    if weeks:
        start = programme_start(weeks[0].programme)
    late = [m for m in members if start is not None and m.enrolled_on > start and m.user.branch is not None]
    late_ids = {m.user.id for m in late}
    best = [w for w in weeks if w.exam.scoring != "latest"]
    counted = [m for m in members if m.user.id not in late_ids and m.user.branch is not None]
    ids = [m.user.id for m in counted]
    week_of_exam = {}
    for w in best:
        week_of_exam.setdefault(w.exam_id, []).append(w)
    if ids and best:
        for chunk in range(0, len(ids), CHUNK):
            for branch_id, exam_id, passed, firsts, first_passed, score_sum, scores in (
                    _passes if passes_only else _facts)(ids[chunk:chunk + CHUNK], sorted(week_of_exam)):
                for w in week_of_exam[exam_id]:
                    t = table[(branch_id, w.id)]
                    t.passed += int(passed or 0)
                    t.first_tries += int(firsts or 0)
                    t.first_try_passed += int(first_passed or 0)
                    t.score_sum += float(score_sum or 0.0)
                    t.score_count += int(scores or 0)
        on_time = {bid: sum(1 for m in ms if m.user.id not in late_ids) for bid, ms in by_branch.items()}
        for w in best:
            if w.due_on < today:
                for bid in by_branch:
                    t = table[(bid, w.id)]
                    t.overdue = on_time[bid] - t.passed
    # One by one: exams scored by the latest attempt (for everyone), late joiners (for every week).
    one_by_one = [(counted, [w for w in weeks if w.exam.scoring == "latest"]), (late, weeks)]
    for who, which in one_by_one:
        if not who or not which:
            continue
        cells = cell_rules.cells_for(who, which, today)
        for m in who:
            for w in which:
                t = table[(m.user.branch.id, w.id)]
                cell = cells[m.user.id][w.id]
                t.passed += cell.status == "passed"
                t.overdue += cell.overdue
                if cell.first_try_passed is not None:
                    t.first_tries += 1
                    t.first_try_passed += cell.first_try_passed
                if cell.percent is not None:
                    t.score_sum += cell.percent
                    t.score_count += 1
    return table
