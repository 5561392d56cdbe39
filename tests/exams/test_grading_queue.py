"""The essay grading queue: what a trainer sees, what grading does to the
attempt, and what is refused."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from tests.conftest import sign_in

HOSTILE = "<script>alert('x')</script> 贷前调查要实地走访。"


@pytest.fixture
def essay_exam(make_question, make_exam):
    single = make_question("single", slug="dep-001")
    essay = make_question("essay", slug="essay-001", points=4,
                          data={"rubric": "要点：**实地调查**、核实财务报表、关联交易。"})
    exam = make_exam([{"questions": ["dep-001", "essay-001"]}], title="第3周测验", pass_mark=60.0,
                     shuffle_options=False)
    return exam, single, essay


def submitted(user, exam, essay_text=HOSTILE, single_answer="B"):
    """Start, answer and submit through the exam engine."""
    attempt = exam_attempts.start_attempt(user, exam)
    for item in attempt.items:
        qtype = item.question_version.type
        exam_answers.save_answer(attempt, item, single_answer if qtype == "single" else essay_text)
    return exam_attempts.submit(attempt, user)


def essay_item(attempt) -> AttemptItem:
    return next(i for i in db.session.get(Attempt, attempt.id).items if i.question_version.type == "essay")


def test_essay_waits_and_grading_finalises_the_attempt(app, client, clock, make_user, essay_exam):
    exam, _single, _essay = essay_exam
    learner = make_user(("learner",), name="李学员")
    trainer = make_user(("trainer",), locale="en")
    attempt = submitted(learner, exam)
    assert attempt.state == "grading"
    item = essay_item(attempt)
    assert item.needs_grading

    sign_in(client, trainer)
    page = client.get("/grading/")
    assert page.status_code == 200
    assert "李学员" in page.text
    # The learner's answer is shown as text, never as HTML; the rubric is rendered markdown.
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(" in page.text
    assert "<strong>实地调查</strong>" in page.text
    assert 'max="4"' in page.text

    response = client.post(f"/grading/items/{item.id}", data={"points": "3", "comment": "要点基本齐全"})
    assert response.status_code == 302

    attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
    item = db.session.get(AttemptItem, item.id, populate_existing=True)
    assert (item.awarded, item.needs_grading, item.grader_id, item.grader_comment) == (3.0, False, trainer.id, "要点基本齐全")
    assert item.graded_at == clock.now()
    assert attempt.state == "finalised"
    assert attempt.score == 4.0 and attempt.percent == 80.0 and attempt.passed is True
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.essay_graded"))
    assert event.object_id == str(attempt.id) and event.actor_id == trainer.id
    assert event.details_dict["points"] == 3.0
    assert "Nothing waits for grading." in client.get("/grading/").text


def test_low_essay_points_fail_the_attempt(app, client, make_user, essay_exam):
    exam, _s, _e = essay_exam
    attempt = submitted(make_user(("learner",)), exam)
    sign_in(client, make_user(("trainer",)))
    client.post(f"/grading/items/{essay_item(attempt).id}", data={"points": "1"})
    attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
    assert attempt.state == "finalised" and attempt.percent == 40.0 and attempt.passed is False


@pytest.mark.parametrize("points", ["-1", "4.5", "abc", "", "nan", "inf"])
def test_invalid_points_are_refused_and_change_nothing(app, client, make_user, essay_exam, points):
    exam, _s, _e = essay_exam
    attempt = submitted(make_user(("learner",)), exam)
    item = essay_item(attempt)
    sign_in(client, make_user(("trainer",), locale="en"))
    response = client.post(f"/grading/items/{item.id}", data={"points": points})
    assert response.status_code == 200
    assert ("Points must be" in response.text) or ("Enter the points" in response.text)
    item = db.session.get(AttemptItem, item.id, populate_existing=True)
    assert item.needs_grading and item.awarded is None
    assert db.session.get(Attempt, attempt.id, populate_existing=True).state == "grading"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.essay_graded")) is None


def test_htmx_grading_swaps_in_the_next_answer(app, client, clock, make_user, essay_exam):
    exam, _s, _e = essay_exam
    first = submitted(make_user(("learner",), name="先交卷"), exam)
    clock.advance(timedelta(minutes=5))
    second = submitted(make_user(("learner",), name="后交卷"), exam)
    sign_in(client, make_user(("trainer",)))
    page = client.get("/grading/")
    # Oldest first: the form on the page grades the first learner's essay.
    assert f'/grading/items/{essay_item(first).id}"' in page.text

    response = client.post(f"/grading/items/{essay_item(first).id}", data={"points": "4"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="grading-queue">')
    assert "<html" not in response.text
    assert f'/grading/items/{essay_item(second).id}"' in response.text
    assert "后交卷" in response.text


def test_queue_filters_by_exam(app, client, make_user, make_question, make_exam, essay_exam):
    exam, _s, _e = essay_exam
    make_question("essay", slug="essay-002")
    other = make_exam([{"questions": ["essay-002"]}], title="第4周测验")
    submitted(make_user(("learner",), name="甲学员"), exam)
    submitted(make_user(("learner",), name="乙学员"), other)
    sign_in(client, make_user(("trainer",)))
    everything = client.get("/grading/").text
    assert "甲学员" in everything and "乙学员" in everything
    only_other = client.get(f"/grading/?exam={other.id}").text
    assert "乙学员" in only_other and "甲学员" not in only_other



def test_the_exam_picker_tells_two_exams_of_the_same_title_apart(app, client, make_user, make_question, make_exam,
                                                                  essay_exam):
    """A trainer's two programmes each have a 第3周测验: the queue's picker offered two identical
    options. Each now carries its exam's id; an exam whose title is its own is shown alone."""
    import re

    exam, _s, _e = essay_exam
    make_question("essay", slug="essay-002")
    make_question("essay", slug="essay-003")
    twin = make_exam([{"questions": ["essay-002"]}], title="第3周测验")
    other = make_exam([{"questions": ["essay-003"]}], title="第4周测验")
    for e in (exam, twin, other):
        submitted(make_user(("learner",)), e)
    sign_in(client, make_user(("trainer",)))
    picker = client.get("/grading/").text.split('id="grading-exam"', 1)[1].split("</select>", 1)[0]
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', picker))
    assert options == {str(exam.id): f"第3周测验 · {exam.slug} (1)", str(twin.id): f"第3周测验 · {twin.slug} (1)",
                       str(other.id): "第4周测验 (1)"}

def test_an_answer_is_graded_once(app, client, make_user, essay_exam):
    exam, _s, _e = essay_exam
    attempt = submitted(make_user(("learner",)), exam)
    item = essay_item(attempt)
    sign_in(client, make_user(("trainer",)))
    client.post(f"/grading/items/{item.id}", data={"points": "4"})
    again = client.post(f"/grading/items/{item.id}", data={"points": "0"})
    assert again.status_code == 302
    # A second click (or the form sent again from another tab): told it was they who graded it, and how.
    assert "您已给这份答案评过分：4 / 4 分。" in client.get(again.headers["Location"]).text
    assert db.session.get(AttemptItem, item.id, populate_existing=True).awarded == 4.0
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.essay_graded")).all()) == 1


def test_two_trainers_grading_the_same_answer_at_once(app, client, clock, make_user, essay_exam, monkeypatch):
    """Trainer B sends a grade for the answer trainer A grades at the same
    moment (A's commit lands between B's check that it waits and B's write). B is told the
    answer was graded by A (named, with A's points); B's points and comment are not put on
    the next answer's form with an error of the one before, and A's grade holds."""
    from lms.exams import grading_views

    exam, _s, _e = essay_exam
    first = submitted(make_user(("learner",)), exam)
    clock.advance(timedelta(minutes=5))
    second = submitted(make_user(("learner",), name="后交卷"), exam)
    trainer_a, trainer_b = make_user(("trainer",)), make_user(("trainer",))
    waiting = grading_views.services.waiting_item
    stale = []

    def still_waiting_when_b_checked(item_id, grader=None):
        if not stale:  # B's check ran before A's grade was committed
            stale.append(item_id)
            return db.session.get(AttemptItem, item_id)
        return waiting(item_id, grader)

    grading_views.services.grade_essay(essay_item(first), 4, "A 的评语", trainer_a)
    monkeypatch.setattr(grading_views.services, "waiting_item", still_waiting_when_b_checked)
    sign_in(client, trainer_b)
    response = client.post(f"/grading/items/{essay_item(first).id}", data={"points": "1", "comment": "B 的评语"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f"{trainer_a.name} ({trainer_a.employee_no}) 已给这份答案评过分：4 / 4 分。" in response.text
    assert "该答案已经评过分。" not in response.text
    assert f'/grading/items/{essay_item(second).id}"' in response.text
    points_input = re.search(r'<input[^>]*id="grade-points"[^>]*>', response.text).group(0)
    assert 'value=""' in points_input and "aria-invalid" not in points_input
    assert "B 的评语" not in response.text
    graded = db.session.get(AttemptItem, essay_item(first).id, populate_existing=True)
    assert (graded.awarded, graded.grader_id, graded.grader_comment) == (4.0, trainer_a.id, "A 的评语")


def test_an_open_attempt_is_not_in_the_queue(app, client, make_user, essay_exam):
    exam, _s, _e = essay_exam
    attempt = exam_attempts.start_attempt(make_user(("learner",), name="还在考"), exam)
    sign_in(client, make_user(("trainer",)))
    assert "还在考" not in client.get("/grading/").text
    item = next(i for i in attempt.items if i.question_version.type == "essay")
    assert client.post(f"/grading/items/{item.id}", data={"points": "4"}).status_code == 302
    assert db.session.get(AttemptItem, item.id, populate_existing=True).awarded is None


@pytest.mark.parametrize("roles", [("learner",), ("mentor", "learner"), ("hr",)])
def test_only_trainers_grade(app, client, make_user, essay_exam, roles):
    exam, _s, _e = essay_exam
    learner = make_user(("learner",))
    attempt = submitted(learner, exam)
    item = essay_item(attempt)
    for who in (make_user(roles), learner):
        sign_in(client, who)
        assert client.get("/grading/").status_code == 403
        assert client.post(f"/grading/items/{item.id}", data={"points": "4"}).status_code == 403
    assert db.session.get(AttemptItem, item.id, populate_existing=True).needs_grading


def test_any_trainer_and_admin_may_grade(app, client, make_user, essay_exam):
    exam, _s, _e = essay_exam
    first = submitted(make_user(("learner",)), exam)
    second = submitted(make_user(("learner",)), exam)
    for attempt, grader in ((first, make_user(("trainer",))), (second, make_user(("admin",)))):
        sign_in(client, grader)
        assert client.post(f"/grading/items/{essay_item(attempt).id}", data={"points": "2"}).status_code == 302
        assert db.session.get(AttemptItem, essay_item(attempt).id, populate_existing=True).grader_id == grader.id


def test_a_comment_with_a_text_direction_control_is_refused(app, client, make_user, essay_exam):
    exam, _s, _e = essay_exam
    attempt = submitted(make_user(("learner",)), exam)
    item = essay_item(attempt)
    sign_in(client, make_user(("trainer",), locale="en"))
    response = client.post(f"/grading/items/{item.id}",
                           data={"points": "3", "comment": "要点齐全\u2067满分\u2069"})
    assert response.status_code == 200
    assert "“Comment” contains a text-direction character (U+2067)" in response.text
    item = db.session.get(AttemptItem, item.id, populate_existing=True)
    assert item.needs_grading and item.awarded is None and not item.grader_comment


def test_an_answer_with_a_text_direction_control_shows_it_to_the_grader(app, client, make_user, essay_exam):
    # An exam answer is never refused while the clock runs; the grader sees the
    # control written out, and the text around it in its order.
    exam, _s, _e = essay_exam
    submitted(make_user(("learner",)), exam, essay_text="实地走访\u202e。表报务财核")
    sign_in(client, make_user(("trainer",), locale="en"))
    page = client.get("/grading/")
    assert "实地走访[U+202E]。表报务财核" in page.text
    assert "\u202e" not in page.text


def test_a_case_in_the_queue_shows_its_parts_as_the_learner_answered_them(app, client, make_user, make_question,
                                                                           make_exam):
    """A case waiting for its essay part: the trainer reads each automatic part as the
    attempt page shows it (the learner's option marked beside the key, 对/错), the essay
    part's answer and marking points; never the stored codes ("A", true)."""
    case = make_question("case", data={"parts": [
        {"id": "a", "type": "single", "stem": "流动比率约为？", "points": 2,
         "data": {"options": [{"key": "A", "text": "0.8"}, {"key": "B", "text": "1.2"}], "correct": ["B"]}},
        {"id": "b", "type": "truefalse", "stem": "可以续贷。", "points": 1, "data": {"correct": True}},
        {"id": "c", "type": "essay", "stem": "你会怎样处理？", "points": 5, "data": {"rubric": "先核实资金流向"}},
    ]})
    exam = make_exam([{"questions": [case.slug]}], shuffle_options=False)
    attempt = exam_attempts.start_attempt(make_user(("learner",)), exam)
    [item] = attempt.items
    exam_answers.save_answer(attempt, item, {"a": "A", "b": True, "c": "先停止放款，再上报"})
    exam_attempts.submit(attempt, attempt.user)
    sign_in(client, make_user(("trainer",)))
    page = client.get("/grading/").text.split('id="grading-item"')[1].split("<form")[0]
    assert re.search(r"0\.8\s*<span class=\"badge\">学员答案</span>", page)
    assert re.search(r"1\.2\s*<span class=\"badge ok\">正确答案</span>", page)
    assert "学员答案：<strong>对</strong>" in page and "评分要点" in page and "先核实资金流向" in page
    assert "先停止放款，再上报" in page
    assert "<code>&#34;A&#34;</code>" not in page and "<code>true</code>" not in page and "您的答案" not in page
