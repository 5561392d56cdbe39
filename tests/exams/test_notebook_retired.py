"""A question the trainer retired (deleted from its bank) is no longer asked:
the learner's 错题本 keeps its entry as a record, marked retired, with the
question as last published (a corrected key included), but does not practise
it nor count it as a question to practise — on the notebook page, the home
panel, practice and the mentor's view alike."""
from __future__ import annotations

import pytest

from lms.content.models import Question, QuestionVersion
from lms.exams import notebook
from lms.exams.models import NotebookEntry
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.results_data import notebook_entry


@pytest.fixture
def book(make_user, make_question):
    learner = make_user(("learner",), locale="en")
    live = make_question("single", slug="dep-001", tags=("个人存款",), explanation="五万元起存。")
    gone = make_question("single", slug="dep-002", tags=("个人存款",), explanation="旧题解析。")
    entries = {"live": notebook_entry(learner, live), "gone": notebook_entry(learner, gone, times_wrong=5)}
    # The trainer found the key wrong (B → A), published the correction, then retired the question.
    old = gone.current_version
    fixed = QuestionVersion(question_id=gone.id, version=2, type="single", stem_md=old.stem_md, stem_html=old.stem_html,
                            content_hash="v2", explanation_md="更正后的解析", explanation_html="<p>更正后的解析</p>",
                            data_json='{"options": [{"key": "A", "text": "5 万元"}, {"key": "B", "text": "1 万元"}], '
                                      '"correct": ["A"]}')
    db.session.add(fixed)
    db.session.flush()
    gone.current_version_id = fixed.id
    gone.retired = True
    db.session.commit()
    return learner, entries


def test_a_retired_question_counts_neither_as_open_nor_as_cleared(app, book):
    learner, entries = book
    assert notebook.counts(learner) == (1, 0)
    assert [(p.tag, p.open, p.cleared, p.retired) for p in notebook.knowledge_points(learner)] == [("个人存款", 1, 0, 1)]
    assert notebook.waiting(learner) == 0
    # Practice goes to the live question only: after it, nothing (not the retired one).
    assert notebook.next_entry(learner) == entries["live"]
    assert notebook.next_entry(learner, after_id=entries["live"].id) is None


def test_the_notebook_lists_it_as_retired_without_practice(app, client, book):
    learner, entries = book
    sign_in(client, learner)
    page = client.get("/notebook/").text
    assert "Practise all (1)" in page
    row = page.split(f'id="entry-{entries["gone"].id}"')[1].split("</tr>")[0]
    assert "retired" in row and "Show the question" in row and ">Practise<" not in row
    live_row = page.split(f'id="entry-{entries["live"].id}"')[1].split("</tr>")[0]
    assert ">Practise<" in live_row


def test_its_page_shows_the_corrected_key_and_no_form(app, client, book):
    learner, entries = book
    sign_in(client, learner)
    page = client.get(f"/notebook/practice/{entries['gone'].id}").text
    assert "The trainer has retired this question" in page
    assert "更正后的解析" in page and "is-key" in page  # the corrected key, shown as a record
    assert "Check my answer" not in page and 'type="radio"' not in page


def test_practising_it_is_refused_and_leaves_it_as_it_was(app, client, book):
    learner, entries = book
    sign_in(client, learner)
    gone = entries["gone"].id
    response = client.post(f"/notebook/practice/{gone}", data={"answer": "A"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "The trainer has retired this question" in response.text
    assert "Correct!" not in response.text
    assert client.post(f"/notebook/entries/{gone}/reviewed").status_code == 302
    assert db.session.get(NotebookEntry, gone, populate_existing=True).cleared_at is None
    with pytest.raises(notebook.QuestionRetired):
        notebook.practise(learner, db.session.get(NotebookEntry, gone), "A")


def test_the_home_panel_counts_only_what_can_be_practised(app, client, book):
    learner, entries = book
    sign_in(client, learner)
    home = client.get("/").text
    assert "1 question to practise." in home
    # Once the live one is cleared nothing is left to practise: no "Practise now" that leads nowhere.
    client.post(f"/notebook/practice/{entries['live'].id}", data={"answer": "B"})
    home = client.get("/").text
    assert "No wrong answers to review." in home and "Practise now" not in home
    assert client.get("/notebook/practice").headers["Location"] == "/notebook/"


def test_an_unretired_question_is_practised_again(app, book):
    learner, entries = book
    db.session.get(Question, entries["gone"].question_id).retired = False
    db.session.commit()
    assert notebook.counts(learner) == (2, 0)
    assert notebook.next_entry(learner) == entries["gone"]  # most often wrong first


def test_an_empty_notebook_after_an_exam_in_grading_says_why(app, client, make_user, make_question, make_exam):
    """A newcomer failed an exam with an essay in it and opened 错题本: "暂无错题" — their wrong answers
    come only once the trainer has graded the essay, and nothing said so."""
    from lms.exams import answers as exam_answers, attempts as exam_attempts

    single = make_question("single", slug="grading-001")
    essay = make_question("essay", slug="grading-002")
    exam = make_exam([{"questions": [single.slug, essay.slug]}], pass_mark=80.0)
    learner = make_user(("learner",))
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(attempt, attempt.items[0], "A")
    exam_attempts.submit(attempt, learner)
    assert db.session.get(type(attempt), attempt.id).state == "grading"
    sign_in(client, learner)
    expected = "您有 1 场考试正在等待培训师阅卷：阅卷完成后，其中答错的题目会记入错题本。"
    assert expected in client.get("/notebook/").text
    assert expected in client.get("/").text
