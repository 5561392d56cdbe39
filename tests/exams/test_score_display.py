"""Scores, points and percentages read the same everywhere: at most one
decimal, no trailing ".0" (6.3, 3 分, 87.5 分), through one formatter
(``lms.scores.score``, the ``score`` filter of every template)."""
from __future__ import annotations

import pytest

from lms.exams import attempts as exam_attempts
from lms.exams.trainer_services import GradingError, parse_points
from lms.scores import score
from tests.conftest import sign_in
from tests.exams.results_data import finished_attempt
from tests.exams.takers import learner  # noqa: F401


@pytest.mark.parametrize("value, shown", [
    (6.3334, "6.3"), (3.0, "3"), (87.5, "87.5"), (63.33, "63.3"), (6.25, "6.3"), (100, "100"), (0.0, "0"),
    (-0.04, "0"), (2.96, "3"), (None, "—")])
def test_one_formatter(value, shown):
    assert score(value) == shown


@pytest.fixture
def odd_result(learner, make_question, make_exam):
    """A finalised attempt of 6.3334 points out of 10 (63.33 %)."""
    question = make_question("single", points=10.0)
    exam = make_exam([{"questions": [question.slug]}], time_limit_minutes=30, pass_mark=60.0,
                     review_policy="after_submit")
    return finished_attempt(learner, exam, [(question.current_version, "B", 6.3334)])


def test_the_learners_result_shows_one_decimal(client, clock, learner, odd_result):
    sign_in(client, learner)
    for page in (client.get(f"/attempts/{odd_result.id}/result").text, client.get(f"/exams/{odd_result.exam_id}").text):
        assert "63.3%" in page
        assert "6.3334" not in page and "63.33" not in page
    result = client.get(f"/attempts/{odd_result.id}/result").text
    assert "得分 6.3 / 满分 10" in result and "6.3 / 10" in result
    assert "10.0" not in result and "60.0" not in result


def test_the_trainers_attempt_page_shows_one_decimal(client, clock, odd_result, make_user):
    sign_in(client, make_user(("trainer",)))
    page = client.get(f"/grading/attempts/{odd_result.id}").text
    assert "6.3 / 10" in page and "63.3%" in page
    assert "6.3334" not in page and "63.33" not in page and "10.0" not in page


def test_points_of_a_case_part_read_3_not_3_0(client, clock, learner, make_question, make_exam):
    parts = [{"id": "a", "type": "truefalse", "stem": "判断", "points": 3.0, "data": {"correct": True}},
             {"id": "b", "type": "truefalse", "stem": "再判断", "points": 1.5, "data": {"correct": False}}]
    question = make_question("case", data={"parts": parts})
    exam = make_exam([{"questions": [question.slug]}], time_limit_minutes=30, pass_mark=60.0)
    attempt = exam_attempts.start_attempt(learner, exam)
    sign_in(client, learner)
    page = client.get(f"/attempts/{attempt.id}").text
    assert "(3 分)" in page and "(1.5 分)" in page and "(4.5 分)" in page
    assert "3.0 分" not in page and "4.5 分" in page


def test_messages_use_the_same_formatter():
    with pytest.raises(GradingError) as err:
        parse_points("11", 10 / 3)
    assert "3.3" in err.value.message and "3.3333" not in err.value.message
