"""A fifth trainer's own files through the console's import: a GIFT file saved
as "ANSI" (GBK) on a Chinese Windows PC, and Excel banks whose header takes two
rows (a title, then a merged group header 选项 over A/B/C/D)."""
import io

from openpyxl import Workbook

from lms.content.importers.xlsx import read_xlsx
from tests.content.console_samples import content_dir, trainer  # noqa: F401  (fixtures)
from tests.content.test_import_views import upload

GIFT_TEXT = ("// 存款题（记事本另存为 ANSI）\r\n"
             "::gbk-001::个人通知存款的最低起存金额是多少？{\r\n  ~1 万元\r\n  =5 万元\r\n  ~10 万元\r\n}\r\n")


def test_a_gift_file_saved_as_gbk_is_read_as_its_words(client, content_dir, trainer):
    page = upload(client, GIFT_TEXT.encode("gbk"), "存款题.txt")
    assert page.status_code == 200, page.text
    assert "个人通知存款的最低起存金额是多少？" in page.text and "5 万元" in page.text
    assert "不是 UTF-8" not in page.text and "import-problems" not in page.text


def test_a_gift_file_saved_as_unicode_is_read_too(client, content_dir, trainer):
    page = upload(client, b"\xff\xfe" + GIFT_TEXT.encode("utf-16-le"), "存款题.txt")
    assert page.status_code == 200, page.text
    assert "个人通知存款的最低起存金额是多少？" in page.text


def test_a_gift_file_that_is_no_text_names_its_line(client, content_dir, trainer):
    data = GIFT_TEXT.encode("utf-8") + "::x::注：".encode("utf-8") + "征信".encode("gbk") + b"{TRUE}\r\n"
    page = upload(client, data, "存款题.txt")
    assert "第 7 行：从这一行起，文件既不是 UTF-8 也不是 GBK 文本" in page.text
    assert "征信" not in page.text  # nothing of the file is shown as questions


# --- Excel: a header of two rows ---------------------------------------------------------

TOP = ["编号", "题型", "题干", "选项", None, None, None, "答案", "解析", "分值", "难度", "知识点"]


def grouped_workbook(sub, rows, *, title="对公存款题库（2026 版）", hide=None) -> bytes:
    """A title row merged across the sheet, then the headers: 选项 merged over
    four cells with A/B/C/D (``sub``) below it, every other header merged over both rows."""
    wb = Workbook()
    sheet = wb.active
    sheet.title = "题库"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TOP))
    sheet.append(TOP)
    sheet.append([None, None, None, *sub, None, None, None, None, None])
    sheet.merge_cells("D2:G2")
    for column in "ABCHIJKL":
        sheet.merge_cells(f"{column}2:{column}3")
    for row in rows:
        sheet.append(row)
    if hide:
        sheet.column_dimensions[hide].hidden = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ROWS = [
    ["dep-001", "单选", "单位定期存款的起存金额是多少？", "1 万元", "5 万元", "10 万元", None, "A", "起存 1 万元。", 2, "易",
     "单位存款"],
    [None, "多选", "单位结算账户包括：", "基本存款账户", "一般存款账户", "专用存款账户", "临时存款账户", "ABCD"],
]


def test_a_merged_group_header_over_option_letters_is_read(app):
    result = read_xlsx(grouped_workbook(["A", "B", "C", "D"], ROWS), "对公存款题库.xlsx")
    assert result.problems == []
    first, second = result.questions
    assert first.id == "dep-001" and first.points == 2 and first.data["correct"] == ["A"]
    assert [o["text"] for o in first.data["options"]] == ["1 万元", "5 万元", "10 万元"]
    assert second.data["correct"] == ["A", "B", "C", "D"] and second.source.line == 5  # the row Excel shows


def test_option_labels_written_in_full_under_the_group_are_read_too(app):
    result = read_xlsx(grouped_workbook(["选项A", "选项B", "选项C", "选项D"], ROWS), "b.xlsx")
    assert result.problems == [] and len(result.questions) == 2


def test_a_label_under_the_group_that_is_no_option_letter_is_named_by_its_cell(app):
    result = read_xlsx(grouped_workbook(["甲", "乙", "丙", "丁"], ROWS), "b.xlsx")
    assert result.questions == []
    assert [p.message for p in result.problems] == [
        f"第 3 行 选项 列 ({cell}3)：“选项”下方的小标题应为选项字母 A、B、C、D、E、F（现为“{label}”）：请改为 {letter}，"
        "或把表头改成一行（选项A、选项B……）" for cell, label, letter in zip("DEFG", "甲乙丙丁", "ABCD")]


def test_a_hidden_column_under_a_two_row_header_is_named_at_the_header_not_the_title(app):
    result = read_xlsx(grouped_workbook(["A", "B", "C", "D"], ROWS, hide="I"), "b.xlsx")
    assert result.questions == []
    assert [p.message for p in result.problems] == [
        "第 2 行 解析 列 (I2)：此列在 Excel 中是隐藏的，但会被导入：请取消隐藏并核对后重新上传文件。"]
