"""Publishing certifications and eligibility rules: added, changed (with a
diff), unchanged, retired when their file disappears, restored when it comes
back; stored with the normalised requirements."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from lms.content.console.queries import plan_rows
from lms.content.models import Certification, EligibilityRule
from lms.content.publishing.publish import plan, publish
from lms.content.source.parser import parse_folder
from lms.extensions import db
from tests.content.credential_samples import CERT, RULE, write_credentials
from tests.content.sample_folder import edit, write_folder


@pytest.fixture
def root(app, english, tmp_path):
    root = write_credentials(write_folder(tmp_path / "content"))
    app.config["CONTENT_DIR"] = str(root)
    return root


def _cert() -> Certification:
    return db.session.scalar(select(Certification).where(Certification.slug == "rm-qualification"))


def test_publish_stores_the_definitions(root):
    result = publish(parse_folder(root))
    assert result.kinds["certification"].added == ["rm-qualification"]
    assert result.kinds["eligibility_rule"].added == ["rm-junior-entry"]
    cert = _cert()
    assert (cert.title, cert.serial_prefix, cert.validity_months, cert.renewal_window_days, cert.retired) == (
        "客户经理上岗资格", "RMQ", 24, 90, False)
    assert cert.requirements == {"programmes": ["rm-foundation"], "exams": [{"exam": "exam-week-02", "min_score": 80}],
                                 "signoff": True, "tenure": [{"positions": ["teller"], "months": 6}]}
    rule = db.session.scalar(select(EligibilityRule))
    assert (rule.slug, rule.target) == ("rm-junior-entry", "rm_junior")
    assert rule.requirements["weeks_passed"] == {"programme": "rm-foundation", "last": 2, "min": 1}
    again = publish(parse_folder(root))
    assert again.release_id is None and again.kinds["certification"].unchanged == ["rm-qualification"]


def test_a_change_is_planned_with_a_diff_and_shown_in_the_console_preview(root):
    publish(parse_folder(root))
    edit(root, CERT, "min_score: 80}", "min_score: 85}")
    result = plan(parse_folder(root))
    assert result.kinds["certification"].changed == ["rm-qualification"]
    assert result.kinds["eligibility_rule"].unchanged == ["rm-junior-entry"]
    diff = result.diff("certification", "rm-qualification")
    assert "-    min_score: 80" in diff and "+    min_score: 85" in diff
    rows = [row for row in plan_rows(result) if row.key == "rm-qualification"]
    assert [(row.kind, row.change) for row in rows] == [("Certification", "changed")]
    assert any("+    min_score: 85" in text for _cls, text in rows[0].diff)
    publish(parse_folder(root))
    assert _cert().requirements["exams"] == [{"exam": "exam-week-02", "min_score": 85}]


def test_a_file_that_disappears_is_retired_and_comes_back_restored(root):
    publish(parse_folder(root))
    os.remove(root / RULE)
    result = publish(parse_folder(root, root / "eligibility"))
    assert result.kinds["eligibility_rule"].retired == ["rm-junior-entry"]
    assert db.session.scalar(select(EligibilityRule.retired)) is True
    # Publishing one certification file retires nothing else.
    result = publish(parse_folder(root, root / CERT))
    assert result.kinds["certification"].retired == [] and not _cert().retired
    write_credentials(root)
    result = publish(parse_folder(root))
    assert result.kinds["eligibility_rule"].changed == ["rm-junior-entry"]
    assert result.kinds["eligibility_rule"].restored == ["rm-junior-entry"]
    assert db.session.scalar(select(EligibilityRule.retired)) is False


def test_publish_cli_counts_the_new_kinds(root, runner):
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    assert "certifications           1        0        0          0" in result.output
    assert "eligibility rules        1        0        0          0" in result.output
    check = runner.invoke(args=["content", "check"])
    assert "1 certification, 1 eligibility rule" in check.output


def test_the_console_publish_preview_of_a_course_edit_lists_no_definition(root, client, login, make_user):
    """Publishing one course never retires a certification (scope)."""
    publish(parse_folder(root))
    result = plan(parse_folder(root, root / "courses/products"))
    assert not result.kinds["certification"].retired and not result.kinds["eligibility_rule"].retired
