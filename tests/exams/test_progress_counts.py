"""本周培训's counts agree everywhere: passed / due so far / in the programme,
each labelled, computed once (lms.programmes.progress) and shown the same on
the home panel, 我的培训 and the programme page; this week comes first, the
overdue weeks after it."""
from __future__ import annotations

import re

from lms.extensions import db
from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.programmes import services
from tests.conftest import sign_in
from tests.exams.test_week_status import _programme


def _counts(html: str) -> tuple[str, str, str]:
    return tuple(re.search(rf'class="progress-{k}">(\d+)<', html).group(1) for k in ("passed", "due", "total"))


def test_the_counts_agree_on_every_page(client, clock, make_user, make_question, make_exam):
    learner = make_user(("learner",))
    exam = make_exam([{"questions": [make_question("single").slug]}], max_attempts=None)
    week3_exam = make_exam([{"questions": [make_question("single").slug]}], max_attempts=None)
    programme = _programme(exam)
    next(i for i in programme.items if i.key == "week-3").exam = week3_exam  # week 3 (not open yet) gets an exam: 3 weeks in the programme
    db.session.commit()
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(attempt, attempt.items[0], "B", clock.now())
    exam_attempts.submit(attempt, learner)  # passes weeks 1 and 2 (they share the exam)
    [overview] = services.this_week(learner)
    assert (overview.progress.passed, overview.progress.due, overview.progress.total) == (2, 2, 3)
    sign_in(client, learner)
    pages = [client.get("/").text, client.get("/programmes/").text, client.get(f"/programmes/{programme.id}").text]
    assert [_counts(p) for p in pages] == [("2", "2", "3")] * 3
    for page in pages:
        assert "已通过" in page and "截至本周应完成" in page and "计划总周数" in page
        assert "<progress" in page


def test_this_week_comes_first_then_the_overdue_weeks_folded(client, clock, make_user, make_question, make_exam):
    learner = make_user(("learner",))
    _programme(make_exam([{"questions": [make_question("single").slug]}]))
    sign_in(client, learner)
    home = client.get("/").text
    assert home.index("第2周 贷款") < home.index("第1周 存款")  # this week before last week's overdue one
    assert '<details class="overdue-weeks" open data-collapse-on-phone>' in home and "逾期 1 周" in home


def test_an_overdue_weeks_exam_under_way_is_not_folded_away_on_a_phone(client, clock, make_user, make_question,
                                                                        make_exam):
    """A learner who started last week's overdue exam and went home found, on a phone, only 逾期 1 周
    folded shut: nothing said an exam was under way, its clock running. The overdue weeks stay open
    then, 继续考试 in sight; with no exam under way they fold as before."""
    learner = make_user(("learner",))
    week1_exam = make_exam([{"questions": [make_question("single").slug]}], max_attempts=None)
    programme = _programme(week1_exam)
    next(i for i in programme.items if i.key == "week-2").exam = make_exam(
        [{"questions": [make_question("single").slug]}], max_attempts=None)
    db.session.commit()
    attempt = exam_attempts.start_attempt(learner, week1_exam)
    sign_in(client, learner)
    home = client.get("/").text
    overdue = home[home.index('<details class="overdue-weeks"'):]
    overdue = overdue[:overdue.index("</details>")]
    assert "逾期 1 周" in overdue and f'href="/attempts/{attempt.id}"' in overdue and "继续考试" in overdue
    assert overdue.startswith('<details class="overdue-weeks" open>')
    exam_attempts.submit(attempt, learner)
    home = client.get("/").text
    assert '<details class="overdue-weeks" open data-collapse-on-phone>' in home
