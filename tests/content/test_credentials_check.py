"""Certification and eligibility-rule files: every problem names its file and
line, references are checked against the bundle and what is published, and
nothing is published while there is a problem (content/FORMAT.md)."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from lms.content.models import Certification, ContentRelease, EligibilityRule
from lms.content.publishing.publish import ContentProblems, publish
from lms.content.source.checks import check
from lms.content.source.parser import parse_folder
from lms.extensions import db
from tests.content.credential_samples import CERT, RULE, write_credentials
from tests.content.sample_folder import edit, line_of, write_folder

# (name, file, text to replace, replacement, line holding this text afterwards (None: line 1), words of the message)
CASES = [
    ("unknown key", CERT, "validity_months: 24", "validity_months: 24\nlevel: 2", "level: 2", "unknown key 'level'"),
    ("unknown requirement", CERT, "  signoff: true", "  signoff: true\n  interview: true", "interview: true",
     "unknown key 'interview'"),
    ("unknown key of an exam", CERT, "min_score: 80}", "min_score: 80, tries: 2}", "tries: 2",
     "unknown key 'tries'"),
    ("signoff not true or false", CERT, "  signoff: true", "  signoff: always", "signoff: always",
     "'signoff' must be true or false (got 'always')"),
    ("title too long", RULE, "title: 客户经理岗位准入", "title: " + "长" * 201, "title:",
     "'title' is 201 characters long: at most 200"),
    ("missing title", CERT, "title: 客户经理上岗资格\n", "", None, "'title' is missing"),
    ("missing serial prefix", CERT, "serial_prefix: RMQ\n", "", None, "'serial_prefix' is missing"),
    ("bad serial prefix", CERT, "serial_prefix: RMQ", "serial_prefix: rmq1", "serial_prefix",
     "'serial_prefix' must be 2 to 8 capital letters A–Z (got 'rmq1')"),
    ("missing validity", CERT, "validity_months: 24\n", "", None, "'validity_months' is missing"),
    ("validity of 0 months", CERT, "validity_months: 24", "validity_months: 0", "validity_months",
     "'validity_months' must be a whole number of at least 1, or 'none' (got '0')"),
    ("negative renewal window", CERT, "renewal_window_days: 90", "renewal_window_days: -5", "renewal_window_days",
     "'renewal_window_days' must be a whole number of at least 0 (got '-5')"),
    ("min score over 100", CERT, "min_score: 80}", "min_score: 120}", "min_score",
     "exam 1: 'min_score' must be a score from 0 to 100 (got '120')"),
    ("min score as text", CERT, "min_score: 80}", "min_score: high}", "min_score",
     "exam 1: 'min_score' must be a score from 0 to 100 (got 'high')"),
    ("missing min score", CERT, "{exam: exam-week-02, min_score: 80}", "{exam: exam-week-02}", "exam-week-02",
     "exam 1: 'min_score' is missing"),
    ("exams not a list", CERT, "  exams:\n    - {exam: exam-week-02, min_score: 80}", "  exams: exam-week-02",
     "exams: exam-week-02", "'exams' must be a list"),
    ("tenure of 0 months", CERT, "months: 6}", "months: 0}", "months: 0",
     "tenure 1: 'months' must be a whole number of at least 1 (got '0')"),
    ("tenure without months", CERT, "{positions: [teller], months: 6}", "{positions: [teller]}", "positions",
     "tenure 1: 'months' is missing"),
    ("unknown position", CERT, "[teller], months: 6", "[cashier], months: 6", "cashier",
     "unknown position 'cashier'"),
    ("invalid YAML", CERT, "title: 客户经理上岗资格", "title: [客户经理", "title: [", "invalid YAML"),
    ("unknown programme", CERT, "programmes: [rm-foundation]", "programmes: [rm-basics]", "rm-basics",
     "unknown programme 'rm-basics'"),
    ("unknown exam", CERT, "exam: exam-week-02", "exam: exam-week-99", "exam-week-99", "unknown exam 'exam-week-99'"),
    ("unknown target", RULE, "target: rm_junior", "target: rm_junior_plus", "target:",
     "unknown target 'rm_junior_plus' (expected one of: intern, teller, rm_junior, rm_intermediate, rm_senior, "
     "rm_principal, manager, mentor)"),
    ("missing target", RULE, "target: rm_junior\n", "", None, "'target' is missing"),
    ("rule position unknown", RULE, "[teller, intern]", "[teller, trainee]", "trainee", "unknown position 'trainee'"),
    ("weeks min over last", RULE, "last: 2, min: 1", "last: 2, min: 3", "weeks_passed",
     "'min' (3) cannot be more than 'last' (2)"),
    ("weeks unknown key", RULE, "last: 2, min: 1}", "last: 2, min: 1, since: 2026}", "weeks_passed",
     "unknown key 'since'"),
    ("weeks last missing", RULE, "last: 2, min: 1}", "min: 1}", "weeks_passed", "'last' is missing"),
    ("certification listed twice", RULE, "certifications: [rm-qualification]",
     "certifications: [rm-qualification, rm-qualification]", "certifications:",
     "'rm-qualification' is listed twice in 'certifications'"),
    ("unknown certification", RULE, "certifications: [rm-qualification]", "certifications: [rm-qualified]",
     "rm-qualified", "unknown certification 'rm-qualified'"),
    ("weeks of an unknown programme", RULE, "programme: rm-foundation, last", "programme: rm-nothing, last",
     "rm-nothing", "unknown programme 'rm-nothing'"),
    ("more weeks than the programme has", RULE, "last: 2, min: 1", "last: 5, min: 3", "weeks_passed",
     "'weeks_passed' asks for 3 passed weeks but programme 'rm-foundation' has 2"),
]


@pytest.fixture
def root(app, english, tmp_path):
    return write_credentials(write_folder(tmp_path / "content"))


def test_the_sample_definitions_are_clean(root):
    bundle = parse_folder(root)
    assert check(bundle) == []
    assert [c.id for c in bundle.certifications] == ["rm-qualification"]
    assert bundle.eligibility_rules[0].requires == {
        "certifications": ["rm-qualification"], "tenure": [{"positions": ["teller", "intern"], "months": 12}],
        "signoff": True, "weeks_passed": {"programme": "rm-foundation", "last": 2, "min": 1}}


@pytest.mark.parametrize("name, rel, old, new, needle, message", CASES, ids=[c[0] for c in CASES])
def test_each_problem_names_its_file_and_line(root, name, rel, old, new, needle, message):
    edit(root, rel, old, new)
    problems = check(parse_folder(root))
    line = line_of(root, rel, needle) if needle else 1
    matching = [p for p in problems if message in p.message]
    assert matching, f"no problem with {message!r} in {[str(p) for p in problems]}"
    assert (matching[0].source.path, matching[0].source.line) == (rel, line), str(matching[0])


def test_a_definition_with_no_requirement_is_refused(root):
    (root / CERT).write_text("id: free-cert\ntitle: 人人有份\nserial_prefix: FREE\nvalidity_months: none\n"
                             "requires: {}\n", encoding="utf-8")
    messages = [str(p) for p in check(parse_folder(root))]
    assert f"{CERT}:5: 'requires' lists no requirement: a certification with none would go to everyone" in messages


def test_a_certification_that_never_expires(root):
    edit(root, CERT, "validity_months: 24", "validity_months: none")
    bundle = parse_folder(root)
    assert check(bundle) == [] and bundle.certifications[0].validity_months is None


def test_nothing_is_published_when_there_is_a_problem(root, runner):
    edit(root, CERT, "min_score: 80}", "min_score: 101}")
    with pytest.raises(ContentProblems):
        publish(parse_folder(root))
    assert db.session.scalar(select(func.count()).select_from(ContentRelease)) == 0
    assert db.session.scalar(select(func.count()).select_from(Certification)) == 0
    result = runner.invoke(args=["content", "check", str(root)])
    assert result.exit_code == 1
    assert f"{CERT}:{line_of(root, CERT, 'min_score')}: exam 1: 'min_score' must be a score from 0 to 100" \
        in result.output


def test_a_serial_prefix_is_never_shared(root):
    (root / "certifications/other.yaml").write_text(
        "id: other-cert\ntitle: 另一资格\nserial_prefix: RMQ\nvalidity_months: 12\nrequires: {signoff: true}\n",
        encoding="utf-8")
    messages = [str(p) for p in check(parse_folder(root))]
    assert "certifications/rm-qualification.yaml:1: serial prefix RMQ is also used by certification 'other-cert' " \
           "(certifications/other.yaml:1)" in messages


def test_a_serial_prefix_of_a_published_or_retired_certification_is_refused(root):
    publish(parse_folder(root))
    # A new certification published on its own, with the prefix of the published one.
    (root / "certifications/other.yaml").write_text(
        "id: other-cert\ntitle: 另一资格\nserial_prefix: RMQ\nvalidity_months: 12\nrequires: {signoff: true}\n",
        encoding="utf-8")
    alone = parse_folder(root, root / "certifications/other.yaml")
    assert [str(p) for p in check(alone)] == [
        "certifications/other.yaml:1: serial prefix RMQ is already used by certification 'rm-qualification'"]
    # Retire rm-qualification (and the rule needing it): its prefix stays taken.
    os.rename(root / "certifications/other.yaml", root / "other.yaml.txt")
    os.remove(root / RULE)
    os.remove(root / CERT)
    publish(parse_folder(root))
    assert db.session.scalar(select(Certification.retired).where(Certification.slug == "rm-qualification"))
    os.rename(root / "other.yaml.txt", root / "certifications/other.yaml")
    messages = [str(p) for p in check(parse_folder(root, root / "certifications"))]
    assert messages == ["certifications/other.yaml:1: serial prefix RMQ is used by the retired certification "
                        "'rm-qualification': its certificates keep their serial numbers, so choose another prefix"]


def test_a_prefix_given_up_by_a_published_certification_stays_its_own(root):
    publish(parse_folder(root))
    edit(root, CERT, "serial_prefix: RMQ", "serial_prefix: RMX")
    (root / "certifications/other.yaml").write_text(
        "id: other-cert\ntitle: 另一资格\nserial_prefix: RMQ\nvalidity_months: 12\nrequires: {signoff: true}\n",
        encoding="utf-8")
    messages = [str(p) for p in check(parse_folder(root))]
    assert messages == [
        "certifications/other.yaml:1: serial prefix RMQ is already used by certification 'rm-qualification'"]
    os.remove(root / "certifications/other.yaml")
    assert check(parse_folder(root)) == []  # a certification may change its own prefix


def test_a_prefix_on_issued_certificates_stays_with_their_certification(root, make_user):
    from datetime import date

    from lms.certificates.models import Certificate, SerialCounter

    publish(parse_folder(root))
    holder = make_user()
    db.session.add_all([SerialCounter(prefix="RMQ", year=2026, last=1), Certificate(
        certification_id=_cert_id(), user_id=holder.id, serial="RMQ-2026-000001", verify_code="x" * 32,
        issued_on=date(2026, 3, 1), holder_name="李学员", holder_employee_no="T0001")])
    db.session.commit()
    edit(root, CERT, "serial_prefix: RMQ", "serial_prefix: RMX")
    publish(parse_folder(root))  # the certification now issues RMX-...
    (root / "certifications/other.yaml").write_text(
        "id: other-cert\ntitle: 另一资格\nserial_prefix: RMQ\nvalidity_months: 12\nrequires: {signoff: true}\n",
        encoding="utf-8")
    assert [str(p) for p in check(parse_folder(root))] == [
        "certifications/other.yaml:1: serial prefix RMQ is already used by certification 'rm-qualification'"]


def _cert_id() -> int:
    return db.session.scalar(select(Certification.id).where(Certification.slug == "rm-qualification"))


def test_two_rules_never_gate_the_same_target(root):
    (root / "eligibility/second.yaml").write_text(
        "id: second-rule\ntitle: 第二条\ntarget: rm_junior\nrequires: {signoff: true}\n", encoding="utf-8")
    messages = [str(p) for p in check(parse_folder(root))]
    assert "eligibility/second.yaml:1: two rules gate 'rm_junior': this one and 'rm-junior-entry' " \
           "(eligibility/rm-junior-entry.yaml:1); a target has one rule" in messages
    # Against what is published: the second rule alone, after the first is published.
    os.rename(root / "eligibility/second.yaml", root / "second.yaml.txt")
    publish(parse_folder(root))
    os.rename(root / "second.yaml.txt", root / "eligibility/second.yaml")
    alone = parse_folder(root, root / "eligibility/second.yaml")
    assert [str(p) for p in check(alone)] == [
        "eligibility/second.yaml:1: two rules gate 'rm_junior': this one and the published rule 'rm-junior-entry'; "
        "a target has one rule"]


def test_references_count_what_is_published(root):
    """A certification published on its own may name a programme and exam that
    are only in the database; before they are published it may not."""
    alone = parse_folder(root, root / CERT)
    messages = [p.message for p in check(alone)]
    assert "unknown programme 'rm-foundation'" in messages and "unknown exam 'exam-week-02'" in messages
    publish(parse_folder(root, root / "courses"))
    publish(parse_folder(root, root / "exams"))
    publish(parse_folder(root, root / "programmes"))
    assert check(parse_folder(root, root / CERT)) == []
    publish(parse_folder(root, root / CERT))
    assert check(parse_folder(root, root / RULE)) == []


def test_a_publish_may_not_take_away_what_a_published_certification_needs(root):
    publish(parse_folder(root))
    os.remove(root / "exams/week-02.yaml")
    edit(root, "programmes/rm-foundation.yaml", "    exam: exam-week-02", "    exam: exam-week-01")
    messages = [str(p) for p in check(parse_folder(root, root / "exams"))]
    assert "exams: published certification 'rm-qualification' would break: exam 'exam-week-02' is retired (or " \
           "retired by this publish)" in messages
    # The whole folder: the certification's own file names the exam.
    messages = [str(p) for p in check(parse_folder(root))]
    line = line_of(root, CERT, "exam-week-02")
    assert f"{CERT}:{line}: exam 'exam-week-02' is retired (or retired by this publish)" in messages


def test_ids_are_not_shared_across_kinds(root):
    # A rule named like a certification, a certification named like a programme.
    edit(root, RULE, "id: rm-junior-entry", "id: rm-qualification")
    edit(root, CERT, "id: rm-qualification", "id: rm-foundation")
    edit(root, RULE, "certifications: [rm-qualification]", "certifications: [rm-foundation]")
    messages = [str(p) for p in check(parse_folder(root))]
    assert f"{CERT}:1: id rm-foundation is already used by the programme at programmes/rm-foundation.yaml:1" \
        in messages
    assert "programmes/rm-foundation.yaml:1: id rm-foundation is already used by the certification at " \
           f"{CERT}:1" in messages


def test_ids_are_not_shared_across_kinds_with_what_is_published_or_in_other_files(root):
    publish(parse_folder(root))
    os.rename(root / CERT, root / "cert.yaml.txt")  # published, no longer in the folder
    # An exam published alone may not take a published certification's id...
    (root / "exams/rm-qualification.yaml").write_text(
        "id: rm-qualification\ntitle: 同名考试\ncourse: products\ndraw:\n  - {count: 1}\n", encoding="utf-8")
    messages = [str(p) for p in check(parse_folder(root, root / "exams/rm-qualification.yaml"))]
    assert messages == ["exams/rm-qualification.yaml:1: id rm-qualification is already used by a published "
                        "certification"]
    os.remove(root / "exams/rm-qualification.yaml")
    os.rename(root / "cert.yaml.txt", root / CERT)
    # ... nor a rule the id of a certification file not yet published.
    (root / "certifications/new.yaml").write_text(
        "id: new-cert\ntitle: 新资格\nserial_prefix: NEW\nvalidity_months: 12\nrequires: {signoff: true}\n",
        encoding="utf-8")
    (root / "eligibility/new.yaml").write_text(
        "id: new-cert\ntitle: 新规则\ntarget: manager\nrequires: {signoff: true}\n", encoding="utf-8")
    messages = [str(p) for p in check(parse_folder(root, root / "eligibility/new.yaml"))]
    assert messages == ["eligibility/new.yaml:1: id new-cert is already used by the certification at "
                        "certifications/new.yaml"]


def test_a_symbolic_link_is_refused_and_never_read(root, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text((root / CERT).read_text(encoding="utf-8").replace("rm-qualification", "linked")
                      .replace("RMQ", "LNK"), encoding="utf-8")
    os.symlink(secret, root / "certifications/linked.yaml")
    bundle = parse_folder(root)
    assert [c.id for c in bundle.certifications] == ["rm-qualification"]
    messages = [str(p) for p in check(bundle)]
    assert "certifications/linked.yaml: a symbolic link: links are never followed (put the file itself in the " \
           "folder)" in messages
    with pytest.raises(ContentProblems):
        publish(bundle)
    assert db.session.scalar(select(func.count()).select_from(Certification)) == 0
    # A linked folder is refused too.
    os.remove(root / "certifications/linked.yaml")
    os.rename(root / "eligibility", tmp_path / "eligibility-real")
    os.symlink(tmp_path / "eligibility-real", root / "eligibility")
    bundle = parse_folder(root)
    assert bundle.eligibility_rules == []
    assert "eligibility: a symbolic link: links are never followed (put the file itself in the folder)" in \
        [str(p) for p in check(bundle)]
    assert db.session.scalar(select(func.count()).select_from(EligibilityRule)) == 0
