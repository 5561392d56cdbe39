"""The shipped certifications and eligibility rules (issue 13's shared names)
check clean, publish with the rest of content/, and every requirement names
a programme, exam or certification that exists."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from lms.content.credentials_text import Titles, describe_certification_requirements, describe_rule_requirements
from lms.content.models import Certification, EligibilityRule
from lms.content.publishing.publish import publish
from lms.content.source.checks import check
from lms.content.source.parser import parse_folder
from lms.extensions import db

CONTENT = Path(__file__).resolve().parents[2] / "content"

CERTIFICATIONS = {  # slug: (title, serial prefix)
    "rm-qualification": ("客户经理上岗资格", "RMQ"),
    "rm-intermediate-qualification": ("中级客户经理资格", "RMI"),
    "rm-senior-qualification": ("高级客户经理资格", "RMS"),
    "rm-principal-qualification": ("资深客户经理资格", "RMP"),
    "mentor-qualification": ("带教师傅资格", "MTQ"),
}
RULES = {"rm-junior-entry": "rm_junior", "rm-intermediate": "rm_intermediate", "rm-senior": "rm_senior",
         "rm-principal": "rm_principal", "mentor": "mentor"}


@pytest.fixture(scope="module")
def bundle():
    return parse_folder(CONTENT)


def test_the_shared_names(app, bundle):
    assert {c.id: (c.title, c.serial_prefix) for c in bundle.certifications} == CERTIFICATIONS
    assert {r.id: r.target for r in bundle.eligibility_rules} == RULES
    rmq = next(c for c in bundle.certifications if c.id == "rm-qualification")
    assert rmq.requires == {"exams": [{"exam": "exam-rm-entry", "min_score": 80}], "signoff": True}
    assert (rmq.validity_months, rmq.renewal_window_days) == (24, 90)
    mentor = next(r for r in bundle.eligibility_rules if r.id == "mentor")
    assert mentor.requires == {"certifications": ["rm-qualification", "mentor-qualification"],
                               "tenure": [{"positions": ["rm_senior", "rm_principal", "manager"], "months": 24}]}
    junior = next(r for r in bundle.eligibility_rules if r.id == "rm-junior-entry")
    assert junior.requires == {"certifications": ["rm-qualification"],
                               "tenure": [{"positions": ["teller"], "months": 12}], "signoff": True}
    intermediate = next(r for r in bundle.eligibility_rules if r.id == "rm-intermediate")
    assert intermediate.requires["weeks_passed"] == {"programme": "rm-foundation", "last": 8, "min": 8}
    for c in bundle.certifications:
        assert c.summary and c.title, c.id


def test_every_requirement_names_something_that_exists(app, bundle):
    programmes = {p.id: p for p in bundle.programmes}
    exams = {e.id: e for e in bundle.exams}
    certifications = {c.id for c in bundle.certifications}
    for c in bundle.certifications:
        for slug in c.requires.get("programmes", []):
            assert slug in programmes, (c.id, slug)
        for entry in c.requires.get("exams", []):
            assert entry["exam"] in exams, (c.id, entry)
            # The minimum score is never below the exam's own pass mark.
            assert entry["min_score"] >= exams[entry["exam"]].pass_mark, (c.id, entry)
    for r in bundle.eligibility_rules:
        for slug in r.requires.get("certifications", []):
            assert slug in certifications, (r.id, slug)
        weeks = r.requires.get("weeks_passed")
        if weeks:
            assert weeks["programme"] in programmes and not programmes[weeks["programme"]].recurring
    # exam-rm-entry is rm-foundation's week-12 final exam (pass mark 80); rm-advanced's named exams are its weeks.
    foundation = programmes["rm-foundation"]
    week_12 = next(i for i in foundation.items if i.kind == "week" and i.number == 12)
    assert week_12.exam_id == "exam-rm-entry" and exams["exam-rm-entry"].pass_mark == 80
    advanced_exams = {i.exam_id for i in programmes["rm-advanced"].items}
    for slug in ("rm-intermediate-qualification", "rm-senior-qualification", "rm-principal-qualification"):
        cert = next(c for c in bundle.certifications if c.id == slug)
        assert {e["exam"] for e in cert.requires["exams"]} <= advanced_exams, slug


def test_the_shipped_folder_checks_clean_and_publishes(app, bundle, runner):
    assert check(bundle) == []
    app.config["CONTENT_DIR"] = str(CONTENT)
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    publish(parse_folder(CONTENT))
    published = {c.slug: c for c in db.session.scalars(select(Certification))}
    assert set(published) == set(CERTIFICATIONS)
    assert {r.slug: r.target for r in db.session.scalars(select(EligibilityRule))} == RULES
    # In words, every name is a published title (no slug left over).
    titles = Titles()
    with force_locale("zh_CN"):
        words = [r.text for c in published.values() for r in describe_certification_requirements(c.requirements,
                                                                                                   titles)]
        words += [r.text for rule in db.session.scalars(select(EligibilityRule))
                  for r in describe_rule_requirements(rule.requirements, titles)]
    assert "客户经理准入考试 ≥ 80 分" in words
    assert "在柜员岗位满 12 个月" in words
    assert not [w for w in words if "exam-" in w or "rm-" in w or "qualification" in w], words
