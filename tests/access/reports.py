"""The roster, totals, overdue list, rankings and their downloads: trainers,
HR, administrators and branch managers (the world's branch manager manages
the world's branch, so the learner's page opens for them too). Learners and
mentors get 403."""
import json
from datetime import date

from lms.content.models import Exam, Programme, ProgrammeItem
from lms.extensions import db
from tests.access import Row, only

VIEWERS = only("trainer", "hr", "branch_manager")


def setup(world):
    exam = Exam(slug="acc-report-exam", title="第1周测验", draw_json="[]", open_to_all=False)
    db.session.add(exam)
    db.session.flush()
    programme = Programme(slug="acc-report", title="矩阵培训", audience_json=json.dumps({"roles": ["learner"]}))
    programme.items = [ProgrammeItem(key="week-1", kind="week", number=1, title="第 1 周", exam_id=exam.id,
                                     opens_on=date(2026, 1, 5), due_on=date(2026, 1, 11))]
    db.session.add(programme)
    db.session.commit()
    world.report_programme = programme


ROWS = {
    ("reports.roster", "GET"): Row(lambda w: "/reports/roster", VIEWERS),
    ("reports.totals", "GET"): Row(lambda w: "/reports/totals", VIEWERS),
    ("reports.overdue", "GET"): Row(lambda w: "/reports/overdue", VIEWERS),
    ("reports.rankings", "GET"): Row(lambda w: "/reports/rankings", VIEWERS),
    ("reports.person", "GET"): Row(lambda w: f"/reports/people/{w.learner.id}", VIEWERS),
    ("reports.export", "GET"): Row(lambda w: f"/reports/export/roster.xlsx?programme={w.report_programme.id}",
                                   VIEWERS),
}
