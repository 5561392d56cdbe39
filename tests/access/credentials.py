"""Certification and eligibility-rule pages: every signed-in user reads them
(the rules are public inside the bank); nobody else."""
from lms.content.models import Certification, EligibilityRule
from lms.extensions import db
from tests.access import Row, signed_in


def setup(world):
    world.certification = Certification(slug="access-cert", title="上岗资格", serial_prefix="ACC", validity_months=24,
                                        requirements_json='{"signoff": true}')
    world.rule = EligibilityRule(slug="access-rule", title="准入", target="rm_junior",
                                 requirements_json='{"certifications": ["access-cert"]}')
    db.session.add_all([world.certification, world.rule])
    db.session.commit()


ROWS = {
    ("credentials.certifications", "GET"): Row(lambda w: "/certifications", signed_in()),
    ("credentials.certification", "GET"): Row(lambda w: f"/certifications/{w.certification.slug}", signed_in()),
    ("credentials.rules", "GET"): Row(lambda w: "/eligibility-rules", signed_in()),
    ("credentials.rule", "GET"): Row(lambda w: f"/eligibility-rules/{w.rule.slug}", signed_in()),
}
