"""Weekly programmes from the learner's side: which programmes are theirs
(audience), and where they stand in each week.

每周一训，每训必考，人人过关: a week counts only when its exam is passed.
Failing means retakes until passed; a week past its due date and not passed is
overdue (shown in red).

Three refinements (README "Programmes: audience, catch-up, in-order,
quarterly warning education"):

- **catch-up** (补学): a week due before the learner's enrolment date
  (``lms.programmes.audience``) has ``WeekStatus.catch_up = True`` — its state
  is the exam's as usual, it can be taken, and it is never overdue;
- **in order**: in a programme with ``in_order``, a week whose previous week's
  exam is not passed is ``locked`` (bulletins are outside the chain);
- **quarterly** (``Programme.recurring == "quarterly"``): one item whose window
  is each quarter in turn; only attempts submitted inside a quarter count for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from lms import clock
from lms.content.models import Exam, Lesson, Programme, ProgrammeItem, ProgrammeItemLesson
from lms.exams import results as exam_results
from lms.exams.models import Attempt, AttemptState
from lms.extensions import db
from lms.programmes.audience import Member, membership, memberships, memberships_of
from lms.programmes.progress import Progress, progress

# The learner's status in one week, in the words the pages use.
NO_EXAM = "no_exam"
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
GRADING = "grading"
FAILED = "failed"
PASSED = "passed"

QUARTERLY = "quarterly"


def programmes_for(user) -> list[Programme]:
    """The programmes (not retired) whose audience includes the user."""
    rows = list(db.session.scalars(select(Programme).where(Programme.retired.is_(False))
                                   .order_by(Programme.title, Programme.slug)))
    mine = memberships(user, rows)
    return [p for p in rows if p.id in mine]


def get_programme_for(user, programme_id: int) -> Programme | None:
    programme = db.session.get(Programme, programme_id)
    if programme is None or programme.retired or membership(user, programme) is None:
        return None
    return programme


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of the quarter ``day`` is in."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    nxt = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def quarter_label(first: date) -> str:
    return str(_l("%(year)s Q%(q)s", year=first.year, q=(first.month - 1) // 3 + 1))


@dataclass
class WeekStatus:
    item: ProgrammeItem
    status: str
    lessons: list[Lesson] = field(default_factory=list)
    exam: Exam | None = None
    open_attempt: Attempt | None = None
    result: Attempt | None = None  # the attempt that decides (best or latest)
    pending: Attempt | None = None  # an attempt waiting for a trainer's grading (the latest)
    attempts: int = 0
    is_open: bool = False  # opens_on reached
    overdue: bool = False
    exam_available: bool = False  # the exam can be taken (not retired, not closed)
    catch_up: bool = False  # due before the learner was enrolled: 补学, never overdue
    locked: bool = False  # in-order programme: the previous week's exam is not passed yet
    lock_reason: str = ""
    opens_on: date | None = None  # the window: the item's dates, or the quarter for a quarterly item
    due_on: date | None = None
    attempt_list: list[Attempt] = field(default_factory=list)  # every attempt counted for this window
    window_over: bool = False  # a past quarter: its exam can no longer count for it

    @property
    def done(self) -> bool:
        return self.status == PASSED

    @property
    def label(self) -> str:
        """The quarter ("2026 Q4") of a quarterly item, else the item's title."""
        return quarter_label(self.opens_on) if self.item.kind == QUARTERLY else self.item.title

    @property
    def full_label(self) -> str:
        """The label where weeks of several programmes share one list (the
        mentor's desk): a quarterly item names itself too, "警示教育（季度必修）
        · 2026 年第 4 季度", not a bare quarter."""
        return f"{self.item.title} · {self.label}" if self.item.kind == QUARTERLY else self.label


def _decide(exam: Exam, attempts: list[Attempt]) -> Attempt | None:
    done = [a for a in attempts if a.state == AttemptState.FINALISED and a.percent is not None]
    if not done:
        return None
    if exam.scoring == "latest":
        return max(done, key=lambda a: a.number)  # the latest attempt taken, not graded (lms.exams.retakes)
    return max(done, key=lambda a: (a.percent, -a.number))


def _in_window(attempt: Attempt, opens: date, due: date) -> bool:
    return opens <= clock.local_date(attempt.submitted_at or attempt.started_at) <= due


def _status(ws: WeekStatus, attempts: list[Attempt], today: date, window: bool) -> None:
    exam = ws.exam
    if window:
        attempts = [a for a in attempts if a.is_open or _in_window(a, ws.opens_on, ws.due_on)]
    ws.attempt_list = attempts
    ws.attempts = len(attempts)
    ws.result = _decide(exam, attempts)
    ws.open_attempt = next((a for a in attempts if a.is_open and not a.is_expired()), None)
    closed = exam.closes_at is not None and clock.now() >= exam.closes_at
    ws.exam_available = not exam.retired and not closed
    if ws.result is not None and ws.result.passed:
        ws.status = PASSED
    elif ws.open_attempt is not None:
        ws.status = IN_PROGRESS
    elif any(a.state == "grading" for a in attempts):
        waiting = [a for a in attempts if a.state == "grading"]
        ws.pending = waiting[-1]
        # Every attempt still waiting has a certain fail: the retake is open now (lms.exams.retakes).
        ws.status = FAILED if all(exam_results.fail_is_certain(a) for a in waiting) else GRADING
    elif ws.result is not None:
        ws.status = FAILED
    else:
        ws.status = NOT_STARTED


def _build(user, item: ProgrammeItem, today: date, enrolled_on: date | None,
           window: tuple[date, date] | None = None, attempts: dict[int, list[Attempt]] | None = None) -> WeekStatus:
    """``attempts``: the learner's attempts by exam id, read once for a whole
    programme (``programme_weeks``); without it, this item's are read."""
    opens, due = window or (item.opens_on, item.due_on)
    lessons = [lesson for lesson in item.lessons if not lesson.retired]
    ws = WeekStatus(item=item, status=NO_EXAM, lessons=lessons, exam=item.exam, is_open=opens <= today,
                    opens_on=opens, due_on=due)
    if ws.exam is not None:
        mine = attempts.get(ws.exam.id, []) if attempts is not None else exam_results.attempts_of(user, ws.exam)
        _status(ws, mine, today, window is not None)
    ws.catch_up = enrolled_on is not None and due < enrolled_on
    ws.window_over = window is not None and due < today
    ws.overdue = due < today and ws.status not in (PASSED, NO_EXAM) and not ws.catch_up
    return ws


def lock_reason(previous: ProgrammeItem) -> str:
    return str(_l("Opens when the week %(n)s exam is passed", n=previous.number))


def previous_week(item: ProgrammeItem) -> ProgrammeItem | None:
    """In an in-order programme, the week before ``item`` whose exam must be passed first."""
    if not item.programme.in_order or item.kind != "week":
        return None
    earlier = [i for i in item.programme.items
               if i.kind == "week" and not i.retired and i.exam_id is not None and i.number < item.number]
    return max(earlier, key=lambda i: i.number) if earlier else None


def _enrolled(user, programme: Programme, member: Member | None, today: date) -> date | None:
    member = member or membership(user, programme, today)
    return member.enrolled_on if member is not None else None


def week_status(user, item: ProgrammeItem, today: date | None = None, member: Member | None = None) -> WeekStatus:
    """The learner's status in one item; for a quarterly item, in the current quarter."""
    today = today or clock.today()
    enrolled = _enrolled(user, item.programme, member, today)
    if item.kind == QUARTERLY:
        return _build(user, item, today, enrolled, quarter_of(max(today, item.opens_on)))
    ws = _build(user, item, today, enrolled)
    previous = previous_week(item)
    if previous is not None and not exam_results.has_passed(user, previous.exam):
        ws.locked, ws.lock_reason = True, lock_reason(previous)
    return ws


def _quarters(item: ProgrammeItem, enrolled: date | None, today: date) -> list[tuple[date, date]]:
    """The quarters a quarterly item has been required in, oldest first."""
    first = quarter_of(max(item.opens_on, enrolled or item.opens_on))[0]
    out = []
    while first <= today:
        out.append(quarter_of(first))
        first = out[-1][1] + timedelta(days=1)
    return out or [quarter_of(item.opens_on)]


def programme_weeks(user, programme: Programme, today: date | None = None,
                    member: Member | None = None) -> list[WeekStatus]:
    """Every week and bulletin of the programme that is not retired, in date
    order; for a quarterly requirement, every quarter since the learner was
    enrolled (oldest first)."""
    today = today or clock.today()
    items = _live_items(programme)
    attempts = _attempts_by_exam(user, [item.exam_id for item in items if item.exam_id is not None])
    return _weeks(user, programme, today, _enrolled(user, programme, member, today), items, attempts)


def _weeks(user, programme: Programme, today: date, enrolled: date | None, items: list[ProgrammeItem],
           attempts: dict[int, list[Attempt]]) -> list[WeekStatus]:
    if programme.recurring == QUARTERLY:
        return [_build(user, item, today, enrolled, window, attempts) for item in items
                for window in _quarters(item, enrolled, today)]
    weeks = [_build(user, item, today, enrolled, attempts=attempts) for item in items]
    if programme.in_order:
        chain = sorted((w for w in weeks if w.item.kind == "week" and w.exam is not None),
                       key=lambda w: w.item.number)
        for previous, ws in zip(chain, chain[1:]):
            if not previous.done:
                ws.locked, ws.lock_reason = True, lock_reason(previous.item)
    return weeks


def _live_items(programme: Programme) -> list[ProgrammeItem]:
    """The programme's items that are not retired, in date order, with their
    exams and lessons."""
    return _live_items_of([programme])[programme.id]


def _live_items_of(programmes: list[Programme]) -> dict[int, list[ProgrammeItem]]:
    """``_live_items`` of several programmes (programme id → items) in three
    statements for them all, not a few per week or per programme: the
    learner's home page lists every programme of theirs. Of a lesson, what a
    week's row shows: not its body (a year of long lessons, read and dropped
    on every home page)."""
    out: dict[int, list[ProgrammeItem]] = {p.id: [] for p in programmes}
    if not out:
        return out
    for item in db.session.scalars(
            select(ProgrammeItem)
            .where(ProgrammeItem.programme_id.in_(list(out)), ProgrammeItem.retired.is_(False))
            .order_by(ProgrammeItem.opens_on, ProgrammeItem.id)
            .options(joinedload(ProgrammeItem.exam),
                     selectinload(ProgrammeItem.lesson_links).joinedload(ProgrammeItemLesson.lesson)
                     .load_only(Lesson.course_id, Lesson.slug, Lesson.position, Lesson.title, Lesson.minutes,
                                Lesson.retired))):
        out[item.programme_id].append(item)
    return out


def _attempts_by_exam(user, exam_ids: list[int]) -> dict[int, list[Attempt]]:
    """The learner's attempts at these exams in one statement, by exam id (in number order)."""
    return _attempts_of([user.id], exam_ids)[user.id]


def _attempts_of(user_ids: list[int], exam_ids) -> dict[int, dict[int, list[Attempt]]]:
    """These learners' attempts at these exams in one statement: user id → exam id → attempts in number order."""
    out: dict[int, dict[int, list[Attempt]]] = {uid: {exam_id: [] for exam_id in exam_ids} for uid in user_ids}
    if exam_ids and user_ids:
        for attempt in db.session.scalars(select(Attempt).where(
                Attempt.user_id.in_(user_ids), Attempt.exam_id.in_(set(exam_ids))).order_by(Attempt.number)):
            out[attempt.user_id][attempt.exam_id].append(attempt)
    return out


@dataclass
class ThisWeek:
    programme: Programme
    current: list[WeekStatus]  # open now (weeks and bulletins; the current quarter)
    overdue: list[WeekStatus]  # past due, exam not passed (a missed quarter is not listed here)
    progress: Progress  # passed / due so far / in the programme (lms.programmes.progress)
    catch_up: list[WeekStatus] = field(default_factory=list)  # earlier weeks to catch up on, not passed yet
    enrolled_on: date | None = None

    # Kept for callers of the earlier two-number summary: passed of the weeks opened so far.
    @property
    def passed(self) -> int:
        return self.progress.passed

    @property
    def total(self) -> int:
        return self.progress.due


def this_week(user, today: date | None = None) -> list[ThisWeek]:
    """本周培训: per programme, what is open now, what is overdue and what to catch up on."""
    return this_week_of([user], today)[user.id]


def this_week_of(users: list, today: date | None = None) -> dict[int, list[ThisWeek]]:
    """``this_week`` of several people (user id → their 本周培训), in a number
    of statements that depends on the programmes, not on the people: the
    mentor's desk shows forty apprentices."""
    today = today or clock.today()
    rows = list(db.session.scalars(select(Programme).where(Programme.retired.is_(False))
                                   .order_by(Programme.title, Programme.slug)))
    mine = memberships_of(users, rows, today)
    wanted = [p for p in rows if any(p.id in m for m in mine.values())]
    items = _live_items_of(wanted)
    attempts = _attempts_of(list(mine), {i.exam_id for its in items.values() for i in its if i.exam_id is not None})
    out = {}
    for user in users:
        out[user.id] = []
        for programme in (p for p in wanted if p.id in mine[user.id]):
            member = mine[user.id][programme.id]
            weeks = _weeks(user, programme, today, member.enrolled_on, items[programme.id], attempts[user.id])
            current = [w for w in weeks if w.opens_on <= today <= w.due_on]
            if programme.recurring == QUARTERLY:
                out[user.id].append(ThisWeek(programme=programme, current=current, overdue=[],
                                             progress=progress(weeks), enrolled_on=member.enrolled_on))
                continue
            overdue = [w for w in weeks if w.overdue]
            catch_up = [w for w in weeks if w.catch_up and not w.done]
            out[user.id].append(ThisWeek(programme=programme, current=current, overdue=overdue,
                                         progress=progress(weeks), catch_up=catch_up, enrolled_on=member.enrolled_on))
    return out
