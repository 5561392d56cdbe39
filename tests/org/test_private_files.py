"""Files the commands write for their operator alone (initial passwords, a
bank with its answer keys): never through a link, a pipe or someone else's
file, readable by the owner only from the first byte, never half-written."""
from __future__ import annotations

import errno
import os
import stat

import pytest

from lms import private_files
from lms.org.models import User
from tests.content.console_samples import content_dir  # noqa: F401
from tests.org.test_import import HEADER

NEW_PERSON = HEADER + "E3001,黎思远,天元支行,柜员,2025-07-01,学员\n"


@pytest.fixture
def people_csv(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(NEW_PERSON, encoding="utf-8")
    return path


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _imported() -> bool:
    return User.query.filter_by(employee_no="E3001").first() is not None


@pytest.mark.parametrize("make", ["symlink", "hardlink", "fifo"])
def test_a_passwords_path_that_is_a_link_or_a_pipe_is_refused_before_anyone_is_imported(
        app, runner, org, clock, tmp_path, people_csv, make):
    victim = tmp_path / "victim.txt"
    victim.write_text("kept\n", encoding="utf-8")
    target = tmp_path / "passwords.csv"
    if make == "symlink":
        os.symlink(victim, target)
    elif make == "hardlink":
        os.link(victim, target)
    else:
        os.mkfifo(target)
        listener = os.open(target, os.O_RDONLY | os.O_NONBLOCK)  # someone reading whatever goes in
    result = runner.invoke(args=["people", "import", "--passwords", str(target), str(people_csv)])
    if make == "fifo":
        try:
            sent = os.read(listener, 4096)
        except BlockingIOError:
            sent = b""
        assert sent == b""  # nothing was sent down the pipe
        os.close(listener)
    assert result.exit_code == 1
    assert f"--passwords {target}:" in result.output and "Nothing imported." in result.output
    assert victim.read_text(encoding="utf-8") == "kept\n"
    assert not _imported()


def test_the_passwords_file_is_the_owners_alone_from_its_first_byte(app, runner, org, clock, tmp_path, people_csv,
                                                                    umask_022, monkeypatch):
    target = tmp_path / "passwords.csv"
    modes = []
    real_write = os.write

    def write(fd, data):
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    monkeypatch.setattr(private_files.os, "write", write)
    result = runner.invoke(args=["people", "import", "--passwords", str(target), str(people_csv)])
    assert result.exit_code == 0 and f"Initial passwords written to {target}." in result.output
    assert modes and set(modes) == {0o600}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and "E3001" in target.read_text(encoding="utf-8-sig")


def test_a_full_disk_while_writing_the_passwords_shows_them_and_leaves_no_half_file(
        app, runner, org, clock, tmp_path, people_csv, monkeypatch):
    target = tmp_path / "passwords.csv"

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(private_files.os, "write", full)
    result = runner.invoke(args=["people", "import", "--passwords", str(target), str(people_csv)])
    assert _imported()
    assert "No space left on device" in result.output and "the file was removed" in result.output
    assert "Initial passwords (shown once):" in result.output and "E3001" in result.output
    assert not target.exists()


def test_an_exported_bank_with_its_keys_is_the_owners_alone_and_never_written_through_a_link(
        runner, content_dir, tmp_path, umask_022):
    out = tmp_path / "export.xlsx"
    result = runner.invoke(args=["content", "export-xlsx", "--course", "products", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    victim = tmp_path / "victim.txt"
    victim.write_text("kept\n", encoding="utf-8")
    linked = tmp_path / "linked.xlsx"
    os.symlink(victim, linked)
    result = runner.invoke(args=["content", "export-xlsx", "--course", "products", "-o", str(linked)])
    assert result.exit_code != 0 and f"{linked} is a symbolic link" in result.output
    assert victim.read_text(encoding="utf-8") == "kept\n"


def test_an_upload_meeting_a_full_disk_is_not_kept_and_the_page_says_so(app, client, org, clock, tmp_path,
                                                                        monkeypatch):
    from lms import staging
    from tests.conftest import sign_in
    from tests.org.test_import import _upload

    app.instance_path = str(tmp_path / "instance")
    real_write = staging._write

    def half_then_full(path, data):
        real_write(path, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(staging, "_write", half_then_full)
    sign_in(client, org.hr)
    response = _upload(client, NEW_PERSON.encode("utf-8"))
    assert response.status_code == 507
    assert "服务器磁盘已满" in response.text and "没有保存或更改任何内容" in response.text
    assert list((tmp_path / "instance" / "people-imports").iterdir()) == []
    assert not _imported()
