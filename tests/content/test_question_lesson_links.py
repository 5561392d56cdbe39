"""A link to a lesson file written in a question's option, case part or rubric
(``- [x] 5 万元，见[通知存款](../lessons/01-deposits.md#通知存款)``) reaches the
learner as the lesson's page, as the same link does in a lesson or a question's
stem, not as a file under /assets/ that does not exist. A question links to a
lesson by its file name; a lesson whose id is not its file name's is named by
``flask content check`` at the link's line."""
from __future__ import annotations

import re

import pytest

from lms.content.models import Lesson
from lms.content.source.checks import check
from lms.content.source.parser import parse_folder
from lms.exams import attempts as exam_attempts
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.sample_folder import edit, line_of
from tests.exams.takers import learner  # noqa: F401

LINK = "../lessons/01-deposits.md#通知存款"
BANK = "courses/products/questions/deposits.md"


def _hrefs(html: str) -> list[str]:
    return [h for h in re.findall(r'<a[^>]*\bhref="([^"]+)"', html) if "deposits" in h]


def test_lesson_links_in_options_and_case_parts_open_the_lesson(app, client, clock, learner, make_course,
                                                                  make_question, make_exam):
    course = make_course()
    db.session.add(Lesson(course_id=course.id, slug="deposits", title="个人存款", position=1))
    db.session.commit()
    single = make_question("single", course=course, data={
        "options": [{"key": "A", "text": f"见[通知存款]({LINK})"}, {"key": "B", "text": "乙"}], "correct": ["A"]})
    case = make_question("case", course=course, data={"parts": [
        {"id": "a", "type": "single", "stem": "先读[第 1 课](lessons/01-deposits.md)", "points": 1,
         "data": {"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "丁"}], "correct": ["A"]},
         "explanation": "解析见[第 1 课](../lessons/01-deposits.md)"}]})
    exam = make_exam([{"questions": [single.slug, case.slug]}], time_limit_minutes=30)
    attempt = exam_attempts.start_attempt(learner, exam)
    db.session.commit()
    sign_in(client, learner)

    page = client.get(f"/attempts/{attempt.id}").text
    # the option and the case part's stem (the part's explanation comes after submitting)
    assert sorted(_hrefs(page)) == ["/courses/products/lessons/deposits", "/courses/products/lessons/deposits#通知存款"]
    opened = client.get("/courses/products/lessons/deposits")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/lessons/{course.lessons[0].id}")

    exam_attempts.submit(attempt)
    db.session.commit()
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert "/courses/products/lessons/deposits" in _hrefs(result)
    assert not any("/assets/" in h for h in _hrefs(result)), _hrefs(result)


@pytest.mark.usefixtures("english")
def test_a_question_linking_a_lesson_whose_id_is_not_its_file_names_is_a_problem_at_the_line(folder):
    edit(folder, BANK, "- [x] 5 万元", "- [x] 5 万元，见[通知存款](../lessons/01-deposits.md)")
    assert [str(p) for p in check(parse_folder(folder))] == []
    db.session.rollback()
    edit(folder, "courses/products/lessons/01-deposits.md", "---\n", "---\nid: personal-deposits\n")
    line = line_of(folder, BANK, "01-deposits.md")
    found = [p for p in check(parse_folder(folder)) if p.source.path == BANK]
    assert [(p.source.line, p.message) for p in found] == [(line, (
        "link '../lessons/01-deposits.md': a question links to a lesson by its file name, and lesson "
        "lessons/01-deposits.md has the id 'personal-deposits': name the file NN-personal-deposits.md "
        "(and the link with it)"))]
