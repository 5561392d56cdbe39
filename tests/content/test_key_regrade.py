"""A wrong answer key found after learners sat the exam
(tests/content/fixtures/post_loan, 个人贷款贷后管理, published by its author).

Question pl-003 ("逾期 30 天以内的贷款应立即起诉", key 错) is the one the
trainer corrects to 对. 甲 answered 错 and passed with 5 of 7 points; 乙
answered 对 and failed with 4 of 7. After the correction 甲 has 4 (57 %, below
the pass mark of 60) and 乙 5 (71 %)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import clock
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.content.models import Exam, Programme, Question
from lms.eligibility.engine import verdicts_for
from lms.exams import results as exam_results
from lms.exams.models import Attempt, NotebookEntry
from lms.extensions import db
from lms.notify.models import Notification
from lms.org.models import User
from lms.programmes.progress import progress
from lms.programmes.services import programme_weeks
from lms.reports.rankings import rankings
from tests.conftest import sign_in
from tests.content.console_samples import import_confirm_data, review_for_publish
from tests.exams.takers import as_posted

BANK = "courses/post-loan/questions/basics.md"
KEY_BEFORE = "## pl-003\r\ntype: truefalse\r\nanswer: 错"
KEY_AFTER = "## pl-003\r\ntype: truefalse\r\nanswer: 对"
REASON = "制度规定：逾期 30 天以内先提醒，不立即起诉；原题干表述有误，答案应为对"


@pytest.fixture
def course(app, runner, course_folder, make_user):
    root = course_folder("post_loan")
    make_user(("trainer",), employee_no="trainer-pl", name="贷后培训师")
    published = runner.invoke(args=["content", "publish", "--as", "trainer-pl"])
    assert published.exit_code == 0, published.output
    return root


def _exam() -> Exam:
    return db.session.scalar(select(Exam).where(Exam.slug == "exam-pl-week"))


def _take(client, learner, tf_answer: str) -> Attempt:
    """pl-001, pl-004, pl-005 right (2 + 1 + 1), pl-002 wrong, pl-003 as given."""
    attempt = answer_without_submitting(client, learner, tf_answer)
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    db.session.refresh(attempt)
    return attempt


def answer_without_submitting(client, learner, tf_answer: str) -> Attempt:
    """Start the exam and answer as ``_take`` does, without submitting."""
    sign_in(client, learner)
    started = client.post(f"/exams/{_exam().id}/start")
    assert started.status_code == 302, started.text
    attempt = db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))
    for item in attempt.items:
        name = f"a-{item.id}"
        form = {"pl-001": {name: "B"}, "pl-002": {name: ["C"]}, "pl-003": {name: tf_answer},
                "pl-004": {f"{name}-1": "90"}, "pl-005": {name: "4.5"}}[item.question_version.question.slug]
        saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=as_posted(item, form),
                            headers={"HX-Request": "true"})
        assert saved.status_code == 200, saved.text
    return attempt


def _fix_key(root: Path) -> None:
    path = root / BANK
    data = path.read_bytes().decode("utf-8")
    assert KEY_BEFORE in data
    path.write_bytes(data.replace(KEY_BEFORE, KEY_AFTER).encode("utf-8"))


def _versions() -> list[int]:
    db.session.expire_all()
    return [v.version for v in db.session.scalar(select(Question).where(Question.slug == "pl-003")).versions]


@pytest.fixture
def sat(app, client, course, make_user, make_branch):
    branch = make_branch("B01")
    first = make_user(("learner",), branch=branch, position="rm_junior", name="甲学员", employee_no="E0001")
    second = make_user(("learner",), branch=branch, position="rm_junior", name="乙学员", employee_no="E0002")
    passed, failed = _take(client, first, "false"), _take(client, second, "true")
    assert (passed.passed, passed.percent) == (True, 71.43)
    assert (failed.passed, failed.percent) == (False, 57.14)
    return first, second, passed, failed


def test_the_plan_names_whose_result_a_corrected_key_flips_and_publish_waits_for_a_decision(
        app, client, runner, course, sat):
    """Before: the plan said "1 submitted attempt drew version 1 and keeps it"
    and publishing went through, leaving 甲 passed on a wrong key and 乙 failed
    with a right answer; nothing said so. Now the plan counts the submitted
    attempts whose score changes and names whose pass/fail flips each way, and
    publish refuses (file:line) until the trainer chooses, with a reason."""
    _fix_key(course)
    planned = runner.invoke(args=["content", "plan"])
    assert planned.exit_code == 0, planned.output
    assert "更正答案 (pl-003)：2 份已交卷的答卷按新答案得分会变" in planned.output
    assert "其中 1 份将由通过变为不通过，1 份将由不通过变为通过" in planned.output
    assert "将不通过：甲学员 (E0001) exam-pl-week #1" in planned.output
    assert "将通过：乙学员 (E0002) exam-pl-week #1" in planned.output

    refused = runner.invoke(args=["content", "publish", "--as", "trainer-pl"])
    assert refused.exit_code == 1
    assert f"{BANK}:30: 试题 pl-003：更正后的答案会改变 2 份已交卷答卷的得分" in refused.output, refused.output
    assert "--regrade" in refused.output and "未发布任何内容。" in refused.output
    assert _versions() == [1]

    no_reason = runner.invoke(args=["content", "publish", "--as", "trainer-pl", "--regrade"])
    assert no_reason.exit_code == 1 and "请写明对这 2 份已交卷答卷的处理理由" in no_reason.output, no_reason.output
    assert _versions() == [1]


def test_regrading_flips_both_ways_and_everything_reading_results_follows(app, client, runner, course, sat,
                                                                        make_user):
    first, second, passed, failed = sat
    # 甲's pass issued the certificate (requires exam-pl-week at 60).
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == first.id))
    assert certificate is not None and certificate.is_valid()
    assert db.session.scalar(select(NotebookEntry).where(NotebookEntry.user_id == second.id)) is not None
    assert [v.eligible for v in verdicts_for(first)] == [True] and [v.eligible for v in verdicts_for(second)] == [False]
    _fix_key(course)
    # The same publish raises the pass mark to 75: the attempts keep theirs (60), so 乙's 71.4 % passes.
    exam_file = course / "exams" / "pl-week.yaml"
    exam_file.write_text(exam_file.read_text(encoding="utf-8").replace("pass_mark: 60", "pass_mark: 75"),
                         encoding="utf-8")
    published = runner.invoke(args=["content", "publish", "--as", "trainer-pl", "--regrade", "--reason", REASON])
    assert published.exit_code == 0, published.output
    assert "2 份已交卷的答卷已重新评分" in published.output
    db.session.expire_all()

    passed, failed = db.session.get(Attempt, passed.id), db.session.get(Attempt, failed.id)
    assert (passed.passed, passed.percent, passed.state) == (False, 57.14, "finalised")
    assert (failed.passed, failed.percent, failed.state) == (True, 71.43, "finalised")
    # Each answer now points at the corrected version (the review shows the right key).
    assert {i.question_version.version for i in passed.items if i.question_version.question.slug == "pl-003"} == {2}

    # The week gate, the rankings and the certificate requirements read the same results.
    exam = _exam()
    assert exam_results.has_passed(first, exam) is False and exam_results.has_passed(second, exam) is True
    programme = db.session.scalar(select(Programme).where(Programme.slug == "pl-programme"))
    assert progress(programme_weeks(first, programme)).passed == 0
    assert progress(programme_weeks(second, programme)).passed == 1

    # The rankings: 乙 (1 of 1 passed) above 甲 (0 of 1).
    board = rankings(programme, None, date(2026, 11, 1), clock.today())
    assert [(r.member.user.employee_no, r.standing.passed) for r in board.learners] == [("E0002", 1), ("E0001", 0)]
    # Eligibility (高级客户经理准入: 1 of the last 3 weeks due passed): 乙 meets it now, 甲 no longer.
    assert {v.rule.slug: v.eligible for v in verdicts_for(first)} == {"post-loan-senior": False}
    assert {v.rule.slug: v.eligible for v in verdicts_for(second)} == {"post-loan-senior": True}

    # 错题本: 甲 now has pl-003 to practise; 乙's entry for it (a right answer) is gone.
    mine = {e.question_id: e for e in db.session.scalars(select(NotebookEntry).where(NotebookEntry.user_id == first.id))}
    pl003 = db.session.scalar(select(Question).where(Question.slug == "pl-003"))
    assert pl003.id in mine and mine[pl003.id].cleared_at is None
    assert db.session.scalar(select(NotebookEntry).where(NotebookEntry.user_id == second.id,
                                                         NotebookEntry.question_id == pl003.id)) is None

    # One audit event per changed attempt, with before → after and the reason.
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.regraded")
                                     .order_by(AuditEvent.seq)))
    assert sorted(e.object_id for e in events) == sorted([str(passed.id), str(failed.id)])
    details = {e.object_id: json.loads(e.details) for e in events}
    assert details[str(passed.id)]["passed_before"] is True and details[str(passed.id)]["passed_after"] is False
    assert details[str(passed.id)]["reason"] == REASON
    release = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published")
                                .order_by(AuditEvent.seq.desc()).limit(1))
    assert json.loads(release.details)["regrade"]["choice"] == "regrade"

    # The learners are told, each in a sentence about their own result.
    texts = {n.recipient_id: n for n in db.session.scalars(select(Notification).where(Notification.kind == "regraded"))}
    assert set(texts) == {first.id, second.id}
    sign_in(client, first)
    home = client.get("/notifications/")
    assert "贷后管理周测的答案已更正：第 1 次答卷重新评分，由 71.4% 变为 57.1%，不再通过" in home.text, home.text

    # 甲 sees why on the result page; the certificate stays (HR decides).
    page = client.get(f"/attempts/{passed.id}/result")
    assert "重新评分" in page.text and "71.4% 变为 57.1%" in page.text and REASON in page.text
    assert "本次答卷不再达到及格线" in page.text
    db.session.refresh(certificate)
    assert certificate.is_valid()
    # 乙 now holds the certificate too (a pass through re-grading meets the certification).
    second_certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == second.id))
    assert second_certificate is not None

    # HR sees the holder whose qualifying pass was re-graded to a fail, and only that one.
    sign_in(client, make_user(("hr",), employee_no="hr-pl"))
    register = client.get("/certificates/")
    assert "/certificates/regraded" in register.text
    listed = client.get("/certificates/regraded")
    assert listed.status_code == 200
    rows = listed.text.split('id="regraded-table"')[1]
    assert f'id="regraded-{certificate.id}"' in rows and certificate.serial in rows and "甲学员" in rows
    assert "71.4% → 57.1%" in rows and REASON in rows
    assert f'id="regraded-{second_certificate.id}"' not in rows and "乙学员" not in rows


def test_keeping_the_results_changes_no_score_and_records_the_reason(app, client, runner, course, sat):
    first, second, passed, failed = sat
    _fix_key(course)
    kept = runner.invoke(args=["content", "publish", "--as", "trainer-pl", "--keep-results", "--reason",
                               "考试已结束，按原答案认定"])
    assert kept.exit_code == 0, kept.output
    assert _versions() == [1, 2]
    db.session.expire_all()
    assert db.session.get(Attempt, passed.id).passed is True and db.session.get(Attempt, failed.id).passed is False
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.regraded")) is None
    release = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published")
                                .order_by(AuditEvent.seq.desc()).limit(1))
    decision = json.loads(release.details)["regrade"]
    assert decision["choice"] == "keep" and decision["reason"] == "考试已结束，按原答案认定"
    assert decision["to_fail"] == ["甲学员 (E0001) exam-pl-week #1"]


def _trainer() -> User:
    return db.session.scalar(select(User).where(User.employee_no == "trainer-pl"))


def test_the_console_editor_asks_for_the_decision_beside_the_plan(app, client, course, sat):
    """The web editor: "审阅改动" names whose result flips and offers the two
    choices with a reason; "发布" without a choice is refused at the
    question's file:line (the file on disk stays as it was); with one it
    re-grades."""
    from lms.content.console.editor import normalise, text_hash

    first, second, passed, failed = sat
    sign_in(client, _trainer())
    on_disk = (course / BANK).read_bytes()
    text = normalise(on_disk.decode("utf-8-sig")).replace(KEY_BEFORE.replace("\r\n", "\n"),
                                                          KEY_AFTER.replace("\r\n", "\n"))
    form = {"path": BANK, "text": text, "base_hash": text_hash(on_disk)}
    review = review_for_publish(client, form)
    assert review.status_code == 200, review.text
    assert 'id="regrade-choice"' in review.text and "将不通过：甲学员 (E0001)" in review.text
    assert 'value="regrade"' in review.text and 'value="keep"' in review.text

    form["reviewed_hash"] = text_hash(normalise(text))
    refused = client.post("/console/publish", data=form)
    assert refused.status_code == 422
    assert f"{BANK}:30" in refused.text and "请选择重新评分或保留原成绩" in refused.text
    assert (course / BANK).read_bytes() == on_disk and _versions() == [1]

    done = client.post("/console/publish", data={**form, "regrade": "regrade", "regrade_reason": REASON})
    assert done.status_code == 302, done.text
    db.session.expire_all()
    assert db.session.get(Attempt, passed.id).passed is False and db.session.get(Attempt, failed.id).passed is True
    assert "2 份已交卷的答卷已重新评分" in client.get(done.headers["Location"]).text


def test_the_excel_import_asks_for_the_decision_too(app, client, runner, course, sat, tmp_path):
    """The question bank exported to Excel, the key of pl-003 corrected in its
    答案 cell and imported again: the preview names the flips and the confirm
    form has the choice; confirming without one is refused, naming the row;
    `flask content import-xlsx` takes --keep-results --reason."""
    import io

    from openpyxl import load_workbook

    first, second, passed, failed = sat
    exported = runner.invoke(args=["content", "export-xlsx", "--course", "post-loan", "--bank", "basics",
                                   "-o", str(tmp_path / "basics.xlsx")])
    assert exported.exit_code == 0, exported.output
    book = load_workbook(tmp_path / "basics.xlsx")
    sheet = book["题库"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("编号")].value == "pl-003")
    assert row[header.index("答案")].value == "错"
    row[header.index("答案")].value = "对"
    data = io.BytesIO()
    book.save(data)

    sign_in(client, _trainer())
    page = client.post("/console/import/", data={"course": "post-loan", "bank": "basics",
                                                 "upload": (io.BytesIO(data.getvalue()), "basics.xlsx")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.text
    assert 'id="regrade-choice"' in page.text and "将通过：乙学员 (E0002)" in page.text
    refused = client.post("/console/import/confirm", data=import_confirm_data(page.text))
    assert "试题 pl-003" in refused.text and "请选择重新评分或保留原成绩" in refused.text
    assert _versions() == [1]

    (tmp_path / "fixed.xlsx").write_bytes(data.getvalue())
    kept = runner.invoke(args=["content", "import-xlsx", str(tmp_path / "fixed.xlsx"), "--course", "post-loan",
                               "--bank", "basics", "--as", "trainer-pl", "--keep-results", "--reason", "按原答案认定"])
    assert kept.exit_code == 0, kept.output
    assert _versions() == [1, 2]
    db.session.expire_all()
    assert db.session.get(Attempt, passed.id).passed is True


def test_an_answer_a_trainer_overrode_is_not_regraded(app, client, runner, course, sat, make_user):
    """A trainer already decided 甲's pl-003 by hand (an override, audited):
    the corrected key leaves that answer alone, so only 乙's attempt is
    counted, and a re-grade changes only it."""
    first, second, passed, failed = sat
    sign_in(client, make_user(("trainer",), employee_no="grader-pl"))
    item = next(i for i in passed.items if i.question_version.question.slug == "pl-003")
    overridden = client.post(f"/grading/attempts/{passed.id}/items/{item.id}/override",
                             data={"points": "0.5", "reason": "复核：表述有歧义，给一半分"})
    assert overridden.status_code in (200, 302), overridden.text
    _fix_key(course)
    planned = runner.invoke(args=["content", "plan"])
    assert "更正答案 (pl-003)：1 份已交卷的答卷按新答案得分会变" in planned.output, planned.output
    assert "甲学员" not in planned.output and "将通过：乙学员 (E0002)" in planned.output
    published = runner.invoke(args=["content", "publish", "--as", "trainer-pl", "--regrade", "--reason", REASON])
    assert published.exit_code == 0, published.output
    db.session.expire_all()
    kept = db.session.get(Attempt, passed.id)
    assert next(i for i in kept.items if i.id == item.id).awarded == 0.5
    assert db.session.get(Attempt, failed.id).passed is True
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt.regraded",
                                                      AuditEvent.object_id == str(passed.id))) is None


def test_a_regrade_reason_with_a_text_direction_control_is_refused(app, client, runner, course, sat):
    """The reason goes to the audit log and the learners' notices: refused on
    the command line (the option named) and in the editor, nothing published."""
    from lms.content.console.editor import normalise, text_hash

    _fix_key(course)
    reversed_reason = "原题有误\u202e对为应案答"
    cli = runner.invoke(args=["content", "publish", "--as", "trainer-pl", "--regrade", "--reason", reversed_reason])
    assert cli.exit_code == 2 and "--reason" in cli.output and "U+202E" in cli.output, cli.output
    assert _versions() == [1]

    sign_in(client, _trainer())
    on_disk = (course / BANK).read_bytes()
    text = normalise(on_disk.decode("utf-8-sig"))
    form = {"path": BANK, "text": text, "base_hash": text_hash(on_disk), "reviewed_hash": text_hash(text),
            "regrade": "regrade", "regrade_reason": reversed_reason}
    review_for_publish(client, form)
    refused = client.post("/console/publish", data=form)
    assert refused.status_code == 422 and "文字方向控制符 (U+202E)" in refused.text
    assert _versions() == [1]
