"""The demo's sign-off (order 70, after the pairings and check-ins): 王师傅's
second apprentice (the one with an active pairing who is not the demo
``learner``) is signed off through the service, so the demo shows a sign-off
in force. The demo ``learner`` is left for the browser walk.

The sign-off is given three weeks ago (the clock is set back while the
service runs), before any week of the demo's programmes (which began two
weeks ago) fell due: it holds under the overdue rule however the demo
enrols people. Loading twice changes nothing."""
from __future__ import annotations

import click
from datetime import datetime, time, timedelta

from sqlalchemy import select

from lms import clock
from lms.extensions import db
from lms.mentoring import signoff as services
from lms.mentoring.models import Pairing, PairingState, Recommendation
from lms.org.models import User

DAYS_AGO = 21
COMMENTS = {
    "product_knowledge": "对公对私主要产品讲得清楚，能按客户需求组合推荐。",
    "credit_analysis": "能独立读三张报表、算关键比率，现金流分析还需多练。",
    "risk_awareness": "对担保圈、挪用信贷资金的信号敏感，能主动提示。",
    "compliance": "理财销售双录、适当性评估执行到位，无违规记录。",
    "client_communication": "跟岗期间客户反馈良好，沟通有条理。",
}


def sign_off_second_apprentice(_password: str) -> None:
    mentor = db.session.scalar(select(User).where(User.employee_no == "mentor"))
    if mentor is None:
        return
    pairing = db.session.scalar(
        select(Pairing).join(User, User.id == Pairing.apprentice_id)
        .where(Pairing.mentor_id == mentor.id, Pairing.state.in_([PairingState.ACTIVE, PairingState.SIGNED_OFF]),
               User.employee_no != "learner")
        .order_by(Pairing.start_date, Pairing.id).limit(1))
    if pairing is None or pairing.state == PairingState.SIGNED_OFF:
        return  # no second apprentice yet, or signed off already (loaded before)
    dimensions = services.active_dimensions()
    scores = {d.key: (4 if d.key != "credit_analysis" else 3, COMMENTS.get(d.key, "表现稳定，达到出师要求。"))
              for d in dimensions}
    day = max(clock.today() - timedelta(days=DAYS_AGO), pairing.start_date)
    frozen_before = clock._frozen  # put back exactly as it was (tests freeze it)
    clock.freeze(datetime.combine(day, time(8, 30)))  # 16:30 in Shanghai
    try:
        services.sign_off(pairing, scores, Recommendation.READY,
                          "带教期间已能独立接待客户、完成贷前调查，推荐出师。", mentor)
    except services.SignOffError as exc:
        click.echo(f"Demo sign-off of {pairing.apprentice.name} not given: {exc}")
        return
    finally:
        clock.freeze(frozen_before)
    click.echo(f"Demo sign-off: {mentor.name} signed off {pairing.apprentice.name}.")
