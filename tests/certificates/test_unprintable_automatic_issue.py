"""An automatic issue (the requirements met at an exam's pass) to a name a
certificate cannot print: nobody saw the issue form's warning, so the HR
users of the holder's branch are told in the bell — who, which certificate,
which character at which position — and the register marks the certificate
(a badge, and the filter 打印姓名: 无法按原样打印)."""
from __future__ import annotations

import csv
import io

from lms.certificates.models import Certificate
from lms.notify.models import Notification
from tests.conftest import sign_in

RMQ = {"exams": [{"exam": "exam-rm-entry", "min_score": 80}], "signoff": True}
EXT_G = "\U00030000"  # 𰀀: no certificate font has it


def _pass(learner, entry_exam, take_exam, sign_off):
    sign_off(learner)
    take_exam(learner, entry_exam, right=2)
    return Certificate.query.filter_by(user_id=learner.id).one()


def test_hr_of_the_branch_hears_of_an_automatic_issue_to_a_name_that_will_not_print(
        client, clock, make_user, make_branch, make_certification, entry_exam, take_exam, sign_off, fast_pdf):
    city = make_branch("C01", "株洲分行")
    sub_branch = make_branch("C0101", "天元支行", parent=city)
    elsewhere = make_branch("C02", "湘潭分行")
    city_hr = make_user(("hr",), name="周人事", branch=city)
    make_user(("hr",), name="吴人事", branch=elsewhere)  # HR of another branch
    make_certification(requirements=RMQ)
    learner = make_user(("learner",), name="张" + EXT_G + "明", employee_no="E2001", branch=sub_branch)
    plain = make_user(("learner",), name="李四", employee_no="E2002", branch=sub_branch)

    certificate = _pass(learner, entry_exam, take_exam, sign_off)
    plain_certificate = _pass(plain, entry_exam, take_exam, sign_off)
    assert certificate.issued_by_id is None and certificate.holder_name == "张" + EXT_G + "明"

    told = Notification.query.filter_by(kind="certificate_name_unprintable").all()
    assert [n.recipient_id for n in told] == [city_hr.id]  # not HR of another branch, not for 李四
    sign_in(client, city_hr)
    bell = client.get("/notifications/").text
    assert "张" + EXT_G + "明（E2001，天元支行）" in bell and certificate.serial in bell and "客户经理上岗资格" in bell
    assert "第 2 个字符（U+30000 “" + EXT_G + "”）" in bell
    opened = client.post(f"/notifications/{told[0].id}/read", data={"open": "1"})
    assert opened.headers["Location"].endswith(f"/certificates/{certificate.id}")

    register = client.get("/certificates/").text
    assert register.count("名字无法打印") == 1  # the badge, on 张𰀀明's row only
    only = client.get("/certificates/?name=unprintable").text
    assert certificate.serial in only and plain_certificate.serial not in only and "1 张证书" in only
    everything = client.get("/certificates/").text
    assert plain_certificate.serial in everything

    # The register's download says it too, in a column of its own (HR works from the file).
    rows = list(csv.reader(io.StringIO(client.get("/certificates/export.csv").data.decode("utf-8-sig"))))
    column = rows[0].index("无法打印的字符")
    by_serial = {row[0]: row[column] for row in rows[1:]}
    assert "第 2 个字符（U+30000 “" + EXT_G + "”）" in by_serial[certificate.serial]
    assert by_serial[plain_certificate.serial] == ""


def test_with_no_hr_over_the_branch_every_hr_user_hears(clock, make_user, make_branch, make_certification,
                                                         entry_exam, take_exam, sign_off, fast_pdf):
    branch = make_branch("C03", "芦淞支行")
    head_office = make_branch("H01", "总行")
    hr = make_user(("hr",), branch=head_office)
    make_user(("hr",), branch=head_office, active=False)  # left the bank
    make_certification(requirements=RMQ)
    learner = make_user(("learner",), name="李\U000F0001", branch=branch)
    _pass(learner, entry_exam, take_exam, sign_off)
    assert [n.recipient_id for n in Notification.query.filter_by(kind="certificate_name_unprintable")] == [hr.id]
