"""The one helper that keeps an upload under a token between preview and confirmation."""
from __future__ import annotations

import json
import os
import time

import pytest
from flask import Flask

from lms.staging import StagingArea


@pytest.fixture
def area(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        yield StagingArea("uploads", hours=2)


def test_staged_bytes_and_meta_come_back_under_the_token(area):
    token, folder = area.stage({"user_id": 7, "filename": "人员.csv"}, b"data")
    assert len(token) == 32 and folder == area.root() / token
    staged = area.open(token)
    assert staged.data == b"data" and staged.meta == {"user_id": 7, "filename": "人员.csv"}
    assert oct(os.stat(folder / "upload").st_mode & 0o777) == "0o600"
    area.discard(token)
    assert area.open(token) is None and not folder.exists()


def test_a_staging_without_meta_yet_is_not_open(area):
    token, folder = area.stage()
    (folder / "unpacked").mkdir()
    assert area.folder(token) == folder and area.open(token) is None
    area.write_meta(token, {"ok": True})
    assert area.open(token).meta == {"ok": True} and area.open(token).data is None


@pytest.mark.parametrize("token", ["", None, "../instance", "a" * 15, "a" * 65, "abc/def" * 4, "a b" * 8,
                                   "." * 20, "令牌" * 10])
def test_bad_tokens_find_nothing_and_remove_nothing(area, token):
    real, folder = area.stage({"x": 1}, b"kept")
    outside = area.root().parent / "outside"
    outside.mkdir()
    assert area.folder(token) is None and area.open(token) is None
    area.discard(token)
    assert area.open(real).data == b"kept" and outside.is_dir()


def test_an_unknown_well_formed_token_finds_nothing(area):
    area.stage({"x": 1}, b"kept")
    assert area.open("A" * 32) is None
    area.discard("A" * 32)  # nothing to do, no error


def test_old_stagings_are_swept_when_a_new_one_is_made(area):
    old, old_folder = area.stage({"x": 1}, b"old")
    fresh, _folder = area.stage({"x": 2}, b"fresh")
    three_hours_ago = time.time() - 3 * 3600
    os.utime(old_folder, (three_hours_ago, three_hours_ago))
    stray = area.root() / "stray-file"
    stray.write_bytes(b"left behind")
    os.utime(stray, (three_hours_ago, three_hours_ago))
    newest, _ = area.stage({"x": 3}, b"new")
    assert area.open(old) is None and not old_folder.exists() and not stray.exists()
    assert area.open(fresh).data == b"fresh" and area.open(newest).data == b"new"


def test_a_symlinked_staging_folder_is_not_followed(area, tmp_path):
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "meta.json").write_text(json.dumps({"user_id": 7}), encoding="utf-8")
    (secret / "upload").write_bytes(b"not yours")
    planted = area.root() / ("L" * 32)
    planted.symlink_to(secret, target_is_directory=True)
    assert area.folder("L" * 32) is None and area.open("L" * 32) is None
    area.discard("L" * 32)
    assert (secret / "upload").read_bytes() == b"not yours"


def test_symlinked_files_inside_a_staging_are_not_read(area, tmp_path):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"not yours")
    token, folder = area.stage({"user_id": 7}, b"mine")
    (folder / "upload").unlink()
    (folder / "upload").symlink_to(secret)
    assert area.open(token) is None
    other, other_folder = area.stage(None, b"mine")
    (other_folder / "meta.json").symlink_to(secret)
    assert area.open(other) is None


def test_sweeping_removes_an_old_link_but_not_what_it_points_to(area, tmp_path):
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "keep.txt").write_text("keep", encoding="utf-8")
    planted = area.root() / ("L" * 32)
    planted.symlink_to(secret, target_is_directory=True)
    long_ago = time.time() - 3 * 3600
    os.utime(planted, (long_ago, long_ago), follow_symlinks=False)
    area.stage({"x": 1})
    assert not os.path.lexists(planted) and (secret / "keep.txt").read_text(encoding="utf-8") == "keep"
