"""What people see: 我的证书 (certificates with state and download, what is
still missing), the home panel and menu, the PDF download (same bytes every
time, named after the serial, rendered and stored only if missing), HR's
register with filters and a formula-safe export, the person page section."""
from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

from lms.certificates import issuing, revoking
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.conftest import sign_in

RMQ = {"exams": [{"exam": "exam-rm-entry", "min_score": 80}], "signoff": True}


def test_my_certificates_show_state_download_and_what_is_missing(client, clock, make_user, make_certification,
                                                                 entry_exam, take_exam, fast_pdf):
    hr = make_user(("hr",))
    learner = make_user(("learner",), name="李学员", position="rm_junior", position_start=date(2025, 9, 1))
    rmq = make_certification(requirements=RMQ)
    make_certification(slug="rm-intermediate-qualification", title="中级客户经理资格", prefix="RMI",
                       requirements={"tenure": [{"positions": ["rm_junior"], "months": 12}]})
    take_exam(learner, entry_exam, right=1)
    sign_in(client, learner)
    page = client.get("/certificates/mine")
    assert page.status_code == 200
    assert "您还没有任何证书" in page.text
    assert "客户经理准入考试最好成绩 50，低于 80" in page.text and "没有生效的师傅出师评价" in page.text
    assert "任初级客户经理 6 个月（需 12 个月，2026-09-01 满）" in page.text
    old = issuing.issue(learner, rmq, actor=hr, reason="存量人员换发", on=date(2024, 1, 10))  # expired 2026-01-10
    current = issuing.issue(learner, rmq, actor=hr, reason="补发")
    revoking.revoke(current.id, hr, "冒用他人账号")
    page = client.get("/certificates/mine")
    assert f'id="certificate-{old.id}" class="state-expired"' in page.text
    assert f'id="certificate-{current.id}" class="state-revoked"' in page.text and "已撤销" in page.text
    # No download of a revoked certificate for its holder (tests/certificates/test_revoked_pdf.py).
    assert f"/certificates/{current.id}/pdf" not in page.text and "已撤销，不提供 PDF" in page.text
    assert f"/certificates/{old.id}/pdf" in page.text
    assert "冒用他人账号" not in page.text  # the reason is HR's, not printed to the holder's list
    home = client.get("/")
    assert 'id="my-certificates-panel"' in home.text and "您还没有有效的证书" in home.text
    assert "/certificates/mine" in home.text


def test_a_download_returns_the_stored_bytes_every_time(client, clock, make_user, make_certification):
    hr = make_user(("hr",))
    learner = make_user(("learner",), name="李学员")
    certificate = issuing.issue(learner, make_certification(), actor=hr, reason="存量人员换发")  # a real render
    certificate = db.session.get(Certificate, certificate.id)
    assert certificate.pdf_sha256
    sign_in(client, learner)
    first = client.get(f"/certificates/{certificate.id}/pdf")
    second = client.get(f"/certificates/{certificate.id}/pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf" and first.data.startswith(b"%PDF")
    assert first.headers["Content-Disposition"] == f'attachment; filename="{certificate.serial}.pdf"'
    assert hashlib.sha256(first.data).hexdigest() == hashlib.sha256(second.data).hexdigest() == certificate.pdf_sha256


def test_a_missing_pdf_is_rendered_once_at_download(client, clock, make_user, make_certification, fast_pdf):
    hr = make_user(("hr",))
    learner = make_user(("learner",))
    certificate = issuing.issue(learner, make_certification(), actor=hr, reason="存量人员换发")
    # As after a crash between the issue and the PDF's transaction:
    db.session.execute(db.update(Certificate).values(pdf=None, pdf_sha256=None))
    db.session.commit()
    fast_pdf.clear()
    sign_in(client, hr)
    first = client.get(f"/certificates/{certificate.id}/pdf")
    second = client.get(f"/certificates/{certificate.id}/pdf")
    assert first.data == second.data and fast_pdf == [certificate.id]
    assert db.session.get(Certificate, certificate.id).pdf_sha256 == hashlib.sha256(first.data).hexdigest()


def test_another_persons_pdf_is_404(client, clock, make_user, make_branch, make_certification, fast_pdf):
    hr = make_user(("hr",))
    learner = make_user(("learner",), branch=make_branch("B01"))
    other_manager = make_user(("branch_manager",), branch=make_branch("B02"))
    certificate = issuing.issue(learner, make_certification(), actor=hr, reason="存量人员换发")
    for person in (make_user(("learner",)), make_user(("trainer",)), other_manager):
        sign_in(client, person)
        assert client.get(f"/certificates/{certificate.id}/pdf").status_code == 404
    assert client.get("/certificates/999999/pdf").status_code == 404


def test_the_register_filters_and_exports(client, clock, make_user, make_branch, make_certification, fast_pdf):
    hr = make_user(("hr",))
    branch = make_branch("B01", "天元支行")
    rmq = make_certification()
    mtq = make_certification(slug="mentor-qualification", title="带教师傅资格", prefix="MTQ")
    a = make_user(("learner",), name="@SUM(A1)", employee_no="E1", branch=branch)
    b = make_user(("learner",), name="钱二", employee_no="E2")
    ca = issuing.issue(a, rmq, actor=hr, reason="存量人员换发")
    cb = issuing.issue(b, mtq, actor=hr, reason="存量人员换发")
    revoking.revoke(cb.id, hr, "错发")
    sign_in(client, hr)
    page = client.get("/certificates/")
    assert ca.serial in page.text and cb.serial in page.text
    assert client.get("/certificates/?state=revoked").text.count("state-revoked") == 1
    only_valid = client.get("/certificates/?state=valid")
    assert ca.serial in only_valid.text and cb.serial not in only_valid.text
    by_branch = client.get(f"/certificates/?branch={branch.id}", headers={"HX-Request": "true"})
    assert by_branch.text.startswith('<div id="certificate-table"') and cb.serial not in by_branch.text
    assert ca.serial in client.get("/certificates/?q=E1").text
    assert cb.serial not in client.get(f"/certificates/?certification={rmq.id}").text
    rows = list(csv.reader(io.StringIO(client.get("/certificates/export.csv").data.decode("utf-8-sig"))))
    assert len(rows) == 3 and "'@SUM(A1)" in [r[1] for r in rows]
    revoked_row = next(r for r in rows if r[0] == cb.serial)
    assert revoked_row[7] == "已撤销" and revoked_row[9] == "错发"
    person_page = client.get(f"/org/people/{a.id}")
    assert 'id="person-certificates"' in person_page.text and ca.serial in person_page.text
    detail = client.get(f"/certificates/{cb.id}")
    assert "错发" in detail.text and 'id="certificate-revoke"' not in detail.text


def test_issue_batch_issues_to_everyone_who_meets_the_requirements(runner, clock, make_user, make_certification,
                                                                   fast_pdf):
    make_certification(slug="mentor-qualification", title="带教师傅资格", prefix="MTQ",
                       requirements={"tenure": [{"positions": ["rm_senior"], "months": 24}]})
    ready = [make_user(("learner",), position="rm_senior", position_start=date(2023, 1, 1)).id for _ in range(3)]
    make_user(("learner",), position="rm_senior", position_start=date(2025, 1, 1))
    result = runner.invoke(args=["certificates", "issue-batch", "--certification", "mentor-qualification"])
    assert result.exit_code == 0, result.output
    assert "issued 3; requirements not met 1" in result.output  # the fourth has 14 months
    assert sorted(c.user_id for c in Certificate.query) == sorted(ready)
    again = runner.invoke(args=["certificates", "issue-batch", "--certification", "mentor-qualification"])
    assert "issued 0" in again.output and Certificate.query.count() == 3
    assert runner.invoke(args=["certificates", "issue-batch", "--certification", "nope"]).exit_code != 0


def test_issue_batch_for_a_programme_takes_only_its_members(runner, clock, make_user, make_branch,
                                                            make_certification, fast_pdf):
    import json

    from lms.content.models import Programme

    make_certification(slug="mentor-qualification", title="带教师傅资格", prefix="MTQ",
                       requirements={"tenure": [{"positions": ["rm_senior"], "months": 24}]})
    north, south = make_branch("N01"), make_branch("S01")
    member = make_user(("learner",), branch=north, position="rm_senior", position_start=date(2023, 1, 1)).id
    make_user(("learner",), branch=south, position="rm_senior", position_start=date(2023, 1, 1))
    db.session.add(Programme(slug="north-rm", title="北区培训",
                             audience_json=json.dumps({"branches": ["N01"], "roles": ["learner"]})))
    db.session.commit()
    result = runner.invoke(args=["certificates", "issue-batch", "--certification", "mentor-qualification",
                                 "--programme", "north-rm"])
    assert result.exit_code == 0, result.output
    assert [c.user_id for c in Certificate.query] == [member]
    assert runner.invoke(args=["certificates", "issue-batch", "--certification", "mentor-qualification",
                               "--programme", "nope"]).exit_code != 0


def test_my_certificates_gives_the_day_the_tenure_will_be_served(client, clock, make_user, make_certification):
    """The tenure line on 我的证书 says the day, as the position gate and HR's
    register do (one sentence, lms.org.tenure): months of earlier stints count,
    and someone no longer in the position gets no date to plan with."""
    from lms.org.models import PositionRecord
    from lms.org.tenure import describe

    make_certification(slug="rm-intermediate-qualification", title="中级客户经理资格", prefix="RMI",
                       requirements={"tenure": [{"positions": ["teller", "rm_junior"], "months": 24}]})
    staying = make_user(("learner",), name="王柜员", position="teller", position_start=date(2024, 9, 30))
    db.session.add(PositionRecord(user_id=staying.id, position="rm_junior", start_date=date(2021, 1, 1),
                                  end_date=date(2021, 7, 1)))  # six months long ago count too
    left = make_user(("learner",), name="赵柜员", position="rm_senior", position_start=date(2025, 3, 2))
    db.session.add(PositionRecord(user_id=left.id, position="teller", start_date=date(2024, 3, 2),
                                  end_date=date(2025, 3, 2)))
    db.session.commit()
    sign_in(client, staying)  # 17 months as teller on 2026-03-02, plus 6
    assert "23 个月（需 24 个月，2026-03-30 满）" in client.get("/certificates/mine").text
    client.post("/logout")
    sign_in(client, left)  # 12 months as teller, a senior RM now: no day to promise
    page = client.get("/certificates/mine").text
    assert "12 个月（需 24 个月）" in page and "满）" not in page
    # A certificate issued before the day was kept reads as it did.
    assert describe(12, 24, "柜员") == "任柜员 12 个月（需 24 个月）"


def test_issuing_to_a_name_that_will_not_print_tells_hr_and_keeps_it_in_the_log(client, clock, make_user,
                                                                                make_certification, fast_pdf):
    from lms.audit.models import AuditEvent

    hr = make_user(("hr",))
    person = make_user(("learner",), name="张\U00030000明")
    certification = make_certification()
    sign_in(client, hr)
    form = client.get(f"/certificates/issue?employee_no={person.employee_no}&certification_id={certification.id}")
    assert "第 2 个字符（U+30000 “\U00030000”）" in form.text
    done = client.post("/certificates/issue", data={"employee_no": person.employee_no,
                                                    "certification_id": certification.id, "reason": "补发"},
                       follow_redirects=True)
    assert "已向" in done.text or "颁发" in done.text
    assert "无法按原样打印" in done.text
    issued = AuditEvent.query.filter_by(action="certificate.issued").one()
    assert '"unprintable": ["2 U+30000"]' in issued.details
    plain = make_user(("learner",), name="李四")
    certificate = issuing.issue(plain, certification, actor=hr, reason="补发")
    plain_issued = AuditEvent.query.filter_by(action="certificate.issued", object_id=str(certificate.id)).one()
    assert "unprintable" not in plain_issued.details


def test_a_revocation_reason_with_a_right_to_left_override_is_refused(client, make_user, make_certification):
    """HR, the audit log and the export would read "…，不撤销" for "…，销撤不"."""
    hr = make_user(("hr",))
    learner = make_user(("learner",), name="李学员")
    certificate = issuing.issue(learner, make_certification(), actor=hr, reason="补发")
    sign_in(client, hr)
    response = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "核实后\u202e销撤不"})
    assert response.status_code == 400
    assert "含有文字方向控制符 (U+202E)" in response.text
    assert db.session.get(Certificate, certificate.id, populate_existing=True).revoked_at is None


def test_the_register_picker_lists_certifications_by_title_current_first(client, make_user, make_certification):
    """HR looks for 客户经理上岗资格 by its name, as in every other picker: by
    title (第 2 before 第 10), current before retired and marked as such; not
    in the order the certifications were published."""
    import re

    hr = make_user(("hr",))
    make_certification(slug="z-second", title="第10期理财师资格", prefix="Z10")
    make_certification(slug="a-retired", title="AML 反洗钱资格", prefix="AML").retired = True
    make_certification(slug="m-first", title="第2期理财师资格", prefix="Z02")
    make_certification(slug="b-rmq", title="客户经理上岗资格", prefix="RMQ")
    db.session.commit()
    sign_in(client, hr)
    for path in ("/certificates/", "/certificates/expiring"):
        page = client.get(path).text
        picker = re.search(r'<select id="certification".*?</select>', page, re.S).group(0)
        assert re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', picker) == [
            "客户经理上岗资格", "第2期理财师资格", "第10期理财师资格", "AML 反洗钱资格 · 已停用"], path


def test_the_register_search_takes_percent_and_underscore_as_typed(client, make_user, make_certificate):
    hr = make_user(("hr",))
    fifty = make_certificate(holder=make_user(name="利率50%专员", employee_no="E_1"), render=False)
    five_hundred = make_certificate(holder=make_user(name="利率500专员", employee_no="EX1"), render=False)
    sign_in(client, hr)
    percent = client.get("/certificates/", query_string={"q": "50%"}).text
    assert fifty.serial in percent and five_hundred.serial not in percent
    underscore = client.get("/certificates/", query_string={"q": "E_1"}).text
    assert fifty.serial in underscore and five_hundred.serial not in underscore
