"""``notify_many`` (a re-grade telling 2,000 learners at once) makes exactly
what ``notify`` one by one would: one notification per (recipient, kind,
subject), none for an inactive recipient, nothing again the second time,
and the same deliveries (e-mail to those with an address, the group robot
once per learner)."""
from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.notify.models import Delivery, Notification
from lms.notify.services import notify, notify_many

PARAMS = {"exam": "贷后管理周测", "exam_id": 1, "attempt_id": 1, "number": 1, "percent": 80.0, "passed": False,
          "percent_before": 100.0, "passed_before": True}


def _made(recipients) -> tuple[list, list]:
    ids = [r.id for r in recipients]
    notes = sorted((n.recipient_id, n.kind, n.subject, n.params["percent"]) for n in db.session.scalars(
        select(Notification).where(Notification.recipient_id.in_(ids))))
    by_id = {n.id: n for n in db.session.scalars(select(Notification).where(Notification.recipient_id.in_(ids)))}
    deliveries = sorted((by_id[d.notification_id].recipient_id, d.channel, d.target,
                         d.dedup_key.replace(f"n:{d.notification_id}", "n:<id>")
                         .replace(f":u{by_id[d.notification_id].recipient_id}", ":u<recipient>"))
                        for d in db.session.scalars(select(Delivery).where(Delivery.notification_id.in_(by_id))))
    return notes, deliveries


def test_notify_many_makes_what_notify_makes_one_by_one(app, make_user, enable_channel):
    app.config.update(NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_FROM="academy@bank.example",
                      NOTIFY_WECOM_WEBHOOK="http://127.0.0.1:9/robot")
    admin = make_user(("admin",))
    enable_channel("email", ["regraded"], actor=admin)
    enable_channel("wecom", ["regraded"], actor=admin)
    one_by_one = [make_user(employee_no=f"A{i}") for i in range(4)]
    at_once = [make_user(employee_no=f"B{i}") for i in range(4)]
    for group in (one_by_one, at_once):
        group[0].email = f"{group[0].employee_no.lower()}@bank.example"
        group[3].active = False
    db.session.commit()

    for person in one_by_one:
        notify(person, "regraded", f"regrade:{person.employee_no[1:]}:1", PARAMS)
    db.session.commit()
    made = notify_many("regraded", [(p, f"regrade:{p.employee_no[1:]}:1", PARAMS) for p in at_once])
    assert made == 3  # the inactive one is not told

    def same(rows, group):
        ids = {p.id: p.employee_no[1:] for p in group}
        return [(ids[r[0]], *r[1:]) for r in rows]

    notes_a, deliveries_a = _made(one_by_one)
    notes_b, deliveries_b = _made(at_once)
    assert len(notes_b) == 3 and same(notes_b, at_once) == same(notes_a, one_by_one)
    # e-mail for the one with an address, the robot for each of the three
    assert len(deliveries_b) == 4
    targets_b = [(channel, target.replace("b0@", "x@")) for _r, channel, target, _k in deliveries_b]
    targets_a = [(channel, target.replace("a0@", "x@")) for _r, channel, target, _k in deliveries_a]
    assert targets_b == targets_a
    assert same([(r, c, k) for r, c, _t, k in deliveries_b], at_once) == \
        same([(r, c, k) for r, c, _t, k in deliveries_a], one_by_one)

    assert notify_many("regraded", [(p, f"regrade:{p.employee_no[1:]}:1", PARAMS) for p in at_once]) == 0
    assert _made(at_once) == (notes_b, deliveries_b)
