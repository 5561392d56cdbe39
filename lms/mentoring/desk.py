"""The mentor's desk (师傅工作台): for each apprentice under an active pairing,
this week's state (as the apprentice sees it on 本周培训), recent attempts
and scores, weak knowledge points, overdue weeks, open alerts and overdue
agreed actions.

What it reads is bounded for a desk of a few apprentices: the pairings, the
weak points, the recent attempts, the last check-ins and the overdue actions
are each one query for all apprentices; the week states are the apprentices'
own 本周培训 (``lms.programmes.services.this_week_of``), a fixed number of
queries per programme, whatever the number of apprentices and attempts.

Weak knowledge points come from the apprentice's finalised attempts: per
tag of the drawn question versions, how many answers were not fully right
("missed 5 of 8"). They name no question and no key, so they show no more
than the apprentice's own result pages (which list right and wrong)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from lms import clock
from lms.content.models import QuestionTag
from lms.exams.models import Attempt, AttemptItem, AttemptState
from lms.extensions import db
from lms.mentoring.access import active_pairings_of
from lms.mentoring.checkins import overdue_actions
from lms.mentoring.models import CheckIn, CheckInAction, Pairing
from lms.notify.events import FAILURES_FOR_ALERT
from lms.programmes import services as programmes

NO_CHECK_IN_DAYS = 14
RECENT_ATTEMPTS = 5
WEAK_POINTS = 5

# Alert kinds, and what the desk says for each: the badge names the kind (failed at least
# FAILURES_FOR_ALERT times), the alert's text the count.
FAILED_TWICE, OVERDUE_WEEK, NO_CHECK_IN = "failed_twice", "overdue_week", "no_check_in"
ALERT_LABELS = {FAILED_TWICE: _l("Failed more than once"), OVERDUE_WEEK: _l("Overdue week"),
                NO_CHECK_IN: _l("No check-in for 14 days")}


@dataclass(frozen=True)
class WeakPoint:
    tag: str
    missed: int
    answered: int


@dataclass(frozen=True)
class Alert:
    kind: str
    text: str

    @property
    def label(self):
        return ALERT_LABELS[self.kind]


@dataclass
class ApprenticeDesk:
    pairing: Pairing
    this_week: list  # programmes.ThisWeek per programme
    recent: list[Attempt] = field(default_factory=list)
    weak: list[WeakPoint] = field(default_factory=list)
    last_check_in: date | None = None
    overdue_actions: list[CheckInAction] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def apprentice(self):
        return self.pairing.apprentice

    @property
    def overdue_weeks(self) -> list[tuple[str, object]]:
        """(label, week) of every week past due and not passed, across the apprentice's programmes."""
        return [(self._label(tw, w), w) for tw in self.this_week for w in tw.overdue]

    @property
    def current_weeks(self) -> list[tuple[str, object]]:
        """(label, week) of every week open now and not overdue."""
        return [(self._label(tw, w), w) for tw in self.this_week for w in tw.current if not w.overdue]

    def _label(self, this_week, week) -> str:
        """A week as the desk names it: with its programme's title when a week of another of the
        apprentice's programmes on the desk reads the same (two 第 3 周 side by side said nothing)."""
        alike = any(w.full_label == week.full_label for tw in self.this_week if tw is not this_week
                    for w in (*tw.current, *tw.overdue))
        return f"{this_week.programme.title} · {week.full_label}" if alike else week.full_label


def weak_points(user_ids: list[int], limit: int = WEAK_POINTS) -> dict[int, list[WeakPoint]]:
    """Per apprentice, the knowledge points most often missed in finalised
    attempts (an answer not fully right: wrong or partly right), most missed
    first; answers still waiting for a trainer do not count. One query."""
    if not user_ids:
        return {}
    missed = func.sum(case((AttemptItem.awarded < AttemptItem.points - 1e-9, 1), else_=0))
    rows = db.session.execute(
        select(Attempt.user_id, QuestionTag.tag, missed.label("missed"), func.count(AttemptItem.id))
        .select_from(AttemptItem)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(QuestionTag, QuestionTag.version_id == AttemptItem.question_version_id)
        .where(Attempt.user_id.in_(user_ids), Attempt.state == AttemptState.FINALISED,
               AttemptItem.awarded.is_not(None))
        .group_by(Attempt.user_id, QuestionTag.tag)).all()
    out: dict[int, list[WeakPoint]] = {uid: [] for uid in user_ids}
    for user_id, tag, n_missed, answered in rows:
        if n_missed:
            out[user_id].append(WeakPoint(tag, int(n_missed), int(answered)))
    for user_id, points in out.items():
        points.sort(key=lambda p: (-p.missed, -p.missed / p.answered, p.tag))
        out[user_id] = points[:limit]
    return out


def recent_attempts(user_ids: list[int], limit: int = RECENT_ATTEMPTS) -> dict[int, list[Attempt]]:
    """Per apprentice, the latest submitted attempts (not the open ones), newest first. One query."""
    if not user_ids:
        return {}
    ranked = (select(Attempt.id, func.row_number().over(
        partition_by=Attempt.user_id, order_by=(func.coalesce(Attempt.submitted_at, Attempt.started_at).desc(),
                                                Attempt.id.desc())).label("n"))
              .where(Attempt.user_id.in_(user_ids), Attempt.state != AttemptState.OPEN).subquery())
    rows = db.session.scalars(
        select(Attempt).options(joinedload(Attempt.exam)).join(ranked, ranked.c.id == Attempt.id)
        .where(ranked.c.n <= limit)
        .order_by(func.coalesce(Attempt.submitted_at, Attempt.started_at).desc(), Attempt.id.desc()))
    out: dict[int, list[Attempt]] = {uid: [] for uid in user_ids}
    for attempt in rows:
        out[attempt.user_id].append(attempt)
    return out


def last_check_ins(pairing_ids: list[int]) -> dict[int, date]:
    if not pairing_ids:
        return {}
    return dict(db.session.execute(select(CheckIn.pairing_id, func.max(CheckIn.held_on))
                                   .where(CheckIn.pairing_id.in_(pairing_ids)).group_by(CheckIn.pairing_id)).all())


def check_in_gap(pairing: Pairing, last: date | None, today: date) -> tuple[date, int] | None:
    """(since, days) when there has been no check-in for ``NO_CHECK_IN_DAYS``
    since the last one, or since the pairing started; None otherwise."""
    since = last or pairing.start_date
    days = (today - since).days
    return (since, days) if days >= NO_CHECK_IN_DAYS else None


def failed_twice(week) -> bool:
    """A week not passed whose exam has been failed at least twice."""
    if week.done or week.exam is None:
        return False
    failures = [a for a in week.attempt_list if a.state == AttemptState.FINALISED and a.passed is False]
    return len(failures) >= FAILURES_FOR_ALERT


def alerts_for(desk: ApprenticeDesk, today: date) -> list[Alert]:
    alerts = []
    seen = set()
    for tw in desk.this_week:
        for w in [*tw.current, *tw.overdue, *tw.catch_up]:
            key = (w.item.id, w.opens_on)
            if key in seen:
                continue
            seen.add(key)
            if failed_twice(w):
                failures = sum(1 for a in w.attempt_list if a.state == AttemptState.FINALISED and a.passed is False)
                alerts.append(Alert(FAILED_TWICE, str(_l("%(programme)s · %(week)s: failed %(n)d times, not passed yet",
                                                         programme=tw.programme.title, week=w.label, n=failures))))
        for w in tw.overdue:
            alerts.append(Alert(OVERDUE_WEEK, str(_l("%(programme)s · %(week)s was due %(due)s",
                                                     programme=tw.programme.title, week=w.label,
                                                     due=w.due_on.isoformat()))))
    # As the scan's alert (``alerts.scan_check_in_gaps``): not about an apprentice who left; the
    # desk says HR ends or changes that pairing instead.
    gap = check_in_gap(desk.pairing, desk.last_check_in, today) if desk.pairing.apprentice.active else None
    if gap is not None:
        since, days = gap
        alerts.append(Alert(NO_CHECK_IN, str(_l("No check-in for %(days)d days (since %(since)s)",
                                                days=days, since=since.isoformat()))))
    return alerts


def desk_for(mentor, today: date | None = None) -> list[ApprenticeDesk]:
    """The desk of ``mentor``: only their apprentices under an active pairing."""
    today = today or clock.today()
    pairings = active_pairings_of(mentor)
    if not pairings:
        return []
    user_ids = [p.apprentice_id for p in pairings]
    pairing_ids = [p.id for p in pairings]
    weak = weak_points(user_ids)
    recent = recent_attempts(user_ids)
    last = last_check_ins(pairing_ids)
    overdue: dict[int, list[CheckInAction]] = {pid: [] for pid in pairing_ids}
    for action in overdue_actions(pairing_ids, today):
        overdue[action.pairing_id].append(action)
    this_week = programmes.this_week_of([p.apprentice for p in pairings], today)
    desks = []
    for pairing in pairings:
        desk = ApprenticeDesk(pairing=pairing, this_week=this_week[pairing.apprentice_id],
                              recent=recent[pairing.apprentice_id], weak=weak[pairing.apprentice_id],
                              last_check_in=last.get(pairing.id), overdue_actions=overdue[pairing.id])
        desk.alerts = alerts_for(desk, today)
        desks.append(desk)
    return desks


def desk_of_pairing(pairing: Pairing, today: date | None = None) -> ApprenticeDesk:
    """One apprentice's part of the desk (the apprentice page shows it too)."""
    today = today or clock.today()
    uid = pairing.apprentice_id
    desk = ApprenticeDesk(pairing=pairing, this_week=programmes.this_week(pairing.apprentice, today),
                          recent=recent_attempts([uid])[uid], weak=weak_points([uid], limit=20)[uid],
                          last_check_in=last_check_ins([pairing.id]).get(pairing.id),
                          overdue_actions=overdue_actions([pairing.id], today))
    desk.alerts = alerts_for(desk, today)
    return desk
