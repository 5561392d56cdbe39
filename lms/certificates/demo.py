"""The demo's existing certificates (demo hook, order 80): most people in an
RM post hold 客户经理上岗资格, issued by HR by hand when the system came in
("存量人员换发"), plus the qualification of their grade and, for mentors and
the trainer (a senior RM, in the quarterly warning education's audience: a
pass there finds the certificate held and issues nothing more), the mentor
qualification. Issue dates are spread so that some expire within 30,
60 and 90 days, one has expired and one is revoked; 李学员 (``learner``) and
one more RM hold none — with the expired and the revoked one, the 持证上岗
monitor has four people to show. Loading twice issues nothing more."""
from __future__ import annotations

import time
from datetime import timedelta

import click
from sqlalchemy import select

from lms import clock
from lms.certificates import issuing, revoking
from lms.certificates.models import Certificate
from lms.content.models import Certification
from lms.extensions import db
from lms.org.models import User, user_by_employee_no

REASON = "存量人员换发"
REVOKE_REASON = "冒用他人账号参加准入考试，经核实撤销"
GRADE_CERTIFICATIONS = {"rm_intermediate": "rm-intermediate-qualification",
                        "rm_senior": "rm-senior-qualification", "rm_principal": "rm-principal-qualification"}
MENTOR_CERTIFICATION = "mentor-qualification"
BASE = "rm-qualification"
WITHOUT = {"learner"}  # and the first junior RM after them (see below)
# Days until expiry for the first holders, in order: within 30, 60, 90 days, then expired.
EXPIRY_DAYS = [18, 25, 47, 55, 83, -40]


def _certification(slug: str) -> Certification | None:
    return db.session.scalar(select(Certification).where(Certification.slug == slug, Certification.retired.is_(False)))


def _issue(person, certification, hr, issued_on) -> Certificate | None:
    if db.session.scalar(select(Certificate.id).where(Certificate.user_id == person.id,
                                                      Certificate.certification_id == certification.id).limit(1)):
        return None
    # Existing certificates loaded in bulk: each PDF is rendered (and stored) at its first download.
    return issuing.issue(person, certification, actor=hr, reason=REASON, on=issued_on, render_now=False)


def issue_demo_certificates(_password: str) -> None:
    base, hr = _certification(BASE), user_by_employee_no("hr")
    if base is None or hr is None:
        click.echo("Demo certificates: no published rm-qualification, none issued.")
        return
    started = time.perf_counter()
    today = clock.today()
    validity = base.validity_months or 24
    people = [u for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.employee_no))
              if u.current_position is not None and u.current_position.position.startswith("rm_")]
    juniors = [u for u in people if u.current_position.position == "rm_junior" and u.employee_no not in WITHOUT]
    without = WITHOUT | ({juniors[0].employee_no} if juniors else set())
    holders = [u for u in people if u.employee_no not in without]
    issued = []
    for i, person in enumerate(holders):
        if i < len(EXPIRY_DAYS):
            issued_on = issuing.add_months(today + timedelta(days=EXPIRY_DAYS[i]), -validity)
        else:
            issued_on = today - timedelta(days=30 + (i * 37) % 600)
        certificate = _issue(person, base, hr, issued_on)
        if certificate is not None:
            issued.append(certificate)
        grade = _certification(GRADE_CERTIFICATIONS.get(person.current_position.position, ""))
        if grade is not None and (c := _issue(person, grade, hr, today - timedelta(days=60 + i * 11))):
            issued.append(c)
        mentor = _certification(MENTOR_CERTIFICATION)
        if mentor is not None and person.has_role("mentor", "trainer") and (c := _issue(person, mentor, hr,
                                                                             today - timedelta(days=90 + i * 7))):
            issued.append(c)
    base_issued = [c for c in issued if c.certification_id == base.id]
    if len(base_issued) > len(EXPIRY_DAYS):
        revoking.revoke(base_issued[len(EXPIRY_DAYS)].id, hr, REVOKE_REASON)
    if issued:
        click.echo(f"Demo certificates: {len(issued)} issued (PDFs at first download) in {time.perf_counter() - started:.1f} s; "
                   f"without a valid 上岗资格: {', '.join(sorted(without))} and an expired and a revoked one.")
