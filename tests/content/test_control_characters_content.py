"""A trainer's content holds no NUL or other control character (tab and line
breaks aside): a question bank exported by another system, a GIFT file cut
off, a lesson saved by a program. Before, the check passed; SQLite published
the NUL into the learners' exam page and PostgreSQL refused the publish after
the preview had said it was ready. Now it is refused where it stands — file,
line and column, or the imported question and row — and nothing changes."""
from __future__ import annotations

from tests.content.console_samples import BANK_MD, DEPOSITS_MD, content_dir, trainer  # noqa: F401  (fixtures)
from tests.content.test_console_upload import _course_files, _releases, _snapshot, _upload, _zip
from tests.content.test_import_views import question_count, upload


def test_an_imported_gift_file_with_a_nul_is_refused_naming_the_question(client, content_dir, trainer):
    before = question_count()
    page = upload(client, "::nul-001:: 个人\x00通知存款的最低起存金额？{=5 万元 ~1 万元}\n".encode(), "zero.gift.txt",
                  bank="zero")
    assert "import-problems" in page.text and "nul-001" in page.text and "控制字符 (U+0000)" in page.text
    assert 'name="token"' not in page.text and "\x00" not in page.text
    assert not (content_dir / "courses/products/questions/zero.md").exists()
    assert question_count() == before


def test_an_uploaded_lesson_with_a_control_character_is_refused_at_its_line(client, content_dir, trainer):
    before = _snapshot(content_dir)
    lesson = DEPOSITS_MD.replace("整存整取 50 元起存。", "整存整取 50\x0b元起存。")
    response = _upload(client, _zip(_course_files(**{"products/lessons/01-deposits.md": lesson})))
    assert response.status_code == 422
    assert "lessons/01-deposits.md:9:8" in response.text and "U+000B" in response.text
    assert 'name="token"' not in response.text
    assert _snapshot(content_dir) == before and _releases() == 1


def test_the_command_line_check_names_the_file_line_and_column(runner, content_dir):
    bank = content_dir / "courses/products/questions/deposits.md"
    bank.write_text(BANK_MD.replace("- [x] 5 万元", "- [x] 5\x00 万元"), encoding="utf-8")
    checked = runner.invoke(args=["content", "check"])
    assert checked.exit_code == 1
    assert "questions/deposits.md:" in checked.output and "U+0000" in checked.output
