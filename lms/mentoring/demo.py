"""The demo's pairings (a ``lms.demo_hooks`` hook, order 60): 王师傅
(``mentor``) mentors the demo learner 李学员 (``learner``, since about ten
weeks ago) and one more apprentice of 天元支行; another mentor is at capacity;
one pairing has ended with a reason. Check-ins and a sign-off are added on top
by later hooks, which find the pairings by the two 工号. Loading twice changes
nothing: nothing is added once any pairing exists."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms import clock
from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.mentoring import register, settings
from lms.mentoring.models import Pairing
from lms.org.models import User, UserRole, user_by_employee_no

MENTOR, LEARNER = "mentor", "learner"
# The second apprentice of 王师傅, if the demo has them (a junior RM of 天元支行), else the first free one there.
SECOND_APPRENTICE = "E1020"
GOALS = {
    LEARNER: "半年内独立完成对公客户贷前调查；每周一课全部通过；掌握个人理财产品营销话术。",
    "second": "熟悉对私业务流程，三个月内独立接待理财客户。",
    "other": "掌握授信业务基本流程，按期通过周训考试。",
}


def load_demo_pairings(_password: str) -> None:
    if db.session.scalar(select(func.count()).select_from(Pairing)):
        return
    hr, mentor, learner = (user_by_employee_no(no) for no in ("hr", MENTOR, LEARNER))
    if hr is None or mentor is None or learner is None:
        return
    today = clock.today()
    start = today - timedelta(weeks=10)
    rules.pair(mentor, learner, start, start + timedelta(days=182), GOALS[LEARNER], actor=hr)

    free = [u for u in register.unpaired(None) if u.id not in (learner.id, mentor.id)]
    in_branch = [u for u in free if u.branch_id == mentor.branch_id]
    second = next((u for u in in_branch if u.employee_no == SECOND_APPRENTICE), in_branch[0] if in_branch else None)
    if second is not None:
        rules.pair(mentor, second, start + timedelta(days=14), start + timedelta(days=196), GOALS["second"], actor=hr)
        free.remove(second)

    rule = settings.mentor_rule()
    others = [m for m in db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "mentor", User.id != mentor.id, User.active.is_(True)).order_by(User.employee_no))
        if not rules.rule_refusals(m, rule)]
    def take(mentor: User) -> User:
        """A free person of the mentor's branch if there is one, else the first free one."""
        person = next((u for u in free if u.branch_id == mentor.branch_id), free[0])
        free.remove(person)
        return person

    if others:  # the first other mentor: full (capacity reached)
        full = others[0]
        for i in range(settings.capacity_of(full)):
            if not free:
                break
            rules.pair(full, take(full), today - timedelta(days=120 - 20 * i), today + timedelta(days=120 + 20 * i),
                       GOALS["other"], actor=hr)
    if len(others) > 1 and free:  # the second: one pairing ended with a reason, one active
        ended = rules.pair(others[1], take(others[1]), today - timedelta(days=200), today + timedelta(days=30),
                           GOALS["other"], actor=hr)
        rules.end(ended, "徒弟调往其他支行，改由当地师傅带教", actor=hr)
        if free:
            rules.pair(others[1], take(others[1]), today - timedelta(days=30), today + timedelta(days=150),
                       GOALS["other"], actor=hr)
