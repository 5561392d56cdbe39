"""An uploaded XLSX that inflates to far more than any table (a zip bomb) is
refused before openpyxl reads it: in the question import of the trainer
console and in the people import of HR (which the pairing import shares)."""
from __future__ import annotations

import io
import resource
import zipfile

import pytest
from openpyxl import Workbook

from lms.content.importers.xlsx import read_xlsx
from lms.org import imports as people_imports


def bomb(megabytes: int = 150) -> bytes:
    """A real workbook whose first sheet holds one cell of ``megabytes`` MB:
    a few hundred kilobytes on the wire."""
    book = Workbook()
    book.active.title = "题库"
    book.active.append(["题型", "题干"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info, data)
                continue
            head, tail = data.split(b"<sheetData>")[0], data.split(b"</sheetData>")[1]
            with archive.open(info.filename, "w", force_zip64=True) as member:
                member.write(head + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
                for _ in range(megabytes):
                    member.write(b"A" * (1024 * 1024))
                member.write(b"</t></is></c></row></sheetData>" + tail)
    return out.getvalue()


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def test_question_import_refuses_a_zip_bomb_before_reading_it(app):
    data = bomb()
    assert len(data) < 1024 * 1024
    before = _peak_mb()
    result = read_xlsx(data, "bank.xlsx")
    assert not result.questions
    assert any("150 MB" in str(p) and "100 MB" in str(p) for p in result.problems), result.problems
    assert _peak_mb() - before < 100  # nothing was inflated


def test_people_import_refuses_a_zip_bomb_before_reading_it(app):
    from flask_babel import force_locale

    with force_locale("en"):
        plan = people_imports.plan_import(bomb(), "people.xlsx")
    assert not plan.rows
    assert "unpacks to 150 MB" in str(plan.problems[0])


def test_an_ordinary_workbook_still_reads(app):
    book = Workbook()
    book.active.title = "题库"
    book.active.append(["题型", "题干", "选项A", "选项B", "答案"])
    book.active.append(["单选", "甲？", "一", "二", "B"])
    data = io.BytesIO()
    book.save(data)
    result = read_xlsx(data.getvalue(), "bank.xlsx")
    assert not result.problems and len(result.questions) == 1


# --- entity declarations: billion laughs, external entities ---------------------------------

def _with_doctype(kind: str, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A workbook whose ``part`` declares entities no Excel file has: ``laughs`` (a billion
    laughs: ten to the ninth "lol" from a few hundred bytes) or ``external`` (file:///etc/passwd)."""
    book = Workbook()
    book.active.append(["工号", "姓名"])
    book.active.append(["E1", "张三"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    if kind == "laughs":
        doctype = '<!DOCTYPE lolz [<!ENTITY lol0 "lol">' + "".join(
            f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10)) + "]>"
        entity = "&lol9;"
    else:
        doctype, entity = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename).decode("utf-8")
            if info.filename == part:
                root = "<worksheet" if "worksheets" in part else "<workbook"
                data = data.replace(root, doctype + root, 1)
                if "worksheets" in part:
                    data = data.replace("张三", entity)
            archive.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["laughs", "external"])
def test_a_workbook_using_entities_is_refused_with_a_message_not_a_server_error(app, client, make_user, kind):
    """Expat refuses both (its amplification limit; no external entity is loaded), but the
    parser's error escaped the import: a 500 page. Now the file is refused, and why is said."""
    from lms.extensions import db
    from lms.org.models import User
    from tests.conftest import sign_in

    data = _with_doctype(kind)
    sign_in(client, make_user(("hr",), employee_no="hr01"))
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    response = client.post("/org/people/import", data={"file": (io.BytesIO(data), "people.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code in (200, 422)
    assert "不是可读取的 XLSX 工作簿" in response.text and "root:" not in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before
    result = read_xlsx(data, "bank.xlsx")
    assert not result.questions and result.problems
