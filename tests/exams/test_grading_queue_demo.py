"""The demo leaves results for trainers: attempts for the analysis and essays
in the grading queue, and loading it twice changes nothing."""
from sqlalchemy import func, select

from lms.exams.demo_results import take_demo_exams
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from tests.conftest import sign_in


def test_demo_results_fill_the_queue_and_the_analysis(app, client, make_user, make_question, make_exam):
    make_question("single", slug="d-1")
    make_question("multiple", slug="d-2")
    make_question("case", slug="d-3")
    make_question("essay", slug="d-4")
    week1 = make_exam([{"questions": ["d-1", "d-2", "d-3"]}], slug="exam-week-01")
    week2 = make_exam([{"questions": ["d-1", "d-4"]}], slug="exam-week-02")
    for n in range(6):
        make_user(("learner",), employee_no=f"E{1001 + n}")
    named = make_user(("learner",), employee_no="learner")

    take_demo_exams("unused")
    take_demo_exams("unused")

    counts = dict(db.session.execute(select(Attempt.exam_id, func.count()).group_by(Attempt.exam_id)).all())
    assert counts == {week1.id: 6, week2.id: 6}
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.user_id == named.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(AttemptItem)
                             .where(AttemptItem.needs_grading.is_(True))) == 6
    sign_in(client, make_user(("trainer",), locale="en"))
    assert "Answers waiting for grading: 6" in client.get("/grading/").text
    assert "d-2" in client.get(f"/analysis/exams/{week1.id}").text
