"""Rankings (十佳客户经理): learners and branches by their exam results in a
period, with the rule written once here and shown on the page.

Only finalised attempts whose finalisation falls in the period count. Per
learner and exam: the deciding result among those attempts (best or latest,
per the exam), and whether the first attempt (if it falls in the period)
passed. Then, over the exams of the programme's weeks:

- pass rate: exams passed ÷ exams taken;
- first-try pass rate: first attempts passed ÷ first attempts;
- mean score: the mean of the deciding results (percent);
- attempts: finalised attempts (fewer is better).

A quarterly requirement (警示教育) has quarters, not weeks: its unit is a
quarter (``quarters.counts_in``), one done in the period counting for the
learner and one missed with its last day in the period against; the
first-try pass rate reads the first attempt inside each quarter.

Order: pass rate, then first-try pass rate, then mean score (each higher
first), then fewer attempts. Equal on all four: the same rank (并列), and the
next rank skips (1, 1, 3). Branches are ranked the same way on their learners'
results together."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from lms import clock, in_list
from lms.content.models import Programme
from lms.exams.models import AttemptState
from lms.extensions import db
from lms.programmes.services import QUARTERLY
from lms.reports import cells as cell_rules, quarters as quarter_rules
from lms.reports.aggregates import first_tries, learner_exam_results
from lms.reports.members import Member, programme_start, roster_members

PERIODS = ("month", "quarter", "programme", "range")


def period_dates(period: str, programme: Programme, today: date | None = None,
                 start: date | None = None, end: date | None = None) -> tuple[date, date]:
    """The first and last day of a period (both included)."""
    today = today or clock.today()
    if period == "month":
        return today.replace(day=1), today
    if period == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if period == "range" and start and end:
        return (start, end) if start <= end else (end, start)
    return programme_start(programme) or today, today


@dataclass
class Standing:
    """A learner's (or a branch's) results in the period."""

    taken: int = 0  # exams with a finalised attempt in the period
    passed: int = 0
    first_tries: int = 0
    first_passed: int = 0
    attempts: int = 0
    score_sum: float = 0.0  # of the deciding results (percent)
    score_count: int = 0

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.taken if self.taken else None

    @property
    def first_try_pass_rate(self) -> float | None:
        return self.first_passed / self.first_tries if self.first_tries else None

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.score_count if self.score_count else None

    def key(self) -> tuple:
        """What the ranking compares, best first when sorted ascending."""
        return (-(self.pass_rate or 0.0), -(self.first_try_pass_rate or 0.0),
                -round(self.mean_score or 0.0, 4), self.attempts)

    def add(self, other: Standing) -> None:
        self.taken += other.taken
        self.passed += other.passed
        self.first_tries += other.first_tries
        self.first_passed += other.first_passed
        self.attempts += other.attempts
        self.score_sum += other.score_sum
        self.score_count += other.score_count


@dataclass
class Ranked:
    rank: int
    tied: bool  # shares the rank with another (并列)
    standing: Standing
    member: Member | None = None
    branch: object = None
    learners: int = 0  # branches: learners on the roster
    tie_note: str = ""  # which measure separated it from the one above


def _rank(entries: list[tuple[object, Standing]], top: int | None = None) -> list[tuple[int, bool, object, Standing]]:
    """Ranked best first, equal keys sharing a rank; ``top``: only the ranks up to it (everybody
    tied with the last place shown too: an equal key shares its rank). Each standing's key is
    worked out once (a bank's 20,000 learners: it was asked again for every neighbour)."""
    keyed = sorted(((standing.key(), who, standing) for who, standing in entries), key=lambda e: e[0])
    out, keys = [], []
    for i, (key, who, standing) in enumerate(keyed):
        rank = out[-1][0] if out and keys[-1] == key else i + 1
        if top is not None and rank > top:
            break
        out.append((rank, False, who, standing))
        keys.append(key)
    counts: dict[int, int] = {}
    for rank, *_ in out:
        counts[rank] = counts.get(rank, 0) + 1
    return [(rank, counts[rank] > 1, who, standing) for rank, _t, who, standing in out]


# Which measure decided between two neighbours: shown beside a rank that
# follows an equal pass rate, so that a tie broken is explained too.
DECIDERS = ("pass_rate", "first_try", "mean_score", "attempts")


def decided_by(above: Standing, below: Standing) -> str:
    a, b = above.key(), below.key()
    for name, x, y in zip(DECIDERS, a, b):
        if x != y:
            return name
    return ""


@dataclass
class Rankings:
    programme: Programme
    first_day: date
    last_day: date
    learners: list[Ranked]
    branches: list[Ranked]
    top: int | None


def standing_of(rows: list[cell_rules.AttemptRow], scoring: str, start: datetime, end: datetime) -> Standing:
    mine = [a for a in rows if a.state == AttemptState.FINALISED and a.finalised_at is not None
            and start <= a.finalised_at < end]
    s = Standing()
    if not mine:
        return s
    s.taken, s.attempts = 1, len(mine)
    result = cell_rules.deciding(mine, scoring)
    if result is not None:
        s.passed = int(bool(result.passed))
        s.score_sum, s.score_count = result.percent, 1
    first = next((a for a in mine if a.number == 1), None)
    if first is not None:
        s.first_tries, s.first_passed = 1, int(bool(first.passed))
    return s


def _standings_by_sql(user_ids: list[int], exam_ids: list[int], start: datetime, end: datetime) -> dict[int, Standing]:
    """``standing_of`` summed over exams scored by their best attempt, per
    learner, counted by the database: a year of weekly exams for thousands of
    learners is ~300,000 attempts, too many to read into Python for one page.

    One GROUP BY per (learner, exam), folded per learner: the deciding result
    is the highest percent, and whether it passed is ``cells.key_passed``
    (one GROUP BY, no window over every attempt of the year: when a passed and a failed attempt share the
    best percent — the pass mark was changed between them — the earlier
    decides, as on the learner's page and in every other report).
    Above ``in_list.IN_LIST_LIMIT`` learners no IN list is sent (it cost the
    database more than the rows): every learner of the exams is counted and
    the others are left out here."""
    out: dict[int, Standing] = {}
    if not user_ids or not exam_ids:
        return out
    wanted = set(user_ids)
    per = learner_exam_results(exam_ids, in_list.ids_or_everyone(user_ids), start, end)
    rows = db.session.execute(
        select(per.c.user_id, func.count(), func.sum(per.c.attempts),
               func.coalesce(func.sum(cell_rules.key_passed(per.c.key)), 0),
               func.coalesce(func.sum(cell_rules.key_percent(per.c.key)), 0.0), func.count(per.c.key),
               *first_tries(per.c))
        .group_by(per.c.user_id))
    for user_id, taken, attempts, n_passed, score_sum, score_count, firsts, first_passed in rows:
        if user_id in wanted:
            out[user_id] = Standing(taken=int(taken), passed=int(n_passed), first_tries=int(firsts),
                                    first_passed=int(first_passed), attempts=int(attempts),
                                    score_sum=float(score_sum), score_count=int(score_count))
    return out


def rankings(programme: Programme, scope, first_day: date, last_day: date, branch_ids: list[int] | None = None,
             top: int | None = 10, members: list[Member] | None = None) -> Rankings:
    """``members``: ``roster_members(programme, scope)`` when the caller has
    them already (the page reads them once for the rankings and the totals)."""
    # The bank's days: 1 March 00:00 China time up to (not including) the day after the last.
    start, end = clock.day_start(first_day), clock.day_start(last_day + timedelta(days=1))
    weeks = cell_rules.roster_weeks(programme)
    members = [m for m in (roster_members(programme, scope) if members is None else members)
               if branch_ids is None or m.user.branch_id in branch_ids]
    user_ids = [m.user.id for m in members]
    if programme.recurring == QUARTERLY:
        return _ranked_result(programme, first_day, last_day, members,
                              _quarter_standings(programme, members, first_day, last_day), [], {}, top)
    # Counted by the database: an exam scored by its best attempt that is one week's only.
    # The rare rest (scored by the latest attempt, or one exam set for two weeks, which counts
    # once per week) attempt by attempt, as ``standing_of`` says.
    weeks_of = Counter(w.exam_id for w in weeks)
    by_sql = _standings_by_sql(user_ids, sorted({w.exam_id for w in weeks if w.exam.scoring != "latest"
                                                 and weeks_of[w.exam_id] == 1}), start, end)
    rest = [w for w in weeks if w.exam.scoring == "latest" or weeks_of[w.exam_id] > 1]
    attempts = cell_rules.load_attempts(sorted({w.exam_id for w in rest}), user_ids) if rest else {}
    return _ranked_result(programme, first_day, last_day, members, by_sql, rest, attempts, top, start, end)


def _quarter_standings(programme: Programme, members: list[Member], first_day: date, last_day: date
                       ) -> dict[int, Standing]:
    """A quarterly requirement's standings: per learner, the quarters that count in the period
    (``quarters.counts_in``) from the roster's own cells (one read of the attempts)."""
    today = clock.today()
    columns = [q for q in quarter_rules.quarters(programme, today) if q.opens_on <= last_day and q.due_on >= first_day]
    cells = quarter_rules.cells_for(programme, members, columns, today)
    out = {}
    for m in members:
        s = out[m.user.id] = Standing()
        for q in columns:
            cell = cells[m.user.id][q.id]
            if not quarter_rules.counts_in(q, cell, first_day, last_day):
                continue
            s.taken += 1
            s.passed += cell.state == quarter_rules.DONE
            s.attempts += cell.finished
            if cell.first_try_passed is not None:
                s.first_tries += 1
                s.first_passed += cell.first_try_passed
            if cell.percent is not None:
                s.score_sum += cell.percent
                s.score_count += 1
    return out


def _ranked_result(programme, first_day, last_day, members, by_sql, rest, attempts, top, start=None, end=None
                   ) -> Rankings:
    per_learner = []
    per_branch: dict[int, tuple[object, Standing, list]] = {}
    for m in members:
        s = Standing()
        s.add(by_sql.get(m.user.id, Standing()))
        for w in rest:
            s.add(standing_of(attempts.get((m.user.id, w.exam_id), []), w.exam.scoring, start, end))
        branch = m.user.branch
        if branch is not None:
            entry = per_branch.setdefault(branch.id, (branch, Standing(), []))
            entry[1].add(s)
            entry[2].append(m)
        if s.taken:
            per_learner.append((m, s))
    learners = _ranked(_rank(per_learner, top), member=True)  # everybody tied with the last place shown too
    branches = _ranked(_rank([(b, s) for b, s, _m in per_branch.values() if s.taken]), member=False)
    for r in branches:
        r.learners = len(per_branch[r.branch.id][2])
    return Rankings(programme=programme, first_day=first_day, last_day=last_day, learners=learners,
                    branches=branches, top=top)


def _ranked(ranked, member: bool) -> list[Ranked]:
    out = []
    for i, (rank, tied, who, standing) in enumerate(ranked):
        r = Ranked(rank=rank, tied=tied, standing=standing, member=who if member else None,
                   branch=None if member else who)
        if i and not tied and ranked[i - 1][3].key()[0] == standing.key()[0]:
            r.tie_note = decided_by(ranked[i - 1][3], standing)
        out.append(r)
    return out
