"""The import page as a trainer uses it: upload → preview (questions with
keys, or every problem; nothing changes) → confirm → bank file written and
published; downloads; the command line."""
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.content.importers.examples import example_questions
from lms.content.importers.xlsx_export import export_xlsx
from lms.content.models import Question
from lms.extensions import db
from tests.content.console_samples import content_dir, import_confirm_data, trainer  # noqa: F401  (fixtures)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GIFT = (EXAMPLES / "rm-banking.gift.txt").read_bytes()
BANK = "courses/products/questions/rm-banking.md"


def upload(client, data: bytes, name: str, bank: str = "", course: str = "products"):
    return client.post("/console/import/", data={"course": course, "bank": bank, "upload": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def question_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def test_the_page_offers_the_courses_and_the_downloads(client, content_dir, trainer):
    page = client.get("/console/import/")
    assert page.status_code == 200
    assert 'value="products"' in page.text
    for url in ("/console/import/template.xlsx", "/console/import/example.xlsx", "/console/import/example.gift.txt",
                "/console/import/export/products.xlsx"):
        assert url in page.text


def test_gift_preview_shows_questions_with_keys_and_changes_nothing(client, content_dir, trainer):
    before = question_count()
    page = upload(client, GIFT, "rm-banking.gift.txt")
    assert page.status_code == 200
    assert "gift-dep-001" in page.text and "5 万元" in page.text
    assert 'class="correct"' in page.text  # the key is shown to the trainer
    assert BANK in page.text
    assert not (content_dir / BANK).exists()
    assert question_count() == before


def test_confirm_writes_the_bank_file_and_publishes_it(client, content_dir, trainer):
    before = question_count()
    sent = import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text)
    done = client.post("/console/import/confirm", data=sent)
    assert done.status_code == 302 and done.location.endswith("/console/courses/products")
    page = client.get(done.location)
    assert "8 questions added" in page.text or "新增 8 道题" in page.text
    text = (content_dir / BANK).read_text(encoding="utf-8")
    # The file's note is in the trainer's language (it was English whatever the language).
    assert text.startswith("<!-- 由 rm-banking.gift.txt 导入。可直接编辑本文件，或导入该文件的新版本来替换它。 -->")
    assert "## gift-dep-001" in text
    assert question_count() == before + 8
    published = db.session.scalar(select(Question).where(Question.slug == "gift-dep-003"))
    assert published.current_version.data == {"blanks": [["50 元", "50元", "五十元"]]}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.imported"))
    assert event is not None and event.object_id == BANK and "rm-banking.gift.txt" in event.details
    # The same token cannot publish twice.
    again = client.post("/console/import/confirm", data=sent)
    assert again.status_code == 200 and "expired" in again.text or "过期" in again.text


def test_importing_the_same_file_again_changes_nothing(client, content_dir, trainer):
    client.post("/console/import/confirm", data=import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text))
    page = upload(client, GIFT, "rm-banking.gift.txt")
    assert "replaces the existing bank" in page.text or "替换现有题库" in page.text
    client.post("/console/import/confirm", data=import_confirm_data(page.text))
    page = client.get("/console/import/")
    assert "0 questions added, 0 changed, 0 retired, 8 unchanged" in page.text or "8 道未变" in page.text


def test_a_bad_gift_file_shows_every_problem_with_its_line_and_changes_nothing(client, content_dir, trainer):
    before = question_count()
    bad = "甲？{T}\n\n配对。{=a -> b =c -> d}\n\n乙？{=一 ~二\n".encode()
    page = upload(client, bad, "bad.gift.txt")
    assert page.status_code == 200
    assert "import-problems" in page.text
    assert ("Line 3" in page.text or "第 3 行" in page.text) and ("Line 5" in page.text or "第 5 行" in page.text)
    assert 'name="token"' not in page.text
    assert not (content_dir / "courses/products/questions/bad.md").exists()
    assert question_count() == before


def test_a_bad_spreadsheet_names_row_and_column_and_changes_nothing(client, content_dir, trainer):
    from tests.content.test_xlsx import workbook

    data = workbook([{"题型": "单选", "题干": "甲？", "选项A": "一", "选项B": "二", "答案": "AB"}])
    page = upload(client, data, "bank.xlsx", bank="loans")
    assert "J2" in page.text
    assert not (content_dir / "courses/products/questions/loans.md").exists()


def test_ids_already_used_by_another_bank_are_named_with_the_file_row(client, content_dir, trainer):
    from tests.content.test_xlsx import workbook

    data = workbook([{"编号": "dep-001", "题型": "判断", "题干": "重复的编号", "答案": "对"}])
    page = upload(client, data, "dup.xlsx", bank="dup")
    assert "import-problems" in page.text
    assert "dep-001" in page.text and ("line or row 2" in page.text or "第 2 行" in page.text)
    assert not (content_dir / "courses/products/questions/dup.md").exists()


def test_excel_import_including_cases(client, content_dir, trainer):
    data = export_xlsx(example_questions())
    page = upload(client, data, "题库示例.xlsx")
    # A Chinese file name names the bank as it is (another file never replaces it).
    assert "courses/products/questions/题库示例.md" in page.text
    client.post("/console/import/confirm", data=import_confirm_data(page.text))
    case = db.session.scalar(select(Question).where(Question.slug == "ex-case-001"))
    assert case.current_version.type == "case" and len(case.current_version.data["parts"]) == 3


def test_a_bank_changed_between_preview_and_confirm_is_refused(client, content_dir, trainer):
    sent = import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text)
    (content_dir / BANK).write_text("## other-001\ntype: truefalse\nanswer: true\n\n别人刚写的题。\n", encoding="utf-8")
    page = client.post("/console/import/confirm", data=sent)
    assert page.status_code == 409  # and the preview of now (tests/content/test_import_reviewed.py)
    assert "changed by someone else" in page.text or "被他人修改" in page.text
    assert "别人刚写的题" in (content_dir / BANK).read_text(encoding="utf-8")


def test_another_trainers_preview_cannot_be_confirmed(client, content_dir, trainer, make_user, login):
    sent = import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text)
    login(make_user(("trainer",), employee_no="trainer-2"))
    page = client.post("/console/import/confirm", data=sent)
    assert page.status_code == 200
    assert not (content_dir / BANK).exists()


def test_downloads(client, content_dir, trainer):
    template = client.get("/console/import/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(template.data)).sheetnames == ["题库", "案例题", "填写说明"]
    example = client.get("/console/import/example.xlsx")
    assert load_workbook(io.BytesIO(example.data))["题库"]["A2"].value == "ex-dep-001"
    gift = client.get("/console/import/example.gift.txt")
    assert gift.data == GIFT
    export = client.get("/console/import/export/products.xlsx")
    sheet = load_workbook(io.BytesIO(export.data))["题库"]
    assert [sheet["A2"].value, sheet["J2"].value] == ["dep-001", "B"]
    assert client.get("/console/import/export/no-such-course.xlsx").status_code == 404


def test_export_of_one_bank(client, content_dir, trainer):
    client.post("/console/import/confirm", data=import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text))
    whole = load_workbook(io.BytesIO(client.get("/console/import/export/products.xlsx").data))["题库"]
    one = load_workbook(io.BytesIO(client.get("/console/import/export/products.xlsx?bank=rm-banking").data))["题库"]
    ids = [row[0].value for row in one.iter_rows(min_row=2)]
    assert ids and all(i.startswith("gift-") for i in ids)
    assert whole.max_row == one.max_row + 2  # dep-001 and dep-002 of the sample bank


def test_learners_cannot_import(client, content_dir, make_user, login):
    login(make_user(("learner",)))
    assert client.get("/console/import/").status_code == 403
    assert upload(client, GIFT, "rm-banking.gift.txt").status_code == 403


# --- the command line ---------------------------------------------------------------------

def test_cli_import_gift_and_export(runner, content_dir, tmp_path):
    gift = tmp_path / "rm-banking.gift.txt"
    gift.write_bytes(GIFT)
    result = runner.invoke(args=["content", "import-gift", str(gift), "--course", "products"])
    assert result.exit_code == 0, result.output
    assert "新增 8 道题" in result.output
    assert (content_dir / BANK).is_file()
    out = tmp_path / "export.xlsx"
    result = runner.invoke(args=["content", "export-xlsx", "--course", "products", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ids = [row[0].value for row in load_workbook(out)["题库"].iter_rows(min_row=2)]
    assert "dep-001" in ids and "gift-dep-001" in ids


def test_cli_import_refuses_a_bad_file_with_its_lines(runner, content_dir, tmp_path):
    bad = tmp_path / "bad.gift.txt"
    bad.write_text("甲？{T}\n乙？{F}\n", encoding="utf-8")
    result = runner.invoke(args=["content", "import-gift", str(bad), "--course", "products"])
    assert result.exit_code == 1
    assert "第 2 行" in result.output or "Line 2" in result.output
    assert not (content_dir / "courses/products/questions/bad.md").exists()


def test_cli_import_xlsx(runner, content_dir, tmp_path):
    book = tmp_path / "example.xlsx"
    book.write_bytes(export_xlsx(example_questions()))
    result = runner.invoke(args=["content", "import-xlsx", str(book), "--course", "products", "--bank", "examples"])
    assert result.exit_code == 0, result.output
    assert (content_dir / "courses/products/questions/examples.md").is_file()


@pytest.mark.parametrize("bank", ["../evil", "Bad Name"])
def test_a_bank_name_outside_the_rules_is_refused(client, content_dir, trainer, bank):
    page = upload(client, GIFT, "rm-banking.gift.txt", bank=bank)
    assert 'name="token"' not in page.text
    assert not any(p.name.startswith("evil") for p in (content_dir / "courses").rglob("*"))


def test_default_bank_names():
    from lms.content.importers.bank_names import readable

    assert readable("Deposits Bank.gift.txt") == "deposits-bank"
    assert readable("存款题库.xlsx") == "存款题库"
    assert readable("存款题库.xlsx") == readable("存款题库.xlsx") != readable("贷款题库.xlsx")


def test_a_bank_exported_to_excel_imports_back_unchanged(client, content_dir, trainer):
    client.post("/console/import/confirm", data=import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text))
    exported = client.get("/console/import/export/products.xlsx?bank=rm-banking").data
    page = upload(client, exported, "products-questions.xlsx", bank="rm-banking")
    assert "replaces the existing bank" in page.text or "替换现有题库" in page.text
    done = client.post("/console/import/confirm", data=import_confirm_data(page.text))
    flash = client.get(done.location).text
    assert "0 questions added, 0 changed, 0 retired, 8 unchanged" in flash or "新增 0 道题，修改 0 道，停用 0 道，8 道未变" in flash


def test_problems_of_other_files_of_the_course_are_named_by_file_and_line(client, content_dir, trainer):
    (content_dir / "courses/products/questions/broken.md").write_text("## dep-009\ntype: single\n\n题干\n",
                                                                       encoding="utf-8")
    page = upload(client, GIFT, "rm-banking.gift.txt")
    assert "courses/products/questions/broken.md:1" in page.text
    assert 'name="token"' not in page.text


def test_a_bank_with_a_long_name_is_imported_and_audited_on_every_database(client, content_dir, trainer):
    """The bank's name may have 80 characters, so its path ("courses/products/questions/<name>.md")
    more than the audit log's 64-character object column: PostgreSQL refused the audit row, the
    trainer got a server error, and the bank file was on disk though nothing was published."""
    name = "deposit-products-for-relationship-managers-2026-q1-" + "x" * 29
    assert len(name) == 80
    sent = import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt", bank=name).text)
    done = client.post("/console/import/confirm", data=sent)
    assert done.status_code == 302
    path = f"courses/products/questions/{name}.md"
    assert (content_dir / path).exists()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.imported"))
    assert event.details_dict["object_id"] == path and len(event.object_id) <= 64
    from lms.audit.labels import describe

    assert path in describe(event).sentence  # the audit log names the whole bank
