"""Taking an exam through HTTP: start, autosave, flag, review, submit, result;
a second tab lands on the same attempt; another learner's attempt is 404;
without JavaScript the whole form is saved."""
from __future__ import annotations

from lms.exams import answers as exam_answers, attempts as exam_attempts, results as exam_results
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import as_posted, item_of, learner, every_type_exam, right_form  # noqa: F401

HX = {"HX-Request": "true"}


def _start(client, exam):
    response = client.post(f"/exams/{exam.id}/start")
    assert response.status_code == 302
    attempt_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return db.session.get(Attempt, attempt_id)


def test_take_an_exam_from_start_to_result(client, clock, learner, every_type_exam):
    exam = every_type_exam(pass_mark=50)
    sign_in(client, learner)
    intro = client.get(f"/exams/{exam.id}")
    assert intro.status_code == 200 and "开始考试" in intro.text
    attempt = _start(client, exam)
    page = client.get(f"/attempts/{attempt.id}")
    assert page.status_code == 200
    assert 'data-deadline="2026-03-02T01:30:00Z"' in page.text
    for item in attempt.items:
        response = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=right_form(item), headers=HX)
        assert response.status_code == 200, response.text
        assert "已保存" in response.text and "09:00:00" in response.text
        # The navigator and the count follow the save (out of band).
        assert f'已答 {item.position} / 共 7 题' in response.text and 'id="q-nav"' in response.text
    flagged = item_of(attempt, "essay")
    response = client.post(f"/attempts/{attempt.id}/flag/{flagged.id}", data={f"flag-{flagged.id}": "1"}, headers=HX)
    assert response.status_code == 200 and "已标记" in response.text
    review = client.get(f"/attempts/{attempt.id}/review")
    assert "您已回答全部题目" in review.text and f"第 {flagged.position} 题" in review.text
    response = client.post(f"/attempts/{attempt.id}/submit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attempts/{attempt.id}/result")
    db.session.refresh(attempt)
    assert attempt.state == "grading"  # the essay waits for a trainer
    result = client.get(f"/attempts/{attempt.id}/result")
    assert "培训师" in result.text and "98765" not in result.text
    # The trainer grades the essay (the other side calls recompute_result).
    essay = item_of(attempt, "essay")
    essay.awarded = essay.points
    exam_results.recompute_result(attempt)
    db.session.commit()
    assert attempt.state == "finalised" and attempt.percent == 100.0 and attempt.passed
    result = client.get(f"/attempts/{attempt.id}/result")
    assert "100%" in result.text and "解析机密XJ-single" in result.text and "98765.4321" in result.text


def test_another_learners_attempt_is_404(client, clock, learner, make_user, every_type_exam):
    exam = every_type_exam()
    attempt = exam_attempts.start_attempt(learner, exam)
    item = attempt.items[0]
    sign_in(client, make_user(("learner",)))
    assert client.get(f"/attempts/{attempt.id}").status_code == 404
    assert client.post(f"/attempts/{attempt.id}/items/{item.id}", data={f"a-{item.id}": "A"}, headers=HX).status_code == 404
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 404
    db.session.refresh(attempt)
    assert attempt.state == "open" and item.answer is None


def test_without_javascript_the_whole_form_is_saved(client, clock, learner, every_type_exam):
    exam = every_type_exam(layout="one_page")
    attempt = _start_as(client, learner, exam)
    form = {"shown": ",".join(str(i.id) for i in attempt.items), "go": "review"}
    for item in attempt.items:
        form.update(right_form(item))
    essay = item_of(attempt, "essay")
    form[f"flag-{essay.id}"] = "1"
    response = client.post(f"/attempts/{attempt.id}/save", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attempts/{attempt.id}/review")
    attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
    answers = {i.question_version.type: i.answer for i in attempt.items}
    assert answers["multiple"] == ["A", "D"] and answers["truefalse"] is True
    assert answers["fill"] == ["填空机密甲", "填空机密乙"] and answers["case"] == {"a": "A", "b": "4321.987"}
    assert item_of(attempt, "essay").flagged
    # Clearing a checkbox group in the plain form clears the stored answer.
    multiple = item_of(attempt, "multiple")
    client.post(f"/attempts/{attempt.id}/save", data={"shown": str(multiple.id)})
    db.session.refresh(multiple)
    assert multiple.answer is None


def test_per_question_layout_moves_with_prev_next(client, clock, learner, every_type_exam):
    exam = every_type_exam(layout="per_question")
    attempt = _start_as(client, learner, exam)
    first, second = attempt.items[0], attempt.items[1]
    page = client.get(f"/attempts/{attempt.id}").text
    assert f'name="shown" value="{first.id}"' in page and 'name="go" value="2"' in page
    data = {"shown": str(first.id), "go": "2", **right_form(first)}
    response = client.post(f"/attempts/{attempt.id}/save", data=data)
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}?q=2")
    page = client.get(f"/attempts/{attempt.id}?q=2").text
    assert f'name="shown" value="{second.id}"' in page and 'name="go" value="1"' in page
    db.session.refresh(first)
    assert first.answer is not None


def _start_as(client, user, exam):
    sign_in(client, user)
    return _start(client, exam)


def test_an_overlong_answer_is_refused_and_nothing_changes(client, clock, learner, every_type_exam):
    exam = every_type_exam()
    attempt = _start_as(client, learner, exam)
    essay = item_of(attempt, "essay")
    client.post(f"/attempts/{attempt.id}/items/{essay.id}", data={f"a-{essay.id}": "第一稿"}, headers=HX)
    response = client.post(f"/attempts/{attempt.id}/items/{essay.id}", data={f"a-{essay.id}": "长" * 20_001},
                           headers=HX)
    assert response.status_code == 422 and f"第 {essay.position} 题的答案过长" in response.text
    no_js = client.post(f"/attempts/{attempt.id}/save", data={"shown": str(essay.id), f"a-{essay.id}": "长" * 20_001})
    assert no_js.status_code == 303
    db.session.refresh(essay)
    assert essay.answer == "第一稿"
    db.session.refresh(attempt)
    assert attempt.state == "open"


def test_the_countdown_submit_at_zero_counts_as_timeout(client, clock, learner, every_type_exam):
    from datetime import timedelta

    exam = every_type_exam()
    attempt = _start_as(client, learner, exam)
    single = item_of(attempt, "single")
    clock.advance(timedelta(minutes=30, seconds=2))  # the browser's timer fired; within the grace
    response = client.post(f"/attempts/{attempt.id}/save",
                           data={"shown": str(single.id), **as_posted(single, {f"a-{single.id}": "B"}), "go": "submit"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
    assert attempt.end_reason == "timeout" and attempt.submitted_at == attempt.deadline
    assert item_of(attempt, "single").answer == "B" and item_of(attempt, "single").correct


def test_two_tabs_last_acknowledged_save_wins(client, clock, learner, make_question, make_exam):
    """Tab 1 loaded the item with answer A; tab 2 saved B; tab 1 saves A again:
    A is stored, as tab 1 was told (no 'unchanged, skip' on stale data)."""
    question = make_question("single")
    exam = make_exam([{"questions": [question.slug]}])
    attempt = exam_attempts.start_attempt(learner, exam)
    item = attempt.items[0]
    item_id = item.id
    exam_answers.save_answer(attempt, item, "A", clock.now())
    from sqlalchemy import update
    from sqlalchemy.orm.attributes import set_committed_value

    from lms.exams.models import AttemptItem

    with db.engine.begin() as conn:  # another tab, another connection, saves B
        conn.execute(update(AttemptItem).where(AttemptItem.id == item_id).values(answer_json='"B"'))
    set_committed_value(item, "answer_json", '"A"')  # this request still sees A
    exam_answers.save_answer(attempt, item, "A", clock.now())
    with db.engine.connect() as conn:
        stored = conn.scalar(db.select(AttemptItem.answer_json).where(AttemptItem.id == item_id))
    assert stored == '"A"'


def test_navigator_follows_only_when_answered_state_changes(client, clock, learner, every_type_exam):
    exam = every_type_exam()
    attempt = _start_as(client, learner, exam)
    essay = item_of(attempt, "essay")
    url = f"/attempts/{attempt.id}/items/{essay.id}"
    first = client.post(url, data={f"a-{essay.id}": "贷前"}, headers=HX).text
    assert 'id="q-nav"' in first and "已答 1 / 共 7 题" in first
    typing = client.post(url, data={f"a-{essay.id}": "贷前调查"}, headers=HX).text
    assert "已保存" in typing and 'id="q-nav"' not in typing
    cleared = client.post(url, data={f"a-{essay.id}": ""}, headers=HX).text
    assert "已答 0 / 共 7 题" in cleared
