"""The eligibility register, a person's eligibility, the 持证上岗 monitor and
their downloads: HR, administrators and branch managers (the world's branch
manager manages the world's branch, so the learner's page opens for them
too). Learners, mentors and trainers get 403."""
import json

from lms.content.models import Certification, EligibilityRule
from lms.extensions import db
from tests.access import Row, only

VIEWERS = only("hr", "branch_manager")


def setup(world):
    # A rule on the mentor role (not a position), so that no other module's
    # position change meets a gate; the pages still evaluate it.
    db.session.add(Certification(slug="acc-elig-rmq", title="矩阵上岗资格", serial_prefix="ACE", validity_months=24))
    db.session.add(EligibilityRule(slug="acc-mentor", title="矩阵带教准入", target="mentor",
                                   requirements_json=json.dumps({"certifications": ["acc-elig-rmq"], "signoff": True})))
    db.session.commit()


ROWS = {
    ("eligibility.register", "GET"): Row(lambda w: "/eligibility/?state=not_eligible", VIEWERS),
    ("eligibility.export", "GET"): Row(lambda w: "/eligibility/export.xlsx", VIEWERS),
    ("eligibility.person", "GET"): Row(lambda w: f"/eligibility/people/{w.learner.id}", VIEWERS),
    ("eligibility.monitor", "GET"): Row(lambda w: "/eligibility/monitor", VIEWERS),
    ("eligibility.monitor_export", "GET"): Row(lambda w: "/eligibility/monitor.csv", VIEWERS),
}
