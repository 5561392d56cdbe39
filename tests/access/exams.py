"""Access rows of the learner's exam pages and programmes. An attempt belongs
to its learner only: anybody else (another learner, a mentor, the admin) gets
404; roles without the learner role get 403."""
import json
from datetime import date

from lms.content.models import Exam, Programme, ProgrammeItem, Question, QuestionVersion
from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.extensions import db
from tests.access import Row, expect

HX = {"HX-Request": "true"}


def _exam(slug, **settings):
    question = Question(slug=f"{slug}-q", bank="access.md")
    db.session.add(question)
    db.session.flush()
    version = QuestionVersion(question_id=question.id, version=1, type="single", stem_md="题干", stem_html="<p>题干</p>",
                              data_json=json.dumps({"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                                                    "correct": ["A"]}), content_hash=slug)
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    exam = Exam(slug=slug, title=slug, draw_json=json.dumps([{"questions": [question.slug]}]), max_attempts=None,
                focus_loss_limit=None, **settings)
    db.session.add(exam)
    db.session.commit()
    return exam


def setup(w):
    """The exam is week 1 of a programme for everyone (opened long ago);
    the finished one is open to all learners."""
    w.exam = _exam("access-exam")
    w.programme = Programme(slug="access-programme", title="访问测试计划", audience_json="{}")
    w.programme.items = [ProgrammeItem(key="week-1", kind="week", number=1, title="第1周", exam_id=w.exam.id,
                                       opens_on=date(2020, 1, 6), due_on=date(2099, 1, 12))]
    db.session.add(w.programme)
    db.session.commit()
    w.attempt = exam_attempts.start_attempt(w.learner, w.exam)
    w.item = w.attempt.items[0]
    done_exam = _exam("access-done", open_to_all=True)
    w.done_attempt = exam_attempts.start_attempt(w.learner, done_exam)
    exam_attempts.submit(w.done_attempt, w.learner)


def _option_b(w) -> dict:
    """Option B of the learner's question, by the value their exam page gives it."""
    name = f"a-{w.item.id}"
    return {name: exam_answers.option_values(w.attempt).value(name, "B")}


def learners(ok, *, others=404, anonymous=302):
    """The owner gets ``ok``; other learners, the mentor and the admin ``others``;
    trainer and HR (no learner role) 403."""
    return expect(others, learner=ok, trainer=403, hr=403, branch_manager=403, anonymous=anonymous)


ROWS = {
    ("exams.intro", "GET"): Row(lambda w: f"/exams/{w.exam.id}", expect(200, trainer=403, hr=403, branch_manager=403, anonymous=302)),
    ("exams.start", "POST"): Row(lambda w: f"/exams/{w.exam.id}/start", expect(302, trainer=403, hr=403, branch_manager=403)),
    ("exams.attempt_page", "GET"): Row(lambda w: f"/attempts/{w.attempt.id}", learners(200)),
    ("exams.autosave", "POST"): Row(lambda w: f"/attempts/{w.attempt.id}/items/{w.item.id}", learners(200, anonymous=401),
                                    data=_option_b, headers=HX),
    ("exams.save_all", "POST"): Row(lambda w: f"/attempts/{w.attempt.id}/save", learners(302),
                                    data=lambda w: {"shown": str(w.item.id), **_option_b(w)}),
    ("exams.flag", "POST"): Row(lambda w: f"/attempts/{w.attempt.id}/flag/{w.item.id}", learners(200, anonymous=401),
                                data=lambda w: {f"flag-{w.item.id}": "1"}, headers=HX),
    ("exams.focus", "POST"): Row(lambda w: f"/attempts/{w.attempt.id}/focus", learners(200, anonymous=401),
                                 data=lambda w: {"kind": "hidden"}, headers=HX),
    ("exams.review", "GET"): Row(lambda w: f"/attempts/{w.attempt.id}/review", learners(200)),
    ("exams.submit", "POST"): Row(lambda w: f"/attempts/{w.attempt.id}/submit", learners(302)),
    ("exams.result", "GET"): Row(lambda w: f"/attempts/{w.done_attempt.id}/result", learners(200)),
    ("programmes.mine", "GET"): Row(lambda w: "/programmes/", expect(200, anonymous=302)),
    ("programmes.programme", "GET"): Row(lambda w: f"/programmes/{w.programme.id}", expect(200, anonymous=302)),
}
