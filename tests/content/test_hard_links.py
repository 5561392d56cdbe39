"""A hard link in the content folder is a second name of a file that may live
anywhere on the same disk (``/etc/passwd``, the instance's keys): it is refused
with its path on every way content files are read (check, publish of all, of one
course or one file, the editor's preview, a question import), and never read. A
named pipe never holds the reader."""
from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import func, select

from lms.content.models import Asset
from lms.extensions import db
from tests.content.console_samples import content_dir, import_confirm_data, trainer  # noqa: F401  (fixtures)
from tests.content.sample_folder import edit
from tests.content.test_content_files import LESSON, problems_of, releases, secret
from tests.content.test_xlsx import workbook

pytestmark = pytest.mark.usefixtures("english")

IMAGE = "courses/products/images/key.png"


def hard_link(tmp_path, folder, rel: str = IMAGE) -> None:
    """The secret outside, hard-linked into the course as an image the lesson shows."""
    os.link(secret(tmp_path), folder / rel)
    edit(folder, LESSON, "[产品说明书](attachments/manual.pdf)", "[产品说明书](attachments/manual.pdf) ![k](images/key.png)")


def assert_no_secret_stored():
    assert releases() == 0
    assert b"TOP-SECRET-KEY" not in b"".join(db.session.scalars(select(Asset.data)))


def test_check_names_every_hard_link_as_one(folder, tmp_path, runner):
    hard_link(tmp_path, folder)
    os.link(folder / "exams/week-01.yaml", tmp_path / "outside" / "week-01.yaml")
    found = {p.source.path: p.message for p in problems_of(folder)}
    for path in (IMAGE, "exams/week-01.yaml"):
        assert "a hard link (the file has 2 names" in found[path], (path, found)
        assert "symbolic link" not in found[path]
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert f"{IMAGE}: a hard link" in result.output
    db.session.rollback()
    os.link(folder / "courses/products/course.md", tmp_path / "outside" / "course.md")
    found = {p.source.path: p.message for p in problems_of(folder)}
    assert "a hard link (the file has 2 names" in found["courses/products/course.md"], found


@pytest.mark.parametrize("path", [None, "courses/products", "courses/products/images", IMAGE,
                                  "courses/products/lessons/01-deposits.md"])
def test_publish_of_everything_one_course_or_one_file_reads_no_hard_link(folder, tmp_path, runner, path):
    hard_link(tmp_path, folder)
    if path == "courses/products/lessons/01-deposits.md":  # the file named is the hard link itself
        os.link(folder / path, tmp_path / "outside" / "lesson.md")
    result = runner.invoke(args=["content", "publish"] + ([str(folder / path)] if path else []))
    assert result.exit_code == 1, result.output
    assert "a hard link" in result.output
    assert (path or IMAGE) in result.output or IMAGE in result.output
    assert_no_secret_stored()


def test_a_named_pipe_named_as_the_file_to_publish_does_not_hold_the_command(folder, runner):
    os.mkfifo(folder / "courses/products/images/pipe.png")
    os.mkfifo(folder / "exams/week-09.yaml")
    for path in ("courses/products/images/pipe.png", "exams/week-09.yaml", "exams"):
        result = runner.invoke(args=["content", "publish", str(folder / path)])
        db.session.rollback()
        assert result.exit_code == 1, (path, result.output)
        assert "not a file but a named pipe" in result.output, (path, result.output)
    assert releases() == 0


def test_the_editor_preview_names_a_hard_link_and_a_clean_course_has_none(folder, tmp_path, client, login,
                                                                          make_user):
    login(make_user(roles=("trainer",)))
    original = (folder / LESSON).read_bytes()
    from lms.content.console.editor import text_hash

    clean = client.post("/console/review", data={"path": LESSON, "text": original.decode("utf-8"),
                                                 "base_hash": text_hash(original)})
    assert clean.status_code == 200 and "hard link" not in clean.text  # the staged copy adds no second names
    os.link(secret(tmp_path), folder / IMAGE)
    text = original.decode("utf-8") + "\n![k](images/key.png)\n"
    review = client.post("/console/review", data={"path": LESSON, "text": text, "base_hash": text_hash(original)})
    assert review.status_code == 200
    assert "images/key.png" in review.text and "硬链接" in review.text
    assert "TOP-SECRET-KEY" not in review.text
    assert os.stat(folder / IMAGE).st_nlink == 2  # the preview's copy is gone with it


def test_a_question_import_into_a_course_holding_a_hard_link_publishes_nothing(client, content_dir, trainer,
                                                                               tmp_path):
    os.link(secret(tmp_path), content_dir / "courses/products/images/key.png")
    rows = [{"题型": "判断", "题干": "住房贷款可以不办理抵押登记。", "答案": "错"}]
    page = client.post("/console/import/", data={"course": "products", "bank": "",
                                                  "upload": (io.BytesIO(workbook(rows)), "题库.xlsx")},
                       content_type="multipart/form-data")
    if 'name="token"' in page.text:  # the upload alone was fine: the check runs on confirming
        page = client.post("/console/import/confirm", data=import_confirm_data(page.text))
    assert "images/key.png" in page.text and "硬链接" in page.text
    assert not (content_dir / "courses/products/questions/题库.md").exists()
    assert db.session.scalar(select(func.count()).select_from(Asset).where(Asset.path == "images/key.png")) == 0
