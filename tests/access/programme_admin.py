"""Access rows of the staff's programme pages: the audience page (HR changes
it, trainers read it) and a person's training record with read-only attempt
results (HR, trainers, and a branch manager for the people of their branch)."""
from datetime import date

from lms.content.models import Programme, ProgrammeItem
from lms.exams import attempts as exam_attempts
from lms.extensions import db
from tests.access import Row, only
from tests.access.exams import _exam


def setup(w):
    """A programme for mentors; the other learner sat an exam of it."""
    exam = _exam("access-staff-exam")
    w.staff_programme = Programme(slug="access-staff", title="导师培训", audience_json='{"roles": ["mentor"]}')
    w.staff_programme.items = [ProgrammeItem(key="week-1", kind="week", number=1, title="第1周", exam_id=exam.id,
                                             opens_on=date(2020, 1, 6), due_on=date(2020, 1, 12))]
    db.session.add(w.staff_programme)
    db.session.commit()
    open_exam = _exam("access-staff-open", open_to_all=True)
    w.person_attempt = exam_attempts.start_attempt(w.other_learner, open_exam)
    exam_attempts.submit(w.person_attempt, w.other_learner)


def _audience(suffix=""):
    return lambda w: f"/programmes/{w.staff_programme.id}/audience{suffix}"


ROWS = {
    ("programme_admin.index", "GET"): Row(lambda w: "/programmes/manage", only("hr", "trainer")),
    ("programme_admin.audience", "GET"): Row(_audience(), only("hr", "trainer")),
    ("programme_admin.add_member", "POST"): Row(_audience("/add"), only("hr", ok=302),
                                                data=lambda w: {"add-employee_no": "m-other", "add-reason": "补充"}),
    ("programme_admin.remove_member", "POST"): Row(_audience("/remove"), only("hr", ok=302),
                                                   data=lambda w: {"remove-employee_no": "m-mentor",
                                                                   "remove-reason": "调岗"}),
    ("programme_admin.person_record", "GET"): Row(lambda w: f"/programmes/people/{w.other_learner.id}",
                                                  only("hr", "trainer", "branch_manager")),
    ("programme_admin.person_attempt", "GET"): Row(
        lambda w: f"/programmes/people/{w.other_learner.id}/attempts/{w.person_attempt.id}",
        only("hr", "trainer", "branch_manager")),
}
