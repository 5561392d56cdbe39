"""A fifth trainer's own course (fixtures/corp_accounts, 单位银行结算账户管理),
written from content/FORMAT.md alone: a markdown table with a footnote,
account numbers in code and in text, nested lists in a case call-out and in a
case question's scenario, an image in a subfolder whose name has a space, a
numeric key written as 3.5万 with unit 元. Published through the console as the
trainer, taken as an RM, reviewed, the wrong answers in the 错题本; then the
trainer renames a lesson's file and moves a question to another bank, and
publishes again after the RM took the exam."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content.models import Exam, Question
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.console_samples import content_dir  # noqa: F401  (fixtures)
from tests.content.test_trainer_own_course import _right
from tests.exams.takers import as_posted

FIXTURE = Path(__file__).parent / "fixtures" / "corp_accounts"
EXAM = """id: exam-corp-accounts
title: 单位结算账户测验
course: corp-accounts
time_limit: 20
pass_mark: 80
attempts: unlimited
cooldown: 0
open_to_all: true
review: after_submit
draw:
  - {questions: [acct-001, acct-002, acct-003, acct-004, case-001]}
"""


def course_zip(changes: dict | None = None) -> io.BytesIO:
    """The course folder zipped as Windows does it (one top folder); ``changes``:
    a file's new bytes, or None to leave it out."""
    files = {p.relative_to(FIXTURE).as_posix(): p.read_bytes() for p in FIXTURE.rglob("*") if p.is_file()}
    files.update(changes or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for rel, data in sorted(files.items()):
            if data is not None:
                zf.writestr("corp-accounts/" + rel, data)
    buffer.seek(0)
    return buffer


def check_upload(client, changes=None):
    page = client.post("/console/upload", data={"archive": (course_zip(changes), "corp-accounts.zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.text
    return page.text, re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def published(app, client, runner, content_dir, make_user, make_branch, tmp_path):
    """The course uploaded and published by its trainer, its exam published from the command line;
    an RM has taken the exam (acct-002 and part a of the case wrong)."""
    app.instance_path = str(tmp_path / "instance")
    trainer = make_user(("trainer",), employee_no="trainer-5", name="周培训")
    rm = make_user(("learner",), branch=make_branch("B01"), position="rm_junior")
    sign_in(client, trainer)
    _page, token = check_upload(client)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    (content_dir / "exams" / "corp-accounts.yaml").write_text(EXAM, encoding="utf-8")
    assert runner.invoke(args=["content", "publish", "--as", "trainer-5"]).exit_code == 0

    sign_in(client, rm)
    client.get("/courses/corp-accounts/lessons/account-types", follow_redirects=True)
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-corp-accounts"))
    started = client.post(f"/exams/{exam.id}/start")
    attempt = db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))
    for item in attempt.items:
        name, slug = f"a-{item.id}", item.question_version.question.slug
        data = _right(item)
        if slug == "acct-002":
            data = {name: "350000"}  # 3.5万 元 is 35,000
        if slug == "case-001":
            data[f"{name}-a"] = as_posted(item, {f"{name}-a": "B"})[f"{name}-a"]
        assert client.post(f"/attempts/{attempt.id}/items/{item.id}", data=data,
                           headers={"HX-Request": "true"}).status_code == 200
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    # The lesson was marked read.
    lesson_id = re.search(r'action="/lessons/(\d+)/read"',
                          client.get("/courses/corp-accounts/lessons/account-types", follow_redirects=True).text)
    assert client.post(f"/lessons/{lesson_id.group(1)}/read").status_code in (200, 302)
    sign_in(client, trainer)
    return trainer, rm, attempt


def test_the_rm_reads_the_lesson_and_reviews_the_exam_as_written(client, published):
    _trainer, rm, attempt = published
    sign_in(client, rm)
    lesson = client.get("/courses/corp-accounts/lessons/account-types", follow_redirects=True).text
    assert re.search(r"<td>只能开立一个<sup id=\"fnref:1\"><a href=\"#fn:1\"", lesson)
    assert "<code>6217 0000 1234 5678 901</code>" in lesson and "对公账号 31050161373600000123 不要" in lesson
    assert re.search(r"<li>核对证件：<ul>\s*<li>营业执照原件</li>", lesson)
    assert 'src="/assets/corp-accounts/images/%E5%BC%80%E6%88%B7/%E6%B5%81%E7%A8%8B%20%E5%9B%BE.png"' in lesson
    case = client.get("/courses/corp-accounts/lessons/risk-check", follow_redirects=True).text
    assert re.search(r'<div class="admonition case">.*?<li>资金快进快出：<ul>\s*<li>单日入账', case, re.S)

    result = client.get(f"/attempts/{attempt.id}/result").text
    assert "得分 4 / 满分 6" in result
    assert "您的答案：<strong>350000</strong>" in result and "正确答案：<strong>35,000 元</strong>" in result
    notebook = client.get("/notebook/").text
    assert "练习全部错题 (2)" in notebook and "某企业临时存款账户余额 3.5 万元，折合多少元？" in notebook


def test_footnotes_of_several_questions_on_one_page_each_point_at_their_own(client, published):
    """Each stem and explanation is rendered on its own, so each numbers its footnotes from 1: on a
    page of several, every "fn:1" link jumped to the first question's footnote."""
    _trainer, rm, attempt = published
    sign_in(client, rm)
    page = client.get(f"/attempts/{attempt.id}/result").text
    ids = re.findall(r'id="(fn(?:ref)?\d*:[^"]+)"', page)
    assert len(ids) == 4 and len(set(ids)) == 4, ids  # a reference and a footnote in two questions
    for target in re.findall(r'href="#(fn(?:ref)?\d*:[^"]+)"', page):
        assert ids.count(target) == 1, target
    articles = [a for a in re.findall(r'<article class="question review-item[^>]*>(.*?)</article>', page, re.S)
                if "footnote" in a]
    assert len(articles) == 2
    for article in articles:  # each question's link and footnote are its own
        links = re.findall(r'href="#(fn\d*:[^"]+)"', article)
        assert links and all(f'id="{link}"' in article for link in links)


def test_a_lesson_file_renamed_after_publishing_says_how_to_keep_the_lesson(client, published):
    lesson = (FIXTURE / "lessons/01-account-types.md").read_text(encoding="utf-8")
    page, _token = check_upload(client, {
        "lessons/01-account-types.md": None,
        "lessons/01-account-kinds.md": lesson.replace("title: 单位银行结算账户的种类", "title: 四类单位结算账户").encode()})
    effects = re.search(r'<div class="notice" id="plan-effects">(.*?)</div>', page, re.S)
    assert effects, page
    assert ("课件 corp-accounts/account-types（单位银行结算账户的种类）将停用，新增的 corp-accounts/account-kinds"
            " (lessons/01-account-kinds.md) 像是它改名后的文件：如果只是改了文件名，请在 01-account-kinds.md 开头的"
            "属性中写上“id: account-types”，课件就会保留（已读的 1 名学员的记录和指向它的链接都不变）") in effects.group(1)

    # Done as the notice says: the same lesson, its reader kept, the old address still works.
    fixed = lesson.replace("---\ntitle: 单位银行结算账户的种类", "---\nid: account-types\ntitle: 四类单位结算账户")
    page, token = check_upload(client, {"lessons/01-account-types.md": None,
                                        "lessons/01-account-kinds.md": fixed.encode()})
    assert "将停用" not in page and 'id="plan-effects"' not in page
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert "四类单位结算账户" in client.get("/courses/corp-accounts/lessons/account-types", follow_redirects=True).text


def test_a_question_moved_to_another_bank_says_so_and_keeps_its_version(client, published):
    _trainer, rm, attempt = published
    accounts = (FIXTURE / "questions/accounts.md").read_text(encoding="utf-8")
    cases = (FIXTURE / "questions/cases.md").read_text(encoding="utf-8")
    moved = accounts[accounts.index("## acct-004"):]
    page, token = check_upload(client, {"questions/accounts.md": accounts[:accounts.index("## acct-004")].encode(),
                                        "questions/cases.md": (cases + "\n" + moved).encode()})
    row = re.search(r'<tr class="plan-changed"><td>题目</td><td><code>acct-004</code></td>(.*?)</tr>', page, re.S)
    assert row, page
    assert "从 questions/accounts.md 移到 questions/cases.md（题目未改，版本不变）" in row.group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    question = db.session.scalar(select(Question).where(Question.slug == "acct-004"))
    assert question.bank == "courses/corp-accounts/questions/cases.md" and len(question.versions) == 1

    # The RM's review and 错题本 after the republish are what they were.
    sign_in(client, rm)
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert "得分 4 / 满分 6" in result and "临时存款账户的有效期最长可以超过 2 年。" in result
    assert "练习全部错题 (2)" in client.get("/notebook/").text


def test_moving_a_question_in_the_editor_says_how_it_can_be_moved(client, content_dir, published):
    """The editor publishes one file at a time: pasted into the other bank first, the question
    is in two banks; cut first, the exam that names it would lose it. Both are refused, and the
    page now says how a question is moved (the course uploaded as a zip, as above)."""
    from lms.content.console.editor import normalise, text_hash

    accounts = (FIXTURE / "questions/accounts.md").read_text(encoding="utf-8")
    cases = (FIXTURE / "questions/cases.md").read_text(encoding="utf-8")
    path = "courses/corp-accounts/questions/cases.md"
    text = cases + "\n" + accounts[accounts.index("## acct-004"):]
    page = client.post("/console/review", data={
        "path": path, "text": text, "base_hash": text_hash((content_dir / path).read_bytes()),
        "reviewed_hash": text_hash(normalise(text))}).text
    hint = re.search(r'<div class="notice" id="move-hint">(.*?)</div>', page, re.S)
    assert hint, page
    assert ("试题 acct-004 也在 questions/accounts.md 中。如果是另一道题，请给它另起一个编号。要把它移到这里："
            "编辑器每次只发布一个文件，无法把试题移到另一个题库；"
            "请在课程文件夹中把它从 questions/accounts.md 剪切到 questions/cases.md，然后把整个课程打包上传：") \
        in hint.group(1)
    assert re.search(r'<a href="/console/upload">上传课程</a>', hint.group(1))
    assert 'formaction="/console/publish"' not in page
