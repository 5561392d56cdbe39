"""An image in a bank option or a case part (``- [ ] ![甲](../images/x.png)``)
reaches the learner's exam page, and the review after submitting, at the
address the course's images are served under (``/assets/<course>/<path>``),
as publishing converts a lesson's relative links: the browser fetches it."""
from __future__ import annotations

import re

from lms.content.models import Asset
from lms.exams import attempts as exam_attempts
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import learner  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _images(html: str) -> list[str]:
    return re.findall(r'<img[^>]*\bsrc="([^"]+)"', html)


def test_images_in_options_and_case_parts_are_served_on_the_exam_page_and_the_review(
        app, client, clock, learner, make_course, make_question, make_exam):
    course = make_course()
    db.session.add(Asset(course_id=course.id, path="images/x.png", data=PNG, mimetype="image/png", content_hash="x"))
    db.session.commit()
    single = make_question("single", course=course, data={
        "options": [{"key": "A", "text": "![甲](../images/x.png)"}, {"key": "B", "text": "乙"}], "correct": ["A"]})
    case = make_question("case", course=course, data={"parts": [
        {"id": "a", "type": "single", "stem": "看图 ![图](images/x.png)", "points": 1,
         "data": {"options": [{"key": "A", "text": "![丙](../images/x.png)"}, {"key": "B", "text": "丁"}],
                  "correct": ["A"]}, "explanation": "解析 ![解](../images/x.png)"}]})
    exam = make_exam([{"questions": [single.slug, case.slug]}], time_limit_minutes=30)
    attempt = exam_attempts.start_attempt(learner, exam)
    db.session.commit()
    sign_in(client, learner)

    page = client.get(f"/attempts/{attempt.id}").text
    shown = _images(page)
    assert len(shown) == 3, shown  # two options and the case part's stem
    for src in shown:
        assert src == f"/assets/{course.slug}/images/x.png"
        served = client.get(src)
        assert served.status_code == 200 and served.mimetype == "image/png" and served.data == PNG

    exam_attempts.submit(attempt)
    db.session.commit()
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert _images(result).count(f"/assets/{course.slug}/images/x.png") == 4, _images(result)  # and the explanation


def _fetches_the_image(client, html: str, course, count: int) -> None:
    shown = _images(html)
    assert shown == [f"/assets/{course.slug}/images/x.png"] * count, shown
    served = client.get(shown[0])
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == PNG


def test_images_in_options_reach_the_grading_page_the_notebook_and_the_trainer_views(
        app, client, clock, learner, make_user, make_course, make_question, make_exam):
    from tests.exams.results_data import notebook_entry

    course = make_course()
    db.session.add(Asset(course_id=course.id, path="images/x.png", data=PNG, mimetype="image/png", content_hash="x"))
    db.session.commit()
    single = make_question("single", course=course, data={
        "options": [{"key": "A", "text": "![甲](../images/x.png)"}, {"key": "B", "text": "乙"}], "correct": ["A"]})
    essay = make_question("essay", course=course, data={"rubric": "要点 ![图](../images/x.png)"})
    exam = make_exam([{"questions": [single.slug, essay.slug]}], time_limit_minutes=30)
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_attempts.submit(attempt)
    db.session.commit()
    entry = notebook_entry(learner, single)

    sign_in(client, learner)
    _fetches_the_image(client, client.get(f"/notebook/practice/{entry.id}").text, course, 1)

    sign_in(client, make_user(("trainer",)))
    _fetches_the_image(client, client.get(f"/grading/attempts/{attempt.id}").text, course, 2)  # option, rubric
    _fetches_the_image(client, client.get(f"/console/exams/{exam.slug}/preview").text, course, 2)
    _fetches_the_image(client, client.get(f"/console/questions/{single.slug}").text, course, 1)
