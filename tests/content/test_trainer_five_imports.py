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
