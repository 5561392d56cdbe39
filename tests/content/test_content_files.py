"""What the content folder may hold and what of it reaches a learner
(issue 9): symbolic links are never followed, only linked images and
documents are published and served, non-ASCII asset names, links between
lessons and to headings, call-out titles, the asset size limit, and
``flask content check`` on a database that was never created."""
from __future__ import annotations

import os
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.content.source.checks import check
from lms.content.console.editor import text_hash
from lms.content.models import Asset, ContentRelease, Course, Lesson
from lms.content.source.parser import parse_folder
from lms.content.publishing.publish import publish
from lms.extensions import db
from tests.conftest import BASE_CONFIG
from tests.content.sample_folder import PNG, edit, line_of, write_folder

LESSON = "courses/products/lessons/01-deposits.md"


pytestmark = pytest.mark.usefixtures("english")


def problems_of(root, subpath=None):
    problems = check(parse_folder(root, subpath))
    db.session.rollback()  # end the read of what is published (the CLI writes next)
    return problems


def releases() -> int:
    return db.session.scalar(select(func.count()).select_from(ContentRelease))


def secret(tmp_path):
    path = tmp_path / "outside" / "secret_key"
    path.parent.mkdir(exist_ok=True)
    path.write_text("TOP-SECRET-KEY", encoding="utf-8")
    return path


# --- 1. symbolic links -----------------------------------------------------------

def test_every_symbolic_link_is_a_problem_with_its_path_and_nothing_is_published(folder, tmp_path, runner):
    key = secret(tmp_path)
    outside_course = tmp_path / "outside" / "course"
    write_folder(outside_course, {"course.md": "---\nid: stolen\ntitle: x\ntrack: other\n---\n"})
    os.symlink(key, folder / "courses/products/images/key.png")
    os.symlink("/etc/passwd", folder / "courses/products/attachments/passwd.pdf")
    os.symlink(key.parent, folder / "courses/products/instance")
    os.symlink(outside_course, folder / "courses/stolen")
    os.symlink(folder / "exams/week-01.yaml", folder / "exams/week-99.yaml")
    edit(folder, LESSON, "[产品说明书](attachments/manual.pdf)",
         "[产品说明书](attachments/manual.pdf) ![k](images/key.png) [p](attachments/passwd.pdf)")

    found = {p.source.path: p.message for p in problems_of(folder)}
    for path in ("courses/products/images/key.png", "courses/products/attachments/passwd.pdf",
                 "courses/products/instance", "courses/stolen", "exams/week-99.yaml"):
        assert "symbolic link" in found[path], path

    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 1 and "courses/products/images/key.png" in result.output
    assert releases() == 0
    assert db.session.scalar(select(func.count()).select_from(Asset)) == 0


def test_publishing_one_course_or_one_file_never_reads_through_a_link(folder, tmp_path, runner):
    key = secret(tmp_path)
    os.symlink(key, folder / "courses/products/images/key.png")
    edit(folder, LESSON, "[产品说明书](attachments/manual.pdf)", "![k](images/key.png)")
    for path in ("courses/products", "courses/products/images", "courses/products/images/key.png"):
        result = runner.invoke(args=["content", "publish", str(folder / path)])
        db.session.rollback()  # one command per process in real use
        assert result.exit_code == 1, path
        assert "courses/products/images/key.png" in result.output and "symbolic link" in result.output
    # a linked course folder named as PATH is refused, not read as a content folder of its own
    os.symlink(folder / "courses/products", folder / "courses/alias")
    result = runner.invoke(args=["content", "check", str(folder / "courses/alias")])
    assert result.exit_code == 1 and "courses/alias" in result.output
    assert releases() == 0
    assert b"TOP-SECRET-KEY" not in b"".join(a.data for a in db.session.scalars(select(Asset)))


def test_a_learner_never_downloads_a_linked_file(folder, tmp_path, client, login, make_user):
    """The attack of issue 9: a link published, then downloaded. Publishing is
    refused; the clean course published afterwards serves no such path."""
    key = secret(tmp_path)
    os.symlink(key, folder / "courses/products/images/key.png")
    edit(folder, LESSON, "[产品说明书](attachments/manual.pdf)",
         "[产品说明书](attachments/manual.pdf) ![k](images/key.png)")
    assert problems_of(folder)
    os.unlink(folder / "courses/products/images/key.png")
    edit(folder, LESSON, " ![k](images/key.png)", "")
    publish(parse_folder(folder))
    login(make_user())
    assert client.get("/assets/products/images/key.png").status_code == 404
    assert client.get("/assets/products/images/flow.png").status_code == 200


def test_the_editor_preview_reports_a_link_in_the_course_folder(folder, tmp_path, client, login, make_user):
    os.symlink(secret(tmp_path), folder / "courses/products/images/key.png")
    login(make_user(roles=("trainer",)))
    original = (folder / LESSON).read_bytes()
    text = original.decode("utf-8") + "\n![k](images/key.png)\n"
    review = client.post("/console/review", data={"path": LESSON, "text": text, "base_hash": text_hash(original)})
    assert review.status_code == 200
    assert "courses/products/images/key.png" in review.text and "符号链接" in review.text
    assert "TOP-SECRET-KEY" not in review.text


# --- 1. only linked images and documents are assets ---------------------------------

def test_only_images_and_documents_a_lesson_links_to_are_published_and_served(folder, client, login, make_user):
    (folder / "courses/products/questions/import.xlsx").write_bytes(b"PK spreadsheet")
    (folder / "courses/products/notes.txt").write_text("内部备注", encoding="utf-8")
    (folder / "courses/products/images/unused.png").write_bytes(PNG)
    publish(parse_folder(folder))
    assert sorted(db.session.scalars(select(Asset.path))) == ["attachments/manual.pdf", "images/flow.png"]
    login(make_user())
    for path in ("questions/deposits.md", "questions/import.xlsx", "notes.txt", "images/unused.png", "course.md",
                 "lessons/01-deposits.md"):
        assert client.get(f"/assets/products/{path}").status_code == 404, path


def test_a_stray_file_published_before_is_never_served(folder, client, login, make_user):
    publish(parse_folder(folder))
    course = db.session.scalar(select(Course).where(Course.slug == "products"))
    db.session.add(Asset(course_id=course.id, path="questions/bank.xlsx", mimetype="application/octet-stream",
                         data=b"PK", content_hash="x"))
    db.session.commit()
    login(make_user())
    assert client.get("/assets/products/questions/bank.xlsx").status_code == 404


def test_linking_a_file_that_is_never_published_is_a_problem(folder):
    (folder / "courses/products/questions/import.xlsx").write_bytes(b"PK")
    edit(folder, LESSON, "[产品说明书](attachments/manual.pdf)", "[题库](questions/import.xlsx)")
    line = line_of(folder, LESSON, "questions/import.xlsx")
    found = [p for p in problems_of(folder) if p.source.path == LESSON]
    assert [(p.source.line, "cannot be linked" in p.message) for p in found] == [(line, True)]


# --- 2. non-ASCII asset names ------------------------------------------------------

def test_a_chinese_file_name_is_published_shown_and_downloaded(folder, client, login, make_user):
    (folder / "courses/products/images/流程图.png").write_bytes(PNG)
    (folder / "courses/products/attachments/产品说明书.pdf").write_bytes(b"%PDF-1.4 zh")
    edit(folder, LESSON, "[产品说明书](attachments/manual.pdf)",
         "![流程图](images/流程图.png)\n\n[说明书](attachments/产品说明书.pdf)")
    assert problems_of(folder) == []
    publish(parse_folder(folder))
    login(make_user())
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "deposits"))
    page = client.get(f"/lessons/{lesson.id}").text
    image_url = "/assets/products/" + quote("images/流程图.png")
    assert f'src="{image_url}"' in page
    image = client.get(image_url)
    assert image.status_code == 200 and image.data == PNG and image.mimetype == "image/png"
    assert "filename*=UTF-8''" + quote("流程图.png") in image.headers["Content-Disposition"]
    document = client.get("/assets/products/" + quote("attachments/产品说明书.pdf"))
    assert document.status_code == 200 and document.data == b"%PDF-1.4 zh"
    assert document.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''" + quote("产品说明书.pdf") in document.headers["Content-Disposition"]


# --- 3. links between lessons and to headings -----------------------------------------

LINKS = ("[贷款](lessons/02-loans.md) [同页](#定期存款) [另一课的标题](../lessons/02-loans.md#对公贷款) "
         "[简写](02-loans.md#对公贷款)")


def test_links_to_lessons_and_headings_go_to_the_lesson_page(folder, client, login, make_user):
    edit(folder, "courses/products/lessons/02-loans.md", "流动资金贷款", "## 对公贷款\n\n流动资金贷款")
    edit(folder, LESSON, "[产品说明书](attachments/manual.pdf)", LINKS)
    assert problems_of(folder) == []
    publish(parse_folder(folder))
    login(make_user())
    deposits = db.session.scalar(select(Lesson).where(Lesson.slug == "deposits"))
    loans = db.session.scalar(select(Lesson).where(Lesson.slug == "corporate-loans"))
    page = client.get(f"/lessons/{deposits.id}").text
    assert 'href="/courses/products/lessons/corporate-loans"' in page
    assert 'href="#定期存款"' in page and '<h2 id="定期存款">' in page
    assert page.count('href="/courses/products/lessons/corporate-loans#对公贷款"') == 2
    hop = client.get("/courses/products/lessons/corporate-loans")
    assert hop.status_code == 302 and hop.headers["Location"].endswith(f"/lessons/{loans.id}")
    assert '<h2 id="对公贷款">' in client.get(hop.headers["Location"]).text
    assert client.get("/courses/products/lessons/no-such-lesson").status_code == 404


def test_broken_lesson_links_absolute_paths_and_raw_images_are_problems(folder):
    bad = {
        "[缺](lessons/09-missing.md)": "no lesson lessons/09-missing.md",
        # A typo in a lesson's file name: the link as meant, written as the trainer wrote it.
        "[错字](02-laons.md#利率)": "no lesson 02-laons.md in the course folder; did you mean '02-loans.md#利率'?",
        "[错字](lessons/02-loan.md)": "did you mean 'lessons/02-loans.md'?",
        "[缺标题](lessons/02-loans.md#没有这个标题)": "has no heading with the id '没有这个标题'",
        "[本页](#没有)": "this lesson has no heading",
        "[绝对](/etc/passwd)": "is an absolute path",
        '<img src="images/missing.png" alt="x">': "no file images/missing.png",
        "![绝对图](/assets/products/images/flow.png)": "is an absolute path",
    }
    text = "\n\n".join(bad)
    edit(folder, LESSON, "[产品说明书](attachments/manual.pdf)", text)
    found = {(p.source.line, p.message) for p in problems_of(folder) if p.source.path == LESSON}
    for snippet, message in bad.items():
        line = line_of(folder, LESSON, snippet)
        assert any(at == line and message in text_ for at, text_ in found), (snippet, found)
    assert len(found) == len(bad)


def test_headings_keep_ids_after_sanitising_and_hx_attributes_are_still_stripped():
    from lms.content.rendering import render_markdown

    html = str(render_markdown('## 风险 提示\n\n<h3 id="x" hx-get="/admin" hx-trigger="load">t</h3>'))
    assert '<h2 id="风险-提示">' in html and '<h3 id="x">t</h3>' in html and "hx-" not in html


# --- 4. call-outs -----------------------------------------------------------------

def test_untitled_call_outs_get_their_title_in_the_readers_language(folder, client, login, make_user):
    edit(folder, LESSON, '!!! risk "风险提示"', "!!! case\n    某支行案例。\n\n!!! risk")
    publish(parse_folder(folder))
    deposits = db.session.scalar(select(Lesson).where(Lesson.slug == "deposits"))
    assert ">Case<" in deposits.body_html and ">案例<" in deposits.body_html  # both, from the catalogue
    assert ">风险提示<" in deposits.body_html and ">Risk warning<" in deposits.body_html
    login(make_user())
    page = client.get(f"/lessons/{deposits.id}").text
    assert '<html lang="zh-CN">' in page and '<span lang="zh-CN">案例</span>' in page
    css = client.get("/static/css/app.css").text
    assert "html:lang(zh) .admonition-title span:lang(en)" in css  # English hidden for Chinese readers


def test_an_unknown_call_out_type_is_a_problem_with_its_line(folder):
    edit(folder, LESSON, '!!! risk "风险提示"', '!!! tip "小贴士"')
    line = line_of(folder, LESSON, "!!! tip")
    found = [p for p in problems_of(folder) if p.source.path == LESSON]
    assert [(p.source.line, "unknown call-out type 'tip'" in p.message) for p in found] == [(line, True)]


# --- 5. asset size -------------------------------------------------------------------

def test_an_asset_over_the_upload_limit_is_a_problem_and_nothing_is_published(app, folder, runner):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    (folder / "courses/products/attachments/manual.pdf").write_bytes(b"%PDF" + b"0" * (1024 * 1024 + 1))
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 1
    assert "courses/products/attachments/manual.pdf: the file is 1.0 MB" in result.output
    assert "at most 1 MB" in result.output
    assert releases() == 0


# --- 6. check without a database ---------------------------------------------------------

def test_check_on_a_database_that_was_never_created(tmp_path, folder):
    fresh = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                        "CONTENT_DIR": str(folder)})
    runner = fresh.test_cli_runner()
    with fresh.app_context():  # the command runs in this app, not the test's migrated one
        result = runner.invoke(args=["content", "check"])
        assert result.exit_code == 0, result.output
        assert "flask db upgrade" in result.output and "检查通过：" in result.output
        edit(folder, LESSON, "title: 个人存款产品", "title:")
        result = runner.invoke(args=["content", "check"])
        assert result.exit_code == 1 and "courses/products/lessons/01-deposits.md" in result.output
        result = runner.invoke(args=["content", "publish"])
        assert result.exit_code == 1 and "flask db upgrade" in result.output
