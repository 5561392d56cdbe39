"""A trainer's content holds no text-direction control (U+202A–U+202E,
U+2066–U+2069): a lesson or a bank typed, uploaded or imported with one is
refused, the trainer told where — file, line and column; the row of an
imported workbook — since an editor shows nothing there. Nothing changes."""
from __future__ import annotations

from tests.content.console_samples import BANK_MD, DEPOSITS_MD, content_dir, trainer  # noqa: F401  (fixtures)
from tests.content.test_console_upload import _course_files, _releases, _snapshot, _upload, _zip
from tests.content.test_import_views import question_count, upload


def test_an_uploaded_lesson_with_a_right_to_left_override_is_refused_at_its_line(client, content_dir, trainer):
    before = _snapshot(content_dir)
    lesson = DEPOSITS_MD.replace("整存整取 50 元起存。", "整存整取 \u202e元 05 起存。")
    response = _upload(client, _zip(_course_files(**{"products/lessons/01-deposits.md": lesson})))
    assert response.status_code == 422
    assert "lessons/01-deposits.md:9:6" in response.text
    assert "U+202E" in response.text
    assert 'name="token"' not in response.text
    assert _snapshot(content_dir) == before and _releases() == 1


def test_an_answer_option_with_an_isolate_is_refused(client, content_dir, trainer):
    bank = BANK_MD.replace("- [x] 5 万元", "- [x] 5 万元\u2067 10\u2069")
    response = _upload(client, _zip(_course_files(**{"products/questions/deposits.md": bank})))
    assert response.status_code == 422
    assert "questions/deposits.md:" in response.text and "U+2067" in response.text


def test_an_imported_spreadsheet_names_the_question_and_row(client, content_dir, trainer):
    from tests.content.test_xlsx import workbook

    before = question_count()
    data = workbook([{"题型": "判断", "题干": "大额存单 20 万元起存\u202e。误错", "答案": "对"}])
    page = upload(client, data, "bank.xlsx", bank="rtl")
    assert "import-problems" in page.text
    assert "U+202E" in page.text and ("line or row 2" in page.text or "第 2 行" in page.text)
    assert 'name="token"' not in page.text
    assert not (content_dir / "courses/products/questions/rtl.md").exists()
    assert question_count() == before


def test_an_imported_gift_file_is_refused(client, content_dir, trainer):
    gift = "::rtl-001::个人通知存款的最低起存金额？{=5 万元 ~1\u202d0 万元}\n".encode()
    page = upload(client, gift, "rtl.gift.txt", bank="rtl")
    assert "import-problems" in page.text and "U+202D" in page.text
    assert not (content_dir / "courses/products/questions/rtl.md").exists()


def test_arabic_letters_and_emoji_in_a_lesson_are_content(client, content_dir, trainer):
    lesson = DEPOSITS_MD.replace("整存整取 50 元起存。",
                                 "迪拜客户问候 مرحبا 👨\u200d👩\u200d👧")
    response = _upload(client, _zip(_course_files(**{"products/lessons/01-deposits.md": lesson})))
    assert response.status_code == 200 and 'name="token"' in response.text
