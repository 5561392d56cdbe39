"""Trainer screens of results: the grading queue, an attempt's detail and
overrides, exam analysis. Trainers and admins only; learners never."""
import json
from datetime import timedelta

from lms import clock
from lms.content.models import Exam, Question, QuestionVersion
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from tests.access import Row, only


def setup(world):
    """A submitted attempt whose essay waits for grading. Its learner is
    ``grader_learner``, a trainer who sat the exam: every other trainer may
    grade it, that one may not ("grader = learner")."""
    question = Question(slug="acc-essay", bank="access.md")
    db.session.add(question)
    db.session.flush()
    version = QuestionVersion(question_id=question.id, version=1, type="essay", stem_md="论述", stem_html="<p>论述</p>",
                              data_json=json.dumps({"rubric": "要点"}), points=4, content_hash="acc")
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    exam = Exam(slug="acc-grading", title="访问矩阵测验", draw_json="[]", max_attempts=None, focus_loss_limit=None,
                closes_at=None)
    db.session.add(exam)
    db.session.flush()
    now = clock.now()
    attempt = Attempt(exam_id=exam.id, user_id=world.grader_learner.id, number=1, seed=1, state="grading", started_at=now,
                      deadline=now + timedelta(minutes=30), submitted_at=now, end_reason="submitted", max_score=4)
    attempt.items.append(AttemptItem(position=1, question_version_id=version.id, points=4,
                                     answer_json=json.dumps("我的论述"), needs_grading=True))
    db.session.add(attempt)
    db.session.commit()
    world.grading_exam = exam
    world.grading_attempt = attempt
    world.grading_item = attempt.items[0]


def _attempt(suffix=""):
    return lambda w: f"/grading/attempts/{w.grading_attempt.id}{suffix}"


def _not_own(expected: dict) -> dict:
    """The grader is the learner of the attempt: refused (403, with why)."""
    return {**expected, "grader_learner": 403}


ROWS = {
    ("grading.queue", "GET"): Row(lambda w: "/grading/", only("trainer")),
    ("grading.grade", "POST"): Row(lambda w: f"/grading/items/{w.grading_item.id}", _not_own(only("trainer", ok=302)),
                                   data=lambda w: {"points": "3", "comment": ""}),
    ("grading.attempt", "GET"): Row(_attempt(), _not_own(only("trainer"))),
    ("grading.override", "POST"): Row(lambda w: f"/grading/attempts/{w.grading_attempt.id}/items/{w.grading_item.id}/override",
                                      _not_own(only("trainer", ok=302)),
                                      data=lambda w: {"points": "2", "reason": "复核"}),
    ("grading.exam_attempts", "GET"): Row(lambda w: f"/grading/exams/{w.grading_exam.id}/attempts", only("trainer")),
    ("analysis.index", "GET"): Row(lambda w: "/analysis/", only("trainer")),
    ("analysis.exam", "GET"): Row(lambda w: f"/analysis/exams/{w.grading_exam.id}", only("trainer")),
}
