"""错题本 practice of a question whose exam keeps its answers back is refused
(graded on the spot it would be an oracle for the key): the entry stays
listed and says when practice opens, in the words of the exam's policy;
practice opens by itself once the exam shows the answers."""
from __future__ import annotations

from datetime import datetime, timedelta

from lms.exams import answers as exam_answers, attempts as exam_attempts, notebook
from lms.exams.models import NotebookEntry
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.results_data import notebook_entry

HX = {"HX-Request": "true"}
EXPLANATION = "个人通知存款最低起存金额为 5 万元。"


def _failed_once(make_user, make_question, make_exam, locale="en", **exam_settings):
    question = make_question("single", slug="dep-201", tags=("个人存款",), explanation=EXPLANATION)
    exam = make_exam([{"questions": ["dep-201"]}], title="准入考试", pass_mark=60.0, max_attempts=None,
                     cooldown_minutes=0, **exam_settings)
    learner = make_user(("learner",), locale=locale)
    first = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(first, first.items[0], "A")
    exam_attempts.submit(first, learner)
    entry = db.session.query(NotebookEntry).filter_by(user_id=learner.id, question_id=question.id).one()
    return learner, exam, entry


def _cleared(entry) -> bool:
    return db.session.get(NotebookEntry, entry.id, populate_existing=True).cleared_at is not None


def test_after_pass_practice_opens_once_the_exam_is_passed(app, client, clock, make_user, make_question, make_exam):
    learner, exam, entry = _failed_once(make_user, make_question, make_exam, review_policy="after_pass")
    sign_in(client, learner)
    page = client.get(f"/notebook/practice/{entry.id}")
    assert "once you have passed “准入考试”" in page.text and 'name="answer"' not in page.text
    tried = client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"}, headers=HX)
    assert "Correct!" not in tried.text and "once you have passed" in tried.text
    assert not _cleared(entry)

    retake = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(retake, retake.items[0], "B")
    exam_attempts.submit(retake, learner)
    assert retake.passed
    after = client.post(f"/notebook/practice/{entry.id}", data={"answer": "C"}, headers=HX)
    assert "Not quite" in after.text and EXPLANATION in after.text  # graded, with the key, as the review shows it
    assert "Correct!" in client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"}, headers=HX).text
    assert _cleared(entry)


def test_after_close_names_the_closing_time_and_opens_then(app, client, clock, make_user, make_question, make_exam):
    closes = clock.now() + timedelta(days=3)  # 2026-03-05 01:00 UTC: 09:00 in Shanghai
    learner, exam, entry = _failed_once(make_user, make_question, make_exam, review_policy="after_close",
                                        closes_at=closes)
    sign_in(client, learner)
    page = client.get(f"/notebook/practice/{entry.id}")
    assert "once “准入考试” closes (2026-03-05 09:00)" in page.text and 'name="answer"' not in page.text
    plain = client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"})
    assert "Correct!" not in client.get(plain.headers["Location"]).text and not _cleared(entry)

    clock.advance(timedelta(days=3))  # closed, but a learner still sitting it may answer for the grace (30 s)
    assert "Correct!" not in client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"}, headers=HX).text
    clock.advance(timedelta(seconds=30))
    assert "Correct!" in client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"}, headers=HX).text


def test_never_says_so_in_chinese_and_the_service_refuses_too(app, client, clock, make_user, make_question,
                                                               make_exam):
    learner, _exam, entry = _failed_once(make_user, make_question, make_exam, locale="zh_CN", review_policy="never")
    sign_in(client, learner)
    page = client.get(f"/notebook/practice/{entry.id}")
    assert "该题所在考试“准入考试”不公布答案，该题不能在错题本中练习。" in page.text
    listing = client.get("/notebook/")
    assert "该题所在考试“准入考试”不公布答案" in listing.text
    assert f'href="/notebook/practice/{entry.id}"' not in listing.text  # listed, but no way into practice

    try:
        notebook.practise(learner, entry, "B")
    except notebook.PracticeWithheld as refused:
        assert refused.withheld.exam.title == "准入考试"
    else:
        raise AssertionError("practise graded a withheld entry")
    try:
        notebook.mark_reviewed(learner, entry)
    except notebook.PracticeWithheld:
        pass
    else:
        raise AssertionError("an entry whose rubric is withheld was cleared by hand")
    assert not _cleared(entry)


def test_after_pass_in_chinese_says_when_practice_opens(app, client, clock, make_user, make_question, make_exam):
    learner, _exam, entry = _failed_once(make_user, make_question, make_exam, locale="zh_CN",
                                         review_policy="after_pass")
    sign_in(client, learner)
    assert "通过该题所在考试“准入考试”后可练习" in client.get(f"/notebook/practice/{entry.id}").text


def test_practice_sequence_and_home_panel_pass_over_withheld_entries(app, client, clock, make_user, make_question,
                                                                     make_exam):
    learner, _exam, hidden = _failed_once(make_user, make_question, make_exam, review_policy="never")
    free = notebook_entry(learner, make_question("single", slug="dep-202", tags=("个人存款",)), times_wrong=1)
    db.session.commit()
    sign_in(client, learner)

    for start in ("/notebook/practice", "/notebook/practice?tag=个人存款", f"/notebook/practice?after={hidden.id}"):
        went = client.get(start)
        assert went.headers["Location"].startswith(f"/notebook/practice/{free.id}"), start
    # After the free one, only the withheld one is left: back to the notebook, saying why.
    done = client.get(f"/notebook/practice?after={free.id}&tag=个人存款", follow_redirects=True)
    assert "can be practised once their exams show the answers" in done.text
    assert "Well done" not in done.text
    assert "1 of them can be practised only once their exam shows the answers." in done.text

    home = client.get("/")
    assert "2 questions to practise." in home.text
    assert "1 of them can be practised only once their exam shows the answers." in home.text

    # Cleared the free one: nothing is practisable, and the sequence says so rather than "well done".
    assert "Correct!" in client.post(f"/notebook/practice/{free.id}", data={"answer": "B"}, headers=HX).text
    last = client.get("/notebook/practice", follow_redirects=True)
    assert "can be practised once their exams show the answers" in last.text


def test_skipping_the_last_withheld_entry_does_not_say_well_done(app, client, clock, make_user, make_question,
                                                                 make_exam):
    learner, _exam, hidden = _failed_once(make_user, make_question, make_exam, review_policy="after_pass")
    sign_in(client, learner)
    skipped = client.get(f"/notebook/practice?after={hidden.id}", follow_redirects=True)
    assert "Well done" not in skipped.text
    assert "can be practised once their exams show the answers" in skipped.text
