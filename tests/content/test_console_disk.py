"""The content folder on a disk that is full, and folders holding what a
trainer's checkout should not: publishing writes nothing half and says why;
the editor's lists never read through a link or wait on a pipe."""
from __future__ import annotations

import errno
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.content.console import editor
from lms.content.console.upload import review as uploads
from lms.content.models import ContentRelease
from lms.extensions import db
from tests.content.console_samples import DEPOSITS_MD, content_dir, review_for_publish, trainer  # noqa: F401
from tests.content.test_console_upload import _course_files, _snapshot, _upload, _zip

LESSON = "courses/products/lessons/01-deposits.md"


def _releases():
    return db.session.scalar(select(func.count()).select_from(ContentRelease))


@pytest.fixture
def full_disk(monkeypatch):
    """Every file the editor writes stops half-way with ENOSPC."""
    real_fdopen = os.fdopen

    class HalfWritten:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)
        return HalfWritten(fh) if "w" in mode else fh

    monkeypatch.setattr(editor.os, "fdopen", fdopen)


def test_an_edit_published_onto_a_full_disk_says_so_and_leaves_the_file_whole(client, content_dir, trainer,
                                                                                 full_disk):
    text = DEPOSITS_MD.replace("minutes: 20", "minutes: 25")
    data = {"path": LESSON, "text": text, "base_hash": editor.text_hash((content_dir / LESSON).read_bytes())}
    review_for_publish(client, data)
    response = client.post("/console/publish", data=data)
    assert response.status_code == 409
    assert "服务器磁盘已满" in response.text and "未发布任何内容" in response.text and LESSON in response.text
    assert (content_dir / LESSON).read_text(encoding="utf-8") == DEPOSITS_MD
    assert not [p for p in (content_dir / LESSON).parent.iterdir() if p.name.startswith(".edit-")]
    assert _releases() == 1


def test_an_upload_confirmed_onto_a_full_disk_says_so_and_keeps_the_old_folder(client, content_dir, trainer,
                                                                                 monkeypatch, app, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    before = _snapshot(content_dir)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"',
                      _upload(client, _zip(_course_files())).text).group(1)

    def copy_half(src, dst, **kwargs):
        Path(dst).mkdir(parents=True)
        shutil.copyfile(Path(src) / "course.md", Path(dst) / "course.md")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(uploads.shutil, "copytree", copy_half)
    response = client.post("/console/upload/confirm", data={"token": token})
    assert response.status_code == 409
    assert "服务器磁盘已满" in response.text and "未发布任何内容" in response.text and "courses/products" in response.text
    assert _snapshot(content_dir) == before and _releases() == 1


def test_the_course_list_never_takes_a_linked_course_folder_or_course_md(app, content_dir, trainer):
    courses = content_dir / "courses"
    os.symlink(courses / "products", courses / "a-copy")  # sorts before the real folder
    (courses / "b-linked").mkdir()
    os.symlink(courses / "products" / "course.md", courses / "b-linked" / "course.md")
    with app.test_request_context():
        assert editor.course_folders()["products"] == "courses/products"
        assert set(editor.course_folders().values()) <= {f"courses/{p.name}" for p in courses.iterdir()
                                                        if not p.is_symlink() and p.name != "b-linked"}


def test_a_pipe_or_a_link_among_the_lessons_is_not_read_by_the_course_page(app, content_dir, trainer, tmp_path):
    lessons = content_dir / "courses/products/lessons"
    pipe = lessons / "03-pipe.md"
    os.mkfifo(pipe)
    outside = tmp_path / "secret.md"
    outside.write_text("---\nid: stolen-id\n---\n", encoding="utf-8")
    os.symlink(outside, lessons / "04-link.md")
    found = {}

    def list_files():
        with app.test_request_context():
            found["files"] = editor.course_files("products")

    reader = threading.Thread(target=list_files, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # the old code waits on the pipe: let it go before failing
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)
        pytest.fail("listing the course's files waited on a named pipe")
    assert "stolen-id" not in found["files"].lessons
    assert "courses/products/lessons/01-deposits.md" in found["files"].lessons.values()
