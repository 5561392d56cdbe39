"""An imported bank keeps a readable name from the uploaded file's name, as the
trainer sees it in the preview, the content folder and the console."""
import io

import pytest
from sqlalchemy import select

from lms.content.importers.bank_names import readable
from lms.content.models import Question
from lms.extensions import db
from tests.content.console_samples import content_dir, import_confirm_data, trainer  # noqa: F401  (fixtures)
from tests.content.test_xlsx import workbook

ROWS = [{"题型": "判断", "题干": "个人住房贷款的借款人须为完全民事行为能力人。", "答案": "对"},
        {"题型": "判断", "题干": "住房贷款可以不办理抵押登记。", "答案": "错"}]


def upload(client, data: bytes, name: str, bank: str = "", course: str = "products"):
    return client.post("/console/import/", data={"course": course, "bank": bank, "upload": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_a_chinese_file_name_names_the_bank_in_the_preview_and_once_published(client, content_dir, trainer):
    page = upload(client, workbook(ROWS), "住房贷款题库.xlsx")
    assert "courses/products/questions/住房贷款题库.md" in page.text
    assert 'value="住房贷款题库"' in page.text  # the bank name field holds it
    assert "bank-" not in page.text.split('id="import-preview"')[1]
    done = client.post("/console/import/confirm", data=import_confirm_data(page.text))
    assert done.status_code == 302
    assert (content_dir / "courses/products/questions/住房贷款题库.md").is_file()
    banks = set(db.session.scalars(select(Question.bank).where(Question.retired.is_(False))))
    assert "courses/products/questions/住房贷款题库.md" in banks
    course_page = client.get("/console/courses/products").text
    assert "住房贷款题库" in course_page
    # Imported again: the same bank is replaced, nothing is added beside it.
    again = upload(client, workbook(ROWS), "住房贷款题库.xlsx")
    assert "replaces the existing bank" in again.text or "替换现有题库" in again.text


def test_a_gift_file_keeps_its_readable_name_too(client, content_dir, trainer):
    gift = "::存款-1:: 活期存款按季结息。{T}\n".encode()
    page = upload(client, gift, "个人存款（2026 版）.gift.txt")
    assert "courses/products/questions/个人存款-2026-版.md" in page.text


def test_a_name_another_course_has_is_made_distinct_and_the_preview_says_so(client, content_dir, trainer):
    other = content_dir / "courses" / "mortgage"
    (other / "questions").mkdir(parents=True)
    (other / "course.md").write_text("---\nid: mortgage\ntitle: 个人住房贷款\n---\n", encoding="utf-8")
    (other / "questions" / "住房贷款题库.md").write_text("## mtg-001\ntype: truefalse\nanswer: true\n\n房贷须抵押。\n",
                                                   encoding="utf-8")
    page = upload(client, workbook(ROWS), "住房贷款题库.xlsx")
    assert "courses/products/questions/住房贷款题库-products.md" in page.text
    note = page.text.split('id="import-bank-note"')[1].split("</p>")[0]
    assert "mortgage" in note and "住房贷款题库-products" in note
    client.post("/console/import/confirm", data=import_confirm_data(page.text))
    assert (content_dir / "courses/products/questions/住房贷款题库-products.md").is_file()
    assert (other / "questions" / "住房贷款题库.md").read_text(encoding="utf-8").startswith("## mtg-001")


def test_a_bank_imported_under_its_old_hashed_name_is_replaced_by_the_same_file(client, content_dir, trainer):
    from lms.content.importers.bank_names import legacy

    old = upload(client, workbook(ROWS), "住房贷款题库.xlsx", bank=legacy("住房贷款题库.xlsx"))
    client.post("/console/import/confirm", data=import_confirm_data(old.text))
    page = upload(client, workbook(ROWS), "住房贷款题库.xlsx")
    assert f"courses/products/questions/{legacy('住房贷款题库.xlsx')}.md" in page.text
    assert "replaces the existing bank" in page.text or "替换现有题库" in page.text


@pytest.mark.parametrize("filename, name", [
    ("住房贷款题库.xlsx", "住房贷款题库"),
    ("Deposits Bank.gift.txt", "deposits-bank"),
    (r"C:\Users\chen\Desktop\贷款:题库?.xlsx", "贷款-题库"),
    ("../../etc/passwd.txt", "passwd"),
    (".hidden.gift", "hidden"),
    ("CON.xlsx", "con-bank"),
    ("lpt1.txt", "lpt1-bank"),
    ("题库 #1 & 50% 版.xlsx", "题库-1-50-版"),
    ("ＡＢＣ２０２６题库.xlsx", "abc2026题库"),
    ("贷" * 90 + ".xlsx", "贷" * 40),
])
def test_file_names_become_safe_readable_bank_names(filename, name):
    assert readable(filename) == name


def test_a_file_name_of_nothing_readable_still_names_a_bank(client, content_dir, trainer):
    assert readable("###.xlsx").startswith("bank-")
    page = upload(client, workbook(ROWS), "？？？.xlsx")
    assert "courses/products/questions/bank-" in page.text


@pytest.mark.parametrize("bank", ["住房贷款", "deposits_2026"])
def test_a_typed_readable_bank_name_is_accepted(client, content_dir, trainer, bank):
    page = upload(client, workbook(ROWS), "x.xlsx", bank=bank)
    assert f"courses/products/questions/{bank}.md" in page.text and 'name="token"' in page.text


@pytest.mark.parametrize("bank", ["../evil", "Bad Name", "aux", "贷款/题库", ".hidden", "x" * 81])
def test_a_typed_unsafe_bank_name_is_refused_with_the_field(client, content_dir, trainer, bank):
    before = sorted((content_dir / "courses").rglob("*"))
    page = upload(client, workbook(ROWS), "x.xlsx", bank=bank)
    assert 'name="token"' not in page.text
    assert "A bank name is lower-case letters" in page.text or "题库名" in page.text or "device" in page.text \
        or "设备" in page.text
    assert sorted((content_dir / "courses").rglob("*")) == before
