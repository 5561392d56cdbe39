"""A catch-up week (补学: due before the learner was enrolled) is marked the
same way on every page that lists the learner's weeks: their own programme
page, HR's person page and training record, the branch manager's record and
roster person page, the mentor's apprentice page and HR's evidence pack."""
from __future__ import annotations

import re

from lms.certificates import evidence_pack
from lms.extensions import db
from lms.mentoring.models import Pairing
from tests.conftest import sign_in
from tests.programmes.test_person_record import _setup

BADGE = re.compile(r'<span class="badge warn catch-up"[^>]*>补学</span>')


def _weeks_marked(page: str) -> list[str]:
    """The weeks ("第1周" …) whose row or item carries the catch-up badge."""
    marked = []
    for chunk in re.split(r"<tr|<li", page):
        if BADGE.search(chunk):
            marked.extend(re.findall(r"第\d周", chunk)[:1])
    return marked


def test_every_list_of_a_learners_weeks_marks_the_catch_up_week(client, clock, make_user, make_branch,
                                                                  make_question, make_exam):
    p, _exams, learner, *_rest, zz, _cs = _setup(make_user, make_branch, make_question, make_exam, clock)
    mentor = make_user(("mentor", "learner"), branch=zz)
    db.session.add(Pairing(mentor_id=mentor.id, apprentice_id=learner.id, start_date=clock.now().date()))
    db.session.commit()
    hr = make_user(("hr",))
    manager = make_user(("branch_manager",), branch=zz)
    pages = {
        (learner, f"/programmes/{p.id}"),
        (hr, f"/org/people/{learner.id}"),
        (hr, f"/programmes/people/{learner.id}"),
        (manager, f"/programmes/people/{learner.id}"),
        (manager, f"/reports/people/{learner.id}"),
        (mentor, f"/mentoring/apprentices/{learner.id}"),
    }
    for reader, url in sorted(pages, key=lambda pair: pair[1] + pair[0].employee_no):
        sign_in(client, reader)
        response = client.get(url)
        assert response.status_code == 200, url
        # Week 1 fell due before the promotion of 2026-02-17 that enrolled the learner; week 2 did not.
        assert _weeks_marked(response.text) == ["第1周"], url

    with client.application.test_request_context():
        html = evidence_pack.generate(db.session.get(type(learner), learner.id), actor=hr).html
    assert _weeks_marked(html) == ["第1周"]


def test_the_mentor_reads_the_record_hr_reads(client, clock, make_user, make_branch, make_question, make_exam):
    """The mentor's apprentice page shows the enrolment date that makes week 1 catch-up, and
    links each attempt to the mentor's own read-only attempt page, not HR's."""
    _p, _exams, learner, failed, passed, zz, _cs = _setup(make_user, make_branch, make_question, make_exam, clock)
    mentor = make_user(("mentor", "learner"), branch=zz)
    db.session.add(Pairing(mentor_id=mentor.id, apprentice_id=learner.id, start_date=clock.now().date()))
    db.session.commit()
    sign_in(client, mentor)
    record = client.get(f"/mentoring/apprentices/{learner.id}").text.split('id="training-record"')[1]
    assert "2026-02-17 起参训" in record
    for attempt in (failed, passed):
        assert f'href="/mentoring/apprentices/{learner.id}/attempts/{attempt.id}"' in record
        assert client.get(f"/mentoring/apprentices/{learner.id}/attempts/{attempt.id}").status_code == 200
    assert "/programmes/people/" not in record


def test_the_learners_home_says_what_a_catch_up_weeks_past_due_date_means(client, clock, make_user, make_branch,
                                                                           make_question, make_exam):
    """On a phone the badge's title (a mouse's tooltip) is never seen: the newcomer read a due
    date weeks past beside 补学. The section says what it means and what to do, and the week
    reads as once due, before enrolment; an ordinary week keeps its plain due date."""
    _p, _exams, learner, *_rest = _setup(make_user, make_branch, make_question, make_exam, clock)
    sign_in(client, learner)
    panel = client.get("/").text.split('id="this-week-panel"')[1]
    catch_up = panel.split('<ul class="weeks catch-up">')[1].split("</ul>")[0]
    assert ("以下各周在您参训之前已经到期。请在完成本周培训的同时抽空补学：每周通过后计入，不算逾期。"
            in panel.split('<ul class="weeks catch-up">')[0])
    dates = re.findall(r'<div class="muted week-dates">([^<]*)', catch_up)
    assert dates == ["2026-02-09 开放 · 原定 2026-02-15 截止，早于参训日期"], dates
    elsewhere = re.findall(r'<div class="muted week-dates">([^<]*)', panel.split('<ul class="weeks catch-up">')[0])
    assert elsewhere == ["2026-03-02 开放 · 2026-03-08 截止", "2026-02-16 开放 · 2026-02-22 截止 · "], elsewhere  # + 已逾期
