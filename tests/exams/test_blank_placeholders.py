"""A fill-in-the-blank stem in a list (the 错题本, the item analysis) shows
its blanks as the exam's review does, （1）, never the raw ``{{1}}``."""
from __future__ import annotations

from lms.questions.fill import stem_summary
from tests.conftest import sign_in
from tests.exams.results_data import finished_attempt, notebook_entry
from tests.exams.takers import learner  # noqa: F401

STEM = "贷款五级分类：正常、关注、{{1}}、{{2}}、损失。"
MARKS = '<span class="blank-mark">（1）</span>、<span class="blank-mark">（2）</span>'


def test_the_notebook_lists_a_fill_question_with_blanks(client, learner, make_question):
    question = make_question("fill", stem=STEM)
    notebook_entry(learner, question)
    sign_in(client, learner)
    page = client.get("/notebook/").text
    assert "{{" not in page
    assert MARKS in page


def test_the_item_analysis_shows_blanks(client, learner, make_question, make_exam, make_user):
    question = make_question("fill", stem=STEM)
    exam = make_exam([{"questions": [question.slug]}], time_limit_minutes=30, pass_mark=60.0)
    finished_attempt(learner, exam, [(question.current_version, ["次级", "损失"], 0.5)])
    sign_in(client, make_user(("trainer",)))
    page = client.get(f"/analysis/exams/{exam.id}").text
    row = page.split('<tr id="question-', 1)[1].split("</tr>", 1)[0]
    assert "{{" not in row and MARKS in row


def test_a_long_stem_is_shortened_without_cutting_a_blank():
    stem = "甲" * 10 + "{{1}}" + "乙" * 10 + "<b>{{2}}</b>"
    assert str(stem_summary(stem, 12)) == "甲" * 10 + "…"
    assert str(stem_summary(stem, 13)) == "甲" * 10 + '<span class="blank-mark">（1）</span>…'
    assert "&lt;b&gt;" in str(stem_summary(stem, 100))  # text, escaped
    assert "{{" not in str(stem_summary(stem, 100))
