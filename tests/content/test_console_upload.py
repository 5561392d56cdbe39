"""Uploading a zipped course folder: unpacked safely, parsed and checked,
the changes shown; only on confirmation copied into the content folder and
published. Any problem is listed with file:line and nothing changes."""
from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from lms.content.models import ContentRelease, Course, Lesson
from lms.extensions import db
from tests.content.console_samples import (  # noqa: F401  (fixtures)
    BANK_MD, COURSE_MD, DEPOSITS_MD, PNG, content_dir, trainer,
)


def _zip(files: dict[str, bytes | str], *, links=()) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        for name, target in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    buffer.seek(0)
    return buffer


def _course_files(prefix="products/", **changes) -> dict[str, str | bytes]:
    files = {
        f"{prefix}course.md": COURSE_MD,
        f"{prefix}lessons/01-deposits.md": DEPOSITS_MD.replace("minutes: 20", "minutes: 35"),
        f"{prefix}questions/deposits.md": BANK_MD,
        f"{prefix}images/flow.png": PNG,
    }
    files.update(changes)
    return {k: v for k, v in files.items() if v is not None}


def _upload(client, buffer, name="products.zip"):
    return client.post("/console/upload", data={"archive": (buffer, name)}, content_type="multipart/form-data")


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _releases():
    return db.session.scalar(select(func.count()).select_from(ContentRelease))


def _staged_uploads() -> list[Path]:
    folder = Path(current_app.instance_path) / "content-uploads"
    return [p for p in folder.iterdir()] if folder.is_dir() else []


@pytest.fixture(autouse=True)
def _own_instance_dir(app, tmp_path):
    """Staged uploads go under the instance folder: a fresh one per test."""
    app.instance_path = str(tmp_path / "instance")


def test_a_good_upload_is_reviewed_then_published(client, content_dir, trainer):
    before = _snapshot(content_dir)
    # the loans lesson is gone from the upload: it will be retired
    response = _upload(client, _zip(_course_files()))
    assert response.status_code == 200
    page = response.text
    assert "products/deposits" in page and 'class="diff-add">+minutes: 35' in page
    assert "products/loans" in page  # retired
    assert "courses/products" in page
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    assert _snapshot(content_dir) == before and _releases() == 1  # nothing changed yet

    response = client.post("/console/upload/confirm", data={"token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/courses/products")
    assert "minutes: 35" in (content_dir / "courses/products/lessons/01-deposits.md").read_text(encoding="utf-8")
    assert not (content_dir / "courses/products/lessons/02-loans.md").exists()
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 35
    assert db.session.scalar(select(Lesson.retired).where(Lesson.slug == "loans")) is True
    release = db.session.scalar(select(ContentRelease).order_by(ContentRelease.id.desc()))
    assert release.source == "upload:products.zip" and release.actor_id == trainer.id
    assert _staged_uploads() == []
    # the token is spent
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 409


def test_a_new_course_with_course_md_at_the_top(client, content_dir, trainer):
    course_md = COURSE_MD.replace("id: products", "id: credit-basics").replace("对公与对私产品", "信贷基础")
    bank = BANK_MD.replace("dep-00", "crd-00")
    response = _upload(client, _zip(_course_files(prefix="", **{"course.md": course_md,
                                                                  "questions/deposits.md": bank})))
    assert response.status_code == 200
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', response.text).group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert (content_dir / "courses/credit-basics/course.md").is_file()
    assert (content_dir / "courses/products/lessons/02-loans.md").is_file()  # the other course untouched
    assert db.session.scalar(select(Course.title).where(Course.slug == "credit-basics")) == "信贷基础"


@pytest.mark.parametrize("files, links, expected", [
    ({"../evil.md": "x"}, (), "../evil.md"),
    ({"products/../../evil.md": "x"}, (), "products/../../evil.md"),
    ({"/etc/cron.d/evil.md": "x"}, (), "/etc/cron.d/evil.md"),
    ({}, (("products/lessons/02-link.md", "/etc/passwd"),), "products/lessons/02-link.md"),
    ({"products/run.sh": "rm -rf /"}, (), "products/run.sh"),
    ({"products/lessons/page.html": "<script>"}, (), "products/lessons/page.html"),
    # A file, then a folder of the same name (was an unhandled FileExistsError: a 500).
    ({"products/lessons/01-deposits.md/x.md": "y"}, (), "products/lessons/01-deposits.md/x.md"),
    # A carriage return (no download header can carry it) or a right-to-left override
    # ("手册\u202efdp.exe" shows as "手册exe.pdf") in a file name.
    ({"products/attachments/a\rb.pdf": b"%PDF-1.4"}, (), "products/attachments/a\\x0db.pdf"),  # the CR shown, not hidden
    ({"products/attachments/手册\u202eexe.pdf": b"%PDF-1.4"}, (), "products/attachments/手册\u202eexe.pdf"),
    # Two files here, one on a checkout on Windows or macOS, and two names that look the same in every link:
    # the same name in other case, and "café" with a combining accent (a Mac) beside the composed "é".
    ({"products/images/Flow.png": PNG}, (), "products/images/Flow.png"),
    ({"products/images/caf\u00e9.png": PNG, "products/images/cafe\u0301.png": PNG}, (),
     "products/images/cafe\u0301.png"),
])
def test_hostile_archives_are_refused_and_change_nothing(client, content_dir, trainer, files, links, expected):
    before = _snapshot(content_dir)
    response = _upload(client, _zip({**_course_files(), **files}, links=links))
    assert response.status_code == 422
    assert f"<code>{expected}</code>" in response.text
    assert 'name="token"' not in response.text  # nothing to confirm
    assert _snapshot(content_dir) == before and _releases() == 1
    assert _staged_uploads() == []
    assert not (content_dir.parent / "evil.md").exists()


@pytest.mark.parametrize("name, message", [
    ("products/attachments/con.pdf", "“con.pdf”是 Windows 的设备名"),
    ("products/lessons/AUX.md", "“AUX.md”是 Windows 的设备名"),
    ("products/lpt1/03-x.md", "“lpt1”是 Windows 的设备名"),
    ("products/lessons/03-x.md.", "这个名称在 Windows 上无法使用"),
    ("products/lessons/03-x.md:hidden.md", "这个名称在 Windows 上无法使用"),
])
def test_a_name_no_windows_checkout_can_hold_is_refused(client, content_dir, trainer, name, message):
    """The content folder is also checked out on the trainers' Windows PCs, where a device name (any
    extension), a trailing dot or a colon cannot be made: the checkout of the whole folder would fail."""
    before = _snapshot(content_dir)
    response = _upload(client, _zip({**_course_files(), name: b"%PDF-1.4" if name.endswith(".pdf") else "# x"}))
    assert response.status_code == 422
    assert f"<code>{name}</code>" in response.text and message in response.text
    assert _snapshot(content_dir) == before and _staged_uploads() == []


def test_names_differing_only_in_case_or_composition_say_which_file_is_the_twin(client, content_dir, trainer):
    response = _upload(client, _zip(_course_files(**{"products/images/FLOW.png": PNG})))
    assert response.status_code == 422
    assert "压缩包中此文件出现了两次" in response.text and "products/images/flow.png" in response.text


@pytest.mark.parametrize("title, problem", [
    ("长" * 5000, "“title”有 5000 个字符，最多 200 个"),
    ("对公\u202e品产", "U+202E"),
    ("对公\u200b产品", "U+200B"),
], ids=["5000 characters", "right-to-left override", "zero-width space"])
def test_a_course_title_too_long_or_with_invisible_characters_is_refused(client, content_dir, trainer, title,
                                                                         problem):
    """A title is on every page, certificate and export: 5,000 characters broke
    the publish on PostgreSQL (the column holds 200) and every layout on SQLite;
    a right-to-left override turned round whatever followed it in a sentence."""
    before = _snapshot(content_dir)
    course_md = COURSE_MD.replace("对公与对私产品", title)
    response = _upload(client, _zip(_course_files(**{"products/course.md": course_md})))
    assert response.status_code == 422
    assert problem in response.text and "<code>course.md" in response.text
    assert 'name="token"' not in response.text
    assert _snapshot(content_dir) == before and _releases() == 1


def test_too_many_files_or_too_large_are_refused(client, content_dir, trainer):
    many = {f"products/images/{i}.png": PNG for i in range(2001)}
    response = _upload(client, _zip(_course_files(**many)))
    assert response.status_code == 422 and "2005" in response.text  # 2001 images + 4 course files
    big = {"products/attachments/big.pdf": b"\0" * (21 * 1024 * 1024)}  # compresses to almost nothing
    response = _upload(client, _zip(_course_files(**big)))
    assert response.status_code == 422 and "MB" in response.text
    assert _releases() == 1 and _staged_uploads() == []


def test_an_archive_of_thousands_of_entries_is_refused_with_one_line_not_one_per_entry(client, content_dir, trainer):
    """6,001 entries named "../x" (a few hundred kilobytes; 400,000 fit in 20 MB): one
    problem, not a page listing every one."""
    hostile = {f"../x{i}.md": "" for i in range(6001)}
    response = _upload(client, _zip(_course_files(**hostile)))
    assert response.status_code == 422
    assert "6005" in response.text and response.text.count("<code>../x") == 0
    assert _releases() == 1 and _staged_uploads() == []


def test_a_broken_file_is_reported_with_file_and_line(client, content_dir, trainer):
    before = _snapshot(content_dir)
    broken_bank = BANK_MD.replace("- [ ] 1 万元", "- [x] 1 万元")
    response = _upload(client, _zip(_course_files(**{"products/questions/deposits.md": broken_bank})))
    assert response.status_code == 422
    assert "<code>questions/deposits.md:9</code>" in response.text
    assert _snapshot(content_dir) == before and _releases() == 1


def test_not_a_zip_or_no_course_md(client, content_dir, trainer):
    response = _upload(client, io.BytesIO(b"this is not a zip"), name="course.zip")
    assert response.status_code == 422
    response = _upload(client, _zip({"a/lessons/01-x.md": DEPOSITS_MD, "b/course.md": COURSE_MD}))
    assert response.status_code == 422 and "course.md" in response.text
    assert _releases() == 1


def test_another_trainers_upload_cannot_be_confirmed(client, content_dir, trainer, make_user, login):
    response = _upload(client, _zip(_course_files()))
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', response.text).group(1)
    login(make_user(("trainer",), employee_no="trainer-2"))
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 409
    assert "minutes: 20" in (content_dir / "courses/products/lessons/01-deposits.md").read_text(encoding="utf-8")
    assert client.post("/console/upload/confirm", data={"token": "../../etc"}).status_code == 400


def test_confirming_after_the_course_folder_changed_is_refused(client, content_dir, trainer):
    response = _upload(client, _zip(_course_files()))
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', response.text).group(1)
    lesson = content_dir / "courses/products/lessons/02-loans.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n同事刚补充的一段。\n", encoding="utf-8")
    response = client.post("/console/upload/confirm", data={"token": token})
    assert response.status_code == 409 and "courses/products" in response.text
    assert "同事刚补充的一段" in lesson.read_text(encoding="utf-8")
    assert _releases() == 1


def test_an_upload_over_the_servers_limit_says_the_limit_and_changes_nothing(app, client, content_dir, trainer):
    """Past MAX_CONTENT_LENGTH the body is refused before any view reads it: the
    page says how large an upload may be and that nothing was saved."""
    before = _snapshot(content_dir)
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    response = _upload(client, io.BytesIO(b"PK" + b"\0" * (3 * 1024 * 1024)))
    assert response.status_code == 413
    assert "超过 2 MB" in response.text and "未保存任何内容" in response.text
    assert 'href="/console/"' in response.text  # the page keeps the menu: a way back, not a white page
    assert _snapshot(content_dir) == before and _releases() == 1 and _staged_uploads() == []


def test_confirming_after_the_published_course_changed_shows_the_new_plan_first(client, content_dir, trainer,
                                                                                 tmp_path):
    """The upload was checked against 个人存款 of 20 minutes; before the trainer confirmed, a colleague
    published the course from another checkout (flask content publish) with 40 minutes. The folder here did
    not change, so confirming used to publish at once and put 35 over the colleague's 40 unseen. Now nothing
    is published: the page says so and shows the plan of now (its diff from 40), and a second confirmation
    publishes that."""
    from lms.content.publishing.publish import publish
    from lms.content.source.parser import parse_folder
    from tests.content.console_samples import write_sample_content

    response = _upload(client, _zip(_course_files()))
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', response.text).group(1)
    assert 'class="diff-del">-minutes: 20' in response.text
    checkout = write_sample_content(tmp_path / "checkout")
    lesson = checkout / "courses/products/lessons/01-deposits.md"
    lesson.write_text(DEPOSITS_MD.replace("minutes: 20", "minutes: 40"), encoding="utf-8")
    publish(parse_folder(checkout))
    before = _snapshot(content_dir)

    refused = client.post("/console/upload/confirm", data={"token": token})
    assert refused.status_code == 409
    assert "不再是您审阅时的内容" in refused.text and "未发布任何内容" in refused.text
    assert 'class="diff-del">-minutes: 40' in refused.text and 'class="diff-add">+minutes: 35' in refused.text
    assert _snapshot(content_dir) == before and _releases() == 2
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 40

    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 35


def test_confirming_an_upload_staged_without_a_reviewed_plan_shows_the_plan_first(client, content_dir, trainer):
    """An upload checked before the plan's fingerprint was kept with it (a staging from before the update, or
    metadata without it): confirming used to publish whatever the plan was at that moment, unseen. Now nothing
    is published: the page says the changes were not reviewed and shows them; a second confirmation publishes."""
    from lms.content.console.upload import STAGINGS

    response = _upload(client, _zip(_course_files()))
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', response.text).group(1)
    meta = STAGINGS.open(token).meta
    STAGINGS.rewrite_meta(token, {k: v for k, v in meta.items() if k != "plan"})
    before = _snapshot(content_dir)

    refused = client.post("/console/upload/confirm", data={"token": token})
    assert refused.status_code == 409
    assert "未附带您审阅过的变更" in refused.text and "未发布任何内容" in refused.text
    assert 'class="diff-del">-minutes: 20' in refused.text and 'class="diff-add">+minutes: 35' in refused.text
    assert _snapshot(content_dir) == before and _releases() == 1
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 20

    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 35
