"""The re-grade choice on every page that publishes, when only attempts in
progress are affected (tests/content/fixtures/post_loan; pl-003's statement
and key are rewritten together while 乙 is answering the old statement, 对:
71 % and passed with the new version, 57 % and failed with the one shown).

Before: the console editor, the course upload and the Excel import offered
重新评分 / 保留原成绩 only when a *submitted* attempt's score changed, so a
trainer there could not have the open attempts re-graded at submit — only
`flask content publish --regrade` could. Now each page asks whenever the plan
counts open attempts that keep an earlier text, with the plan's count, and a
re-grade needs a reason, as on the command line."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.content.models import ContentRelease
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.console_samples import import_confirm_data, review_for_publish
from tests.content.test_key_fix_open_attempts import (
    STEM_AFTER, STEM_BEFORE, _learners, _pl003_version, _submit,
)
from tests.content.test_key_regrade import (  # noqa: F401  (fixtures)
    BANK, KEY_AFTER, KEY_BEFORE, REASON, _trainer, _versions, answer_without_submitting, course,
)

OPEN_SENTENCE = "1 份进行中的答卷的学员看到的题目文字与新版本不同"
KEEP_REASON = "考试已开始，按学员看到的题目评分"


@pytest.fixture(autouse=True)
def _own_instance_dir(app, tmp_path):
    """Staged uploads go under the instance folder: a fresh one per test."""
    app.instance_path = str(tmp_path / "instance")


def _release_open() -> tuple:
    release = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published")
                                .order_by(AuditEvent.seq.desc()).limit(1))
    newest = db.session.scalar(select(ContentRelease).order_by(ContentRelease.id.desc()).limit(1))
    return json.loads(release.details)["open_attempts"], newest.summary.get("regrade_open")


def _regraded_events() -> list:
    return [(e.object_id, json.loads(e.details)["reason"])
            for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.regraded"))]


def _choice(page: str) -> str:
    """The re-grade fieldset of the page ('' when there is none)."""
    found = re.search(r'<fieldset class="regrade-choice" id="regrade-choice">.*?</fieldset>', page, re.S)
    return found.group(0) if found else ""


def _edited_text(root) -> str:
    from lms.content.console.editor import normalise

    text = normalise((root / BANK).read_bytes().decode("utf-8-sig"))
    return text.replace(KEY_BEFORE.replace("\r\n", "\n"), KEY_AFTER.replace("\r\n", "\n")).replace(STEM_BEFORE,
                                                                                                  STEM_AFTER)


def test_the_console_editor_asks_about_the_attempts_in_progress(app, client, course, make_user, make_branch):
    from lms.content.console.editor import normalise, text_hash

    first, second = _learners(make_user, make_branch)
    sign_in(client, _trainer())
    on_disk = (course / BANK).read_bytes()
    form = {"path": BANK, "text": _edited_text(course), "base_hash": text_hash(on_disk)}
    # Nobody has sat or opened the exam: nothing to decide, no choice.
    nobody = client.post("/console/review", data=form)
    assert nobody.status_code == 200 and _choice(nobody.text) == "", nobody.text

    still_open = answer_without_submitting(client, second, "true")
    sign_in(client, _trainer())
    review = review_for_publish(client, form)
    assert review.status_code == 200, review.text
    choice = _choice(review.text)
    assert choice, review.text
    assert "看到的题目文字与新版本不同的进行中答卷" in choice  # the legend
    assert OPEN_SENTENCE in choice and "交卷时即按新版本重新评分" in choice
    assert 'value="regrade"' in choice and 'value="keep"' in choice
    assert "已交卷答卷" not in choice  # no submitted attempt changes

    form["reviewed_hash"] = text_hash(normalise(form["text"]))
    no_reason = client.post("/console/publish", data={**form, "regrade": "regrade", "regrade_reason": " "})
    assert no_reason.status_code == 422, no_reason.text
    assert f"{BANK}:30" in no_reason.text and "请写明对这 1 份进行中答卷重新评分的理由" in no_reason.text
    assert (course / BANK).read_bytes() == on_disk and _versions() == [1]

    done = client.post("/console/publish", data={**form, "regrade": "regrade", "regrade_reason": REASON})
    assert done.status_code == 302, done.text
    recorded, later = _release_open()
    assert recorded == {"moved": 0, "kept": 1, "regrade_at_submit": True}
    assert later["attempts"] == [still_open.id] and later["reason"] == REASON

    submitted = _submit(client, second, still_open)
    assert (submitted.passed, submitted.percent) == (True, 71.43)
    assert _pl003_version(still_open.id) == 2
    assert _regraded_events() == [(str(still_open.id), REASON)]


def _edited_course_zip(root) -> io.BytesIO:
    folder = root / "courses" / "post-loan"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                if path == root / BANK:
                    data = data.replace(KEY_BEFORE.encode(), KEY_AFTER.encode()).replace(
                        STEM_BEFORE.encode(), STEM_AFTER.encode())
                zf.writestr(f"post-loan/{path.relative_to(folder).as_posix()}", data)
    buffer.seek(0)
    return buffer


def test_the_course_upload_asks_about_the_attempts_in_progress(app, client, course, make_user, make_branch):
    first, second = _learners(make_user, make_branch)
    still_open = answer_without_submitting(client, second, "true")
    sign_in(client, _trainer())
    page = client.post("/console/upload", data={"archive": (_edited_course_zip(course), "post-loan.zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.text
    choice = _choice(page.text)
    assert OPEN_SENTENCE in choice and 'value="regrade"' in choice, page.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)

    done = client.post("/console/upload/confirm", data={"token": token, "regrade": "regrade",
                                                        "regrade_reason": REASON})
    assert done.status_code == 302, done.text
    assert _release_open()[0] == {"moved": 0, "kept": 1, "regrade_at_submit": True}
    submitted = _submit(client, second, still_open)
    assert (submitted.passed, submitted.percent) == (True, 71.43)
    assert _regraded_events() == [(str(still_open.id), REASON)]


def test_the_excel_import_asks_about_the_attempts_in_progress(app, client, runner, course, make_user, make_branch,
                                                              tmp_path):
    from openpyxl import load_workbook

    first, second = _learners(make_user, make_branch)
    still_open = answer_without_submitting(client, second, "true")
    exported = runner.invoke(args=["content", "export-xlsx", "--course", "post-loan", "--bank", "basics",
                                   "-o", str(tmp_path / "basics.xlsx")])
    assert exported.exit_code == 0, exported.output
    book = load_workbook(tmp_path / "basics.xlsx")
    sheet = book["题库"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("编号")].value == "pl-003")
    assert row[header.index("答案")].value == "错" and row[header.index("题干")].value == STEM_BEFORE
    row[header.index("答案")].value = "对"
    row[header.index("题干")].value = STEM_AFTER
    data = io.BytesIO()
    book.save(data)

    sign_in(client, _trainer())
    page = client.post("/console/import/", data={"course": "post-loan", "bank": "basics",
                                                 "upload": (io.BytesIO(data.getvalue()), "basics.xlsx")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.text
    choice = _choice(page.text)
    assert OPEN_SENTENCE in choice and 'value="keep"' in choice, page.text
    done = client.post("/console/import/confirm", data={**import_confirm_data(page.text), "regrade": "keep",
                                                        "regrade_reason": KEEP_REASON})
    assert done.status_code == 302, done.text
    assert _versions() == [1, 2]
    recorded, later = _release_open()
    assert recorded == {"moved": 0, "kept": 1, "regrade_at_submit": False} and later is None
    submitted = _submit(client, second, still_open)
    assert (submitted.passed, submitted.percent) == (False, 57.14)  # graded on the statement 乙 was shown
    assert _pl003_version(still_open.id) == 1 and _regraded_events() == []
