"""错题本: the learner's own wrong answers by knowledge point, and practice
that never shows the key before the learner has answered."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.content.models import QuestionTag, QuestionVersion
from lms.exams import notebook
from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.exams.models import Attempt, NotebookEntry
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.results_data import notebook_entry

EXPLANATION = "个人通知存款最低起存金额为 5 万元。"


@pytest.fixture
def book(make_user, make_question):
    learner = make_user(("learner",), locale="en")
    other = make_user(("learner",), locale="en")
    q_dep = make_question("single", slug="dep-001", tags=("个人存款",), explanation=EXPLANATION)
    q_notice = make_question("truefalse", slug="dep-002", tags=("个人存款", "通知存款"), explanation="七天通知存款。")
    q_plain = make_question("numeric", slug="calc-001", tags=(), explanation="负债 ÷ 资产。")
    q_essay = make_question("essay", slug="essay-001", tags=("贷前调查",), explanation="参考要点。",
                            data={"rubric": "实地走访、核实报表"})
    entries = {
        "dep": notebook_entry(learner, q_dep, times_wrong=3),
        "notice": notebook_entry(learner, q_notice),
        "plain": notebook_entry(learner, q_plain),
        "essay": notebook_entry(learner, q_essay),
    }
    theirs = notebook_entry(other, make_question("single", slug="other-001", tags=("公司贷款",)))
    return learner, other, entries, theirs


def test_grouped_by_knowledge_point_with_counts(app, book):
    learner, _other, entries, _theirs = book
    entries["essay"].cleared_at = entries["essay"].first_wrong_at
    db.session.commit()
    points = {p.tag: (p.open, p.cleared) for p in notebook.knowledge_points(learner)}
    assert points == {"个人存款": (2, 0), "通知存款": (1, 0), "贷前调查": (0, 1), "": (1, 0)}
    assert notebook.counts(learner) == (3, 1)
    assert [e.id for e, _v in notebook.entries(learner, "个人存款")] == [entries["dep"].id, entries["notice"].id]
    assert [e.id for e, _v in notebook.entries(learner, "")] == [entries["plain"].id]


def test_notebook_page_shows_only_my_entries(app, client, book):
    learner, _other, _entries, _theirs = book
    sign_in(client, learner)
    page = client.get("/notebook/")
    assert page.status_code == 200
    assert "个人存款" in page.text and "通知存款" in page.text and "Without knowledge point" in page.text
    assert "公司贷款" not in page.text  # another learner's knowledge point
    partial = client.get("/notebook/?tag=通知存款", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<section class="card" id="notebook-entries">')
    assert "题干" in partial.text


def test_practice_shows_no_key_before_answering(app, client, book):
    learner, _o, entries, _t = book
    sign_in(client, learner)
    page = client.get(f"/notebook/practice/{entries['dep'].id}")
    assert page.status_code == 200
    assert 'type="radio" name="answer" value="B"' in page.text
    assert EXPLANATION not in page.text
    assert "correct answer" not in page.text and "is-key" not in page.text
    essay = client.get(f"/notebook/practice/{entries['essay'].id}")
    assert "实地走访" not in essay.text  # the rubric is a key too


def test_wrong_practice_answer_shows_the_key_and_keeps_the_entry(app, client, book):
    learner, _o, entries, _t = book
    sign_in(client, learner)
    response = client.post(f"/notebook/practice/{entries['dep'].id}", data={"answer": "A"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card practice-card" id="practice-card"')
    assert EXPLANATION in response.text and "correct answer" in response.text and "Not quite" in response.text
    assert db.session.get(NotebookEntry, entries["dep"].id, populate_existing=True).cleared_at is None
    # Nothing about practice is an attempt.
    assert db.session.scalar(select(Attempt)) is None


def test_correct_practice_answer_clears_the_entry_without_js(app, client, clock, book):
    learner, _o, entries, _t = book
    sign_in(client, learner)
    response = client.post(f"/notebook/practice/{entries['dep'].id}", data={"answer": "B"})
    assert response.status_code == 302  # post-redirect-get
    assert db.session.get(NotebookEntry, entries["dep"].id, populate_existing=True).cleared_at == clock.now()
    feedback = client.get(response.headers["Location"])
    assert "Correct!" in feedback.text and EXPLANATION in feedback.text
    # The feedback shows once; the next visit asks the question again.
    again = client.get(response.headers["Location"])
    assert EXPLANATION not in again.text
    assert notebook.counts(learner) == (3, 1)


def test_practice_uses_the_current_version(app, client, book):
    learner, _o, entries, _t = book
    entry = entries["dep"]
    old = db.session.get(QuestionVersion, entry.version_id)
    new = QuestionVersion(question_id=old.question_id, version=2, type="single", stem_md="修订后的题干",
                          stem_html="<p>修订后的题干</p>", content_hash="v2", explanation_html="<p>新解析</p>",
                          data_json='{"options": [{"key": "A", "text": "5 万元"}, {"key": "B", "text": "1 万元"}], '
                                    '"correct": ["A"]}')
    new.tag_rows = [QuestionTag(tag="个人存款")]
    db.session.add(new)
    db.session.flush()
    old.question.current_version_id = new.id
    db.session.commit()
    sign_in(client, learner)
    assert "修订后的题干" in client.get(f"/notebook/practice/{entry.id}").text
    client.post(f"/notebook/practice/{entry.id}", data={"answer": "A"})
    assert db.session.get(NotebookEntry, entry.id, populate_existing=True).cleared_at is not None


def test_empty_answer_is_asked_again(app, client, book):
    learner, _o, entries, _t = book
    sign_in(client, learner)
    response = client.post(f"/notebook/practice/{entries['dep'].id}", data={}, headers={"HX-Request": "true"})
    assert "Answer the question first." in response.text and EXPLANATION not in response.text


def test_essay_practice_shows_rubric_and_is_cleared_by_hand(app, client, book):
    learner, _o, entries, _t = book
    sign_in(client, learner)
    response = client.post(f"/notebook/practice/{entries['essay'].id}", data={"answer": "走访企业"},
                           headers={"HX-Request": "true"})
    assert "实地走访" in response.text and "走访企业" in response.text
    assert db.session.get(NotebookEntry, entries["essay"].id, populate_existing=True).cleared_at is None
    assert client.post(f"/notebook/entries/{entries['essay'].id}/reviewed").status_code == 302
    assert db.session.get(NotebookEntry, entries["essay"].id, populate_existing=True).cleared_at is not None


def test_practice_walks_through_one_knowledge_point(app, client, book):
    learner, _o, entries, _t = book
    sign_in(client, learner)
    first = client.get("/notebook/practice?tag=个人存款")
    assert first.headers["Location"].startswith(f"/notebook/practice/{entries['dep'].id}")
    following = client.get(f"/notebook/practice?tag=个人存款&after={entries['dep'].id}")
    assert following.headers["Location"].startswith(f"/notebook/practice/{entries['notice'].id}")
    wrapped = client.get(f"/notebook/practice?tag=个人存款&after={entries['notice'].id}")
    assert wrapped.headers["Location"].startswith(f"/notebook/practice/{entries['dep'].id}")


def test_another_learners_entry_is_not_found(app, client, book):
    learner, _o, _entries, theirs = book
    sign_in(client, learner)
    assert client.get(f"/notebook/practice/{theirs.id}").status_code == 404
    assert client.post(f"/notebook/practice/{theirs.id}", data={"answer": "B"}).status_code == 404
    assert client.post(f"/notebook/entries/{theirs.id}/reviewed").status_code == 404
    assert db.session.get(NotebookEntry, theirs.id, populate_existing=True).cleared_at is None


def test_home_panel_links_to_the_notebook(app, client, book):
    learner, *_ = book
    sign_in(client, learner)
    home = client.get("/")
    assert 'id="notebook-panel"' in home.text
    assert "4 questions to practise." in home.text


def test_a_failed_exam_fills_the_notebook(app, client, make_user, make_question, make_exam):
    """End to end with the exam engine: a wrong answer at finalise lands here."""
    make_question("single", slug="dep-009", tags=("大额存单",))
    exam = make_exam([{"questions": ["dep-009"]}], pass_mark=60.0)
    learner = make_user(("learner",), locale="en")
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(attempt, attempt.items[0], "A")
    exam_attempts.submit(attempt, learner)
    sign_in(client, learner)
    page = client.get("/notebook/")
    assert "大额存单" in page.text


def test_practice_in_chinese(app, client, make_user, make_question):
    learner = make_user(("learner",))  # zh_CN, the default
    entry = notebook_entry(learner, make_question("single", slug="zh-001", tags=("个人存款",), explanation=EXPLANATION))
    sign_in(client, learner)
    assert "错题本" in client.get("/notebook/").text
    assert "提交答案" in client.get(f"/notebook/practice/{entry.id}").text
    feedback = client.post(f"/notebook/practice/{entry.id}", data={"answer": "A"}, headers={"HX-Request": "true"})
    assert "回答有误" in feedback.text and EXPLANATION in feedback.text


def test_a_new_learners_empty_notebook_offers_no_practice_of_nothing(client, make_user):
    """A learner who has taken no exam opened 错题本 and found a primary button 练习全部错题（0）,
    which led to "Nothing left to practise here. Well done!" for work never done. With nothing
    to practise there is no such button; the page says the notebook is empty."""
    sign_in(client, make_user(("learner",)))
    page = client.get("/notebook/").text
    assert "练习全部错题" not in page and "/notebook/practice" not in page
    assert "错题本是空的：暂无需要复习的错题。" in page


def test_the_practice_verdict_is_said_by_a_lasting_live_region(app, client, book):
    """The card was a live region that htmx swapped whole (outerHTML): a screen reader said nothing of
    "Not quite…" (or, where it did, the whole question again). The page keeps an empty polite region
    outside the card; the answer fills it out of band with the verdict alone."""
    import re

    learner, _o, entries, _t = book
    sign_in(client, learner)
    page = client.get(f"/notebook/practice/{entries['dep'].id}").text
    assert re.search(r'<p id="practice-status" class="visually-hidden" role="status" aria-live="polite"></p>', page)
    assert 'id="practice-card" aria-live' not in page
    response = client.post(f"/notebook/practice/{entries['dep'].id}", data={"answer": "A"},
                           headers={"HX-Request": "true"}).text
    said = re.findall(r'<p id="practice-status" hx-swap-oob="innerHTML">([^<]*)</p>', response)
    assert said == ["Not quite. The correct answer and the explanation are below; the question stays in your "
                    "notebook."]
    without_js = client.post(f"/notebook/practice/{entries['dep'].id}", data={"answer": "A"}).text
    assert without_js.count('id="practice-status"') <= 1
