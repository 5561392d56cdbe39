"""HR's person page shows the training record: programmes and weeks with
state (catch-up, overdue), every attempt with score and date, overdue weeks
listed. HR and a branch manager (people in their scope only) open an
attempt's result read only, with the review only as the exam's policy lets
the learner see it; nobody but trainers grades."""
from __future__ import annotations

import re
from datetime import date, timedelta

from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.extensions import db
from lms.org.models import PositionRecord
from tests.conftest import sign_in
from tests.programmes.helpers import programme, take


def _setup(make_user, make_branch, make_question, make_exam, clock, review="after_submit"):
    zz = make_branch("ZZ", "株洲分行")
    cs = make_branch("CS", "长沙分行")
    question = make_question("single")
    exams = [make_exam([{"questions": [question.slug]}], open_to_all=False, title=f"第{n}周测验",
                       review_policy=review, pass_mark=60) for n in range(1, 6)]
    p = programme(exams, audience={"positions": ["rm_junior"]})
    learner = make_user(("learner",), employee_no="P001", name="学员丁", branch=zz, position="teller")
    learner.positions[0].end_date = date(2026, 2, 16)
    learner.positions.append(PositionRecord(position="rm_junior", start_date=date(2026, 2, 17)))  # week 2
    db.session.commit()
    failed = take(learner, exams[2], clock, answer="A")
    passed = take(learner, exams[2], clock)
    return p, exams, learner, failed, passed, zz, cs


def test_the_person_page_shows_the_training_record(client, clock, make_user, make_branch, make_question, make_exam):
    p, exams, learner, failed, passed, *_ = _setup(make_user, make_branch, make_question, make_exam, clock)
    sign_in(client, make_user(("hr",)))
    page = client.get(f"/org/people/{learner.id}").text
    assert 'id="training-record"' in page and "客户经理周训" in page and "2026-02-17 起参训" in page
    assert page.count('<span class="badge warn catch-up"') == 1  # week 1 (due before the promotion)
    assert re.search(r'待补学</dt><dd class="progress-catch-up">1<', page)  # and the counts say so
    overdue = page.split("overdue-list")[1].split("</p>")[0].replace(" ", "").replace("\n", "")
    assert overdue.endswith("已逾期：第2周")  # week 2 is overdue; week 1 is catch-up, week 3 passed
    assert f"/programmes/people/{learner.id}/attempts/{failed.id}" in page
    assert f"/programmes/people/{learner.id}/attempts/{passed.id}" in page
    assert "0%" in page and "100%" in page and "已通过" in page


def test_hr_opens_an_attempt_read_only(client, clock, make_user, make_branch, make_question, make_exam):
    _p, _exams, learner, failed, _passed, *_ = _setup(make_user, make_branch, make_question, make_exam, clock)
    sign_in(client, make_user(("hr",)))
    page = client.get(f"/programmes/people/{learner.id}/attempts/{failed.id}").text
    assert "学员丁" in page and "未通过" in page and "错误" in page
    assert "<form" not in page.split('id="attempt-result"')[1]  # no grading controls
    assert 'class="question review-item' in page  # the review, as the learner sees it after submitting


def test_the_review_follows_the_exam_policy(client, clock, make_user, make_branch, make_question, make_exam):
    _p, _exams, learner, failed, _passed, *_ = _setup(make_user, make_branch, make_question, make_exam, clock,
                                                      review="never")
    sign_in(client, make_user(("hr",)))
    page = client.get(f"/programmes/people/{learner.id}/attempts/{failed.id}").text
    assert "review-withheld" in page and 'class="question review-item' not in page
    assert "5 万元" not in page  # no options, no key


def test_a_branch_manager_sees_their_people_only(client, clock, make_user, make_branch, make_question, make_exam):
    _p, _exams, learner, failed, _passed, zz, cs = _setup(make_user, make_branch, make_question, make_exam, clock)
    own = make_user(("branch_manager",), branch=zz)
    other = make_user(("branch_manager",), branch=cs)
    sign_in(client, own)
    assert "学员丁" in client.get(f"/programmes/people/{learner.id}").text
    assert client.get(f"/programmes/people/{learner.id}/attempts/{failed.id}").status_code == 200
    sign_in(client, other)
    assert client.get(f"/programmes/people/{learner.id}").status_code == 404
    assert client.get(f"/programmes/people/{learner.id}/attempts/{failed.id}").status_code == 404
    # An attempt of somebody else under a visible person's URL is 404 too.
    someone = make_user(("learner",), branch=cs)
    sign_in(client, own)
    assert client.get(f"/programmes/people/{someone.id}/attempts/{failed.id}").status_code == 404


def test_the_record_says_its_times_are_when_each_attempt_was_handed_in(client, clock, make_user, make_branch,
                                                                       make_question, make_exam):
    """The learner's exam page lists each attempt by when it started (开始时间 13:38); the record showed
    the same attempt at 13:43, when it was handed in, under a bare 全部作答: a mentor or manager
    comparing the two saw two times for one attempt. The record's column says 交卷时间."""
    _p, exams, learner, *_rest, zz, _cs = _setup(make_user, make_branch, make_question, make_exam, clock)
    attempt = exam_attempts.start_attempt(learner, exams[3])
    started = clock.now()
    clock.advance(timedelta(minutes=5))
    exam_answers.save_answer(attempt, attempt.items[0], "B", clock.now())
    exam_attempts.submit(attempt, learner)

    def local(at):  # Asia/Shanghai, no daylight saving
        return (at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")

    sign_in(client, make_user(("branch_manager",), branch=zz))
    page = client.get(f"/programmes/people/{learner.id}").text
    assert "<th>全部作答（交卷时间）</th>" in page
    row = page.split(f'attempts/{attempt.id}">第 1 次</a>')[1].split("</td>")[0]
    assert local(started + timedelta(minutes=5)) in row and local(started) not in row
