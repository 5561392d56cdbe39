"""Demo results: a bank that runs its training (每周一训，每训必考，人人过关).

Hook 40 (``take_demo_exams``), before the pairings: every demo learner in a
programme's audience (the five named accounts' 李学员 and 王师傅 and the
generated staff E1001…) has taken each week and bulletin that fell due since
their enrolment, through the exam engine — start (the published banks' draw),
answers (one save), submit (the real grading, the notebook, the
notifications) — at the clock of a realistic moment inside that week
(weekdays mostly, 09:00–21:00 in Shanghai). Most passed at the first try,
some after one or two retakes a few hours or a day later; the essays of the
weeks that have one were graded by the demo trainer a day or so after
(``grade_essay``: audited, the learner told). Abilities and so scores vary
from person to person. The week open today: a good part of the learners
(every learner of 天元支行, for the roster's demo) have taken it; its essays
are graded by the reports' hook (order 50), those of the advanced programme's
week stay in the trainer's queue.

A small, deliberate set is behind (README "Demo"): 李学员 (week 1: the
mentoring hook, order 65, fails it twice today), ``FAILED_TWICE`` failed week
2 twice and has not retaken it, ``MISSED_BULLETIN`` never took a morning
bulletin's check, ``MISSED_QUARTER`` missed last quarter's warning education.

Hook 85 (``take_warning_quarterly``), after the certificates (so that a
mentor's pass finds the certificate the demo gives them and issues nothing
more): last quarter's and this quarter's warning education.

Catch-up weeks (due before a person's enrolment) are taken by most, some
time after they joined. Loading twice changes nothing."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import click
from sqlalchemy import select

from lms import clock, questions
from lms.content.models import Programme, ProgrammeItem
from lms.exams import answers as exam_answers, attempts as exam_attempts, errors as exam_errors, trainer_services
from lms.exams.models import Attempt
from lms.extensions import db
from lms.org.models import User, user_by_employee_no
from lms.programmes.audience import members
from lms.programmes.services import QUARTERLY, quarter_of

LEARNER = "learner"  # week 1 is the mentoring story's (lms.mentoring.demo_checkins)
FAILED_TWICE = "E1011"  # failed week 2 twice, not retaken: overdue, failed
MISSED_BULLETIN = "E1018"  # never took the week-2 bulletin's check: overdue, not started
MISSED_QUARTER = "E1028"  # last quarter's warning education not taken
MISSED_BULLETIN_ITEM = "bulletin-1"  # its key in rm-foundation (the week-2 bulletin)
FAILED_TWICE_WEEK = 2
TIANYUAN = "天元支行"  # all of its learners have taken this week's exam (the roster's demo)
SHANGHAI = timedelta(hours=8)
COMMENTS_PASS = ["要点齐全，结合了客户场景。", "思路清楚，风险提示到位。", "论述完整，可再补充合规要求。",
                 "案例分析有条理。", "回答切题，表述规范。"]
COMMENTS_FAIL = ["要点不全，请对照课程第二节重写。", "偏离题意，未回答适当性要求。", "只列了结论，缺少分析过程。"]


@dataclass
class _Taker:
    user: User
    ability: float  # 0..1: how often an answer is right, how rarely a first try fails


def _utc(day: date, local_hour: float) -> datetime:
    """``day`` at ``local_hour`` in Shanghai, as the naive UTC the database keeps."""
    return datetime.combine(day, time(0)) + timedelta(hours=local_hour) - SHANGHAI


def _moment(rng: random.Random, first: date, last: date, latest: datetime) -> datetime | None:
    """A working moment between ``first`` and ``last`` (early days and
    weekdays likelier), before ``latest``; None when there is none."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    days = [d for d in days if _utc(d, 9) < latest]
    if not days:
        return None
    weights = [(3 if d.weekday() < 5 else 1) * (len(days) - i + 1) for i, d in enumerate(days)]
    day = rng.choices(days, weights)[0]
    at = _utc(day, 9 + rng.random() * 12)  # 09:00–21:00
    return at if at < latest else max(_utc(day, 9), latest - timedelta(hours=1))


def _early(rng: random.Random, now: datetime) -> datetime | None:
    """Before work today (from 07:00 in Shanghai), half an hour before ``now`` at the latest."""
    earliest = _utc(clock.local_date(now), 7)
    latest = now - timedelta(minutes=30)
    return earliest + (latest - earliest) * rng.random() if latest > earliest else None


class _Loader:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now = rng, now
        self.trainer = user_by_employee_no("trainer")
        self.attempts = 0
        self.graded = 0

    def take(self, taker: _Taker, item: ProgrammeItem, at: datetime, right: float,
             grade: bool = True) -> Attempt | None:
        """One attempt started at ``at`` with about ``right`` of the answers right;
        its essays graded by the trainer a day or so later (sooner if that is
        still to come; with ``grade`` False, left waiting then). None if refused."""
        user, exam, rng = taker.user, item.exam, self.rng
        clock.freeze(at)
        try:
            attempt = exam_attempts.start_attempt(user, exam, item)
        except exam_errors.ExamError:
            return None
        answers = {}
        for attempt_item in attempt.items:
            version = attempt_item.question_version
            answers[attempt_item.id] = questions.get(version.type).simulated_answer(
                version.data, rng.random() < right, rng)
        minutes = min(exam.time_limit_minutes - 1, 4 + rng.random() * exam.time_limit_minutes * 0.7)
        clock.freeze(at + timedelta(minutes=minutes * 0.8))
        exam_answers.save_answers(attempt, answers)
        clock.freeze(at + timedelta(minutes=minutes))
        attempt = exam_attempts.submit(attempt, user)
        self.attempts += 1
        waiting = [i for i in attempt.items if i.needs_grading and i.awarded is None]
        if waiting and self.trainer is not None:
            submitted = attempt.submitted_at or at
            graded_at = max(at + timedelta(hours=3), _utc(clock.local_date(at) + timedelta(days=1), 10 + rng.random() * 7))
            if graded_at >= self.now:
                if not grade or submitted + timedelta(minutes=20) >= self.now:
                    return attempt  # not graded yet: waits in the trainer's queue
                graded_at = submitted + (self.now - submitted) * rng.uniform(0.2, 0.8)
            clock.freeze(graded_at)
            for essay in waiting:
                share = min(1.0, right + rng.uniform(-0.1, 0.1)) if right >= 0.8 else rng.uniform(0.2, 0.5)
                comments = COMMENTS_PASS if share >= 0.7 else COMMENTS_FAIL
                trainer_services.grade_essay(essay, round(essay.points * share), rng.choice(comments), self.trainer)
                self.graded += 1
            db.session.refresh(attempt)
        return attempt

    def until_passed(self, taker: _Taker, item: ProgrammeItem, first: date, last: date,
                     failures: int) -> None:
        """``failures`` failed attempts, then attempts until one passes (the
        last try all right); each retake a few hours to a day after the one before."""
        rng = self.rng
        at = _moment(rng, first, last, self.now)
        if at is None:
            return
        tries = 0
        while at < self.now and tries < failures + 3:
            failing = tries < failures
            right = (0.35 + 0.3 * taker.ability) if failing else \
                (1.0 if tries >= failures + 1 else 0.86 + 0.14 * taker.ability)
            attempt = self.take(taker, item, at, right)
            if attempt is None or (attempt.passed and not failing):
                return
            tries += 1
            done = max(attempt.finalised_at or attempt.submitted_at or at, at)
            at = done + timedelta(hours=rng.choice([1, 2, 3, 18, 20, 24, 26]), minutes=rng.randint(0, 50))
            if at >= min(self.now, _utc(last + timedelta(days=1), 0)):  # not in the week any more: soon after
                at = done + timedelta(minutes=rng.randint(15, 60))
            if at >= self.now:
                return


def _takers(programme: Programme, today: date, rng: random.Random) -> list[tuple[_Taker, date]]:
    """The programme's members among the demo's people (the trainer too, in
    the audience of the warning education as a senior RM), with their enrolment day."""
    out = []
    for member in members(programme, today):
        no = member.user.employee_no
        if not (no.startswith("E1") or no in (LEARNER, "mentor", "trainer")):
            continue
        user = db.session.get(User, member.user.id)
        ability = 0.55 if no == LEARNER else rng.betavariate(5, 2)
        out.append((_Taker(user, ability), member.enrolled_on))
    return out


def _failures(rng: random.Random, ability: float) -> int:
    r = rng.random()
    return 0 if r < 0.6 + 0.3 * ability else 1 if r < 0.95 + 0.04 * ability else 2


def _loaded_before(employee_nos) -> bool:
    return db.session.scalar(select(Attempt.id).join(User, User.id == Attempt.user_id)
                             .where(User.employee_no.in_(employee_nos)).limit(1)) is not None


def take_demo_exams(_password: str) -> None:
    if _loaded_before(["E1001", "E1007", "E1019", "E1027", "mentor"]):
        return
    now = clock.now()
    today = clock.local_date(now)
    rng = random.Random(2026)
    loader = _Loader(rng, now)
    frozen_before = clock._frozen  # put back exactly as it was (tests freeze it)
    try:
        for programme in db.session.scalars(select(Programme).where(
                Programme.retired.is_(False), Programme.recurring != QUARTERLY).order_by(Programme.slug)):
            items = sorted((i for i in programme.items if not i.retired and i.exam is not None
                            and i.opens_on <= today and not i.exam.retired), key=lambda i: (i.opens_on, i.id))
            for taker, enrolled in _takers(programme, today, rng):
                no = taker.user.employee_no
                for item in items:
                    if no == LEARNER and programme.slug == "rm-foundation" and item.key == "week-1":
                        continue  # the mentoring story's: failed twice today
                    if no == MISSED_BULLETIN and item.key == MISSED_BULLETIN_ITEM:
                        continue
                    if item.due_on >= today:  # open now: a good part have taken it already
                        at = _moment(rng, item.opens_on, today, now - timedelta(minutes=30)) or _early(rng, now)
                        if at is not None and no != LEARNER and (
                                getattr(taker.user.branch, "name", "") == TIANYUAN or rng.random() < 0.45):
                            loader.take(taker, item, at, 0.6 + 0.35 * taker.ability, grade=False)
                        continue
                    first = max(item.opens_on, enrolled)
                    if enrolled > item.due_on:  # catch-up (补学): most have done it since joining
                        if rng.random() < 0.6:
                            continue
                        last = min(today, first + timedelta(days=10))
                    else:
                        last = item.due_on
                    failures = _failures(rng, taker.ability)
                    if no == FAILED_TWICE and item.kind == "week" and item.number == FAILED_TWICE_WEEK \
                            and programme.slug == "rm-foundation":
                        _fail_twice(loader, taker, item, first, last)
                        continue
                    loader.until_passed(taker, item, first, last, failures)
                db.session.expire_all()  # keep the session small
    finally:
        clock.freeze(frozen_before)
    click.echo(f"Demo results: {loader.attempts} attempts, {loader.graded} essays graded.")


def _fail_twice(loader: _Loader, taker: _Taker, item: ProgrammeItem, first: date, last: date) -> None:
    at = _moment(loader.rng, first, last - timedelta(days=1), loader.now)
    if at is None:
        return
    attempt = loader.take(taker, item, at, 0.3)
    if attempt is not None:
        loader.take(taker, item, (attempt.finalised_at or at) + timedelta(hours=2), 0.4)


def take_warning_quarterly(_password: str) -> None:
    """Hook 85: last quarter's and this quarter's warning education (quarterly
    windows: an attempt counts for the quarter it was submitted in)."""
    now = clock.now()
    today = clock.local_date(now)
    rng = random.Random(85)
    loader = _Loader(rng, now)
    frozen_before = clock._frozen
    try:
        for programme in db.session.scalars(select(Programme).where(
                Programme.retired.is_(False), Programme.recurring == QUARTERLY).order_by(Programme.slug)):
            items = [i for i in programme.items if not i.retired and i.exam is not None and i.opens_on <= today]
            takers = _takers(programme, today, rng)
            for item in items:
                if db.session.scalar(select(Attempt.id).where(Attempt.exam_id == item.exam_id).limit(1)):
                    return  # loaded before
                this_quarter = quarter_of(today)
                last_quarter = quarter_of(this_quarter[0] - timedelta(days=1))
                for taker, enrolled in takers:
                    for q_first, q_last in (last_quarter, this_quarter):
                        first = max(q_first, enrolled, item.opens_on)
                        if first > q_last or first > today:
                            continue
                        if (q_first, q_last) == last_quarter and taker.user.employee_no == MISSED_QUARTER:
                            continue
                        if (q_first, q_last) == this_quarter and rng.random() < 0.35:
                            continue  # not yet: the quarter is not over
                        last = min(q_last, today)
                        loader.until_passed(taker, item, first, last, 1 if rng.random() < 0.15 else 0)
                db.session.expire_all()
    finally:
        clock.freeze(frozen_before)
    click.echo(f"Demo results: {loader.attempts} attempts of the quarterly warning education.")
