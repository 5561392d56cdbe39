"""Text stored before forms refused text-direction controls (or an exam
answer, never refused while the clock runs) turns nothing around where it is
read: pages, rendered markdown, attributes, CSV and XLSX downloads, messages
sent out. The control is written out as "[U+202E]"."""
from __future__ import annotations

import csv
import io
import zipfile

from flask import render_template_string
from markupsafe import Markup

from lms.extensions import db
from lms.notify import sending, services
from lms.notify.models import Delivery

REASON = "伪造材料\u202e。销撤不"  # reads "伪造材料。不撤销" with the control hidden


def test_a_page_writes_the_control_out_in_text_attributes_and_markdown(app):
    from lms.content.rendering import render_markdown

    with app.test_request_context("/"):
        html = render_template_string('<p title="{{ r }}">{{ r }}</p>{{ md }}{{ _("Reason: %(r)s", r=r) }}',
                                      r=REASON, md=render_markdown(f"**注意** {REASON}"))
    assert "\u202e" not in html
    assert html.count("伪造材料[U+202E]。销撤不") == 4
    assert "<strong>注意</strong>" in html  # rendered markdown stays HTML


def test_a_csv_and_an_xlsx_download_write_the_control_out(app):
    from openpyxl import load_workbook

    from lms.eligibility import xlsx as eligibility_xlsx
    from lms.reports import exports

    with app.test_request_context("/"):
        body = exports.to_csv(["原因"], [[REASON], ["=1+1\u2066"]])
        book = load_workbook(io.BytesIO(exports.to_xlsx("名单", ["原因"], [[REASON]])))
        fast = eligibility_xlsx.to_xlsx("名单", ["原因"], [[REASON]])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1:] == [["伪造材料[U+202E]。销撤不"], ["'=1+1[U+2066]"]]
    assert book.active["A2"].value == "伪造材料[U+202E]。销撤不"
    sheet = zipfile.ZipFile(io.BytesIO(fast)).read("xl/worksheets/sheet1.xml").decode()
    assert "伪造材料[U+202E]。销撤不" in sheet and "\u202e" not in sheet


def test_a_question_bank_export_writes_the_control_out(app):
    from openpyxl import Workbook

    from lms.content.importers.xlsx_export import _set  # every cell of the export is written by it

    sheet = Workbook().active
    _set(sheet, 1, 1, f"题干 {REASON}")
    assert sheet["A1"].value == "题干 伪造材料[U+202E]。销撤不"


def test_a_message_sent_out_writes_the_control_out(app, make_user, make_branch):
    branch = make_branch("ZZ01", "天元支行")
    learner = make_user(("learner",), name="李学员", employee_no="E3001", branch=branch)
    hr = make_user(("hr",), branch=branch, locale="en")
    hr.email = "hr@bank.example"
    db.session.commit()
    params = {"learner": learner.name, "employee_no": learner.employee_no, "branch": branch.name,
              "learner_id": learner.id, "exam": f"第3周{REASON}", "exam_id": 1}
    notification = services.notify(hr, "learner_failed_twice", f"user:{learner.id}:exam:1", params)
    with app.test_request_context("/"):
        message = sending.compose(Delivery(notification=notification, channel="email", target=hr.email))
    assert "第3周伪造材料[U+202E]。销撤不" in message.text and "\u202e" not in message.text
