"""No raw codes anywhere a user looks: the pages a learner, a trainer, HR and
an administrator open in the demo organisation (with attempts, essays waiting
for grading, a position change and sign-ins in the audit log) show labels,
never the codes stored behind them."""
from __future__ import annotations

import re
from datetime import date

from flask_login import login_user
from sqlalchemy import select

from lms.content.models import Exam, Programme
from lms.exams import attempts as exam_attempts
from lms.extensions import db
from lms.org import services as org_services
from lms.org.models import User
from tests.conftest import load_demo_copy, sign_in
from tests.test_labels import visible_text

# Codes the database and the files keep; none may reach a page's text.
RAW = [r"\bone_page\b", r"\bper_question\b", r"\bafter_submit\b", r"\bafter_pass\b", r"\bafter_close\b",
       r"\bsingle\b", r"\bmultiple\b", r"\btruefalse\b", r"\bnumeric\b", r"\bessay\b",
       r"\bauth\.", r"\buser\.", r"\battempt\.", r"\bcontent\.published", r"\bexam\.submitted",
       r"user #", r"after=", r"before=", r"\brm_junior\b", r"\brm_senior\b", r"\bteller\b",
       r"\bfinalised\b", r"\bintegrity\b", r"\btimeout\b", r"\bbranch_manager\b", r"\bnot_started\b",
       r"\bin_progress\b", r"\bsystem\b", r"\banonymous\b"]


def raw_codes(html: str) -> list[str]:
    # Identifiers shown as code on purpose (a question's id such as pa-essay-001 on the
    # grading page: the trainer wrote it) are not labels; the every-page walk reads pages so too.
    text = visible_text(re.sub(r"<(code|pre|kbd)\b.*?</\1>", " ", html, flags=re.S))
    return [code for code in RAW if re.search(code, text)]


def _user(employee_no: str) -> User:
    return db.session.scalar(select(User).where(User.employee_no == employee_no))


def test_the_pages_of_every_role_show_no_raw_codes(app, client, clock):
    load_demo_copy("demo-pass-2024")
    learner, hr, trainer = _user("learner"), _user("hr"), _user("trainer")
    with app.test_request_context():
        login_user(hr)
        # With the shipped eligibility rules published the learner is not eligible: HR overrides (audited).
        org_services.change_position(learner, "rm_intermediate", date(2026, 3, 1), actor=hr,
                                     override_reason="总行特批")
    graded = exam_attempts.start_attempt(learner, db.session.scalar(select(Exam).where(Exam.slug == "exam-week-01")))
    exam_attempts.submit(graded, learner)
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-week-03"))
    programme = db.session.scalar(select(Programme).order_by(Programme.id))
    mine = exam_attempts.start_attempt(learner, exam)
    checked = []

    def check(user, *paths):
        sign_in(client, user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert raw_codes(response.text) == [], path
            checked.append(path)

    check(learner, "/", "/programmes/", f"/programmes/{programme.id}", f"/exams/{exam.id}",
          f"/attempts/{mine.id}", f"/attempts/{graded.id}/result", "/notebook/", "/me", "/courses",
          "/certifications", "/certifications/rm-qualification", "/eligibility-rules", "/eligibility-rules/mentor")
    check(trainer, "/", "/console/", "/console/exams", f"/console/exams/{exam.slug}", "/console/releases",
          "/grading/", f"/grading/attempts/{graded.id}", "/analysis/", f"/analysis/exams/{graded.exam_id}")
    check(hr, "/", "/audit/", f"/org/people/{learner.id}", "/org/people", "/org/branches",
          "/eligibility-rules/rm-junior-entry")
    check(hr, "/eligibility/", f"/eligibility/people/{learner.id}", "/eligibility/monitor")
    check(_user("admin"), "/", "/system/settings", "/audit/")
    assert len(checked) == 34
