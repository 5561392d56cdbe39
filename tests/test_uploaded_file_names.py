"""An uploaded file's name is whatever the browser sent: the preview's heading
(people and pairing imports, a course zip, a question import) shows its last
path part only, without control, invisible or text-direction characters, at
most 120 characters with its extension kept."""
from __future__ import annotations

import io
import re

import pytest

from lms.control_characters import uploaded_file_name
from tests.content.console_samples import content_dir, trainer  # noqa: F401  (fixtures)
from tests.content.test_console_upload import _course_files, _upload as upload_zip, _zip
from tests.content.test_xlsx import workbook

HOSTILE = "C:\\fakepath\\..\\名单\u202excod\u200b.xlsx"  # a Windows path; shown as 名单xlsx.docx by the override
LONG = "很长的文件名" * 40 + ".csv"


@pytest.mark.parametrize("sent, shown", [
    ("C:\\fakepath\\名单.xlsx", "名单.xlsx"),
    ("../../etc/passwd", "passwd"),
    ("/home/hr/people.csv", "people.csv"),
    ("名单\u202excod.exe", "名单xcod.exe"),  # what it is (.exe), not what the override made it look
    ("a\x7fb\x85c\u2066d\ufeff.csv", "abcd.csv"),
    ("..", "upload"),
    ("\u200b\u202e", "upload"),
    ("", "upload"),
    (None, "upload"),
])
def test_the_name_kept_is_the_last_path_part_without_hidden_characters(sent, shown):
    assert uploaded_file_name(sent) == shown


def test_a_long_name_is_cut_before_its_extension():
    shown = uploaded_file_name(LONG)
    assert len(shown) == 120 and shown.endswith("….csv") and shown.startswith("很长的文件名")


def heading(html: str, tag: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S).group(1)).strip()


def test_the_people_import_preview_heading_shows_the_cleaned_name(client, login, make_user):
    login(make_user(roles=("hr",)))
    page = client.post("/org/people/import", data={"file": (io.BytesIO("工号,姓名\n".encode()), HOSTILE)},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    title = heading(page.text, "h1")
    assert title.endswith("名单xcod.xlsx"), title
    assert "\u202e" not in page.text and "\u200b" not in page.text and "fakepath" not in page.text
    long_page = client.post("/org/people/import", data={"file": (io.BytesIO("工号,姓名\n".encode()), LONG)},
                            content_type="multipart/form-data")
    assert heading(long_page.text, "h1").endswith(uploaded_file_name(LONG))
    assert "很长的文件名" * 30 not in long_page.text


def test_a_course_zip_and_a_question_import_show_the_cleaned_name(client, content_dir, trainer):
    page = upload_zip(client, _zip(_course_files()), "C:\\Users\\陈\\课程\u202eqiz.exe")
    assert "<h2>已检查：课程qiz.exe</h2>" in page.text
    assert "\u202e" not in page.text and "Users" not in page.text
    rows = [{"题型": "判断", "题干": "住房贷款可以不办理抵押登记。", "答案": "错"}]
    page = client.post("/console/import/", data={"course": "products", "bank": "",
                                                  "upload": (io.BytesIO(workbook(rows)), HOSTILE)},
                       content_type="multipart/form-data")
    assert "<h2>已检查：名单xcod.xlsx</h2>" in page.text
    assert "\u202e" not in page.text and "\u200b" not in page.text and "fakepath" not in page.text
