"""A fresh install with no content (not the demo), walked as each new user:
the first administrator, the first HR officer, a trainer with no course, an
RM added today with no programme, a mentor with no apprentice yet, a branch
manager whose branch has nobody else. Every page they can reach says what it
is and what to do next: no error, no blank table, no raw code, no stray
English on a Chinese page (the checks of tests/test_every_page.py)."""
from __future__ import annotations

import re

import pytest

from lms.extensions import db
from tests.conftest import sign_in
from tests.test_every_page import _CONTENT_NAMES, _load_content_names, _problems
from tests.walk import Walk, empty_tables, walk

FRESH_ROLES = {"admin": ("admin",), "hr": ("hr",), "trainer": ("trainer",), "learner": ("learner",),
               "mentor": ("mentor", "learner"), "manager": ("branch_manager",)}


def walk_fresh(app, client, lang: str) -> Walk:
    """Every page from home, judged as every demo page is, and no table left blank."""

    def check(html):
        problems, page = _problems(html, lang)
        return problems + empty_tables(html), page.links

    return walk(app, client, check=check)


@pytest.fixture
def fresh(app, tmp_path, make_user, make_branch):
    """The install as it is after ``flask db upgrade`` and the first accounts:
    an empty content folder, one branch with nobody but the account itself."""
    (tmp_path / "content").mkdir()
    app.config["CONTENT_DIR"] = str(tmp_path / "content")
    branch = make_branch("B01", "城南支行")
    return {role: make_user(roles, employee_no=f"N{i:03d}", branch=branch)
            for i, (role, roles) in enumerate(FRESH_ROLES.items())}


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("role", list(FRESH_ROLES))
def test_every_page_a_new_user_reaches_says_what_to_do(app, client, fresh, role, lang):
    user = fresh[role]
    user.locale = lang
    db.session.commit()
    _CONTENT_NAMES.update(_load_content_names())  # the people's and the branch's names are content, not interface
    sign_in(client, user)
    errors = walk_fresh(app, client, lang).errors
    assert not errors, f"{role} / {lang}:\n" + "\n".join(errors)


def test_the_first_branch_is_named_as_a_branch_not_as_a_person(client, fresh):
    sign_in(client, fresh["hr"])
    form = client.get("/org/branches").text.split('id="new-branch"')[1].split("</section>")[0]
    labels = re.findall(r"<label[^>]*>([^<]*)</label>", form)
    assert "机构名称" in labels and "姓名" not in labels


def test_the_first_trainer_is_shown_where_a_course_comes_from(client, fresh):
    sign_in(client, fresh["trainer"])
    cell = client.get("/console", follow_redirects=True).text.split('id="no-course"')[1].split("</td>")[0]
    assert "尚未发布任何课程。将课程文件夹打包为 zip 上传" in cell and 'href="/console/upload"' in cell


def test_the_first_programme_with_no_exam_published_is_told_to_make_the_exams_first(client, fresh):
    sign_in(client, fresh["trainer"])
    page = client.get("/console/schedule/new-programme").text
    notice = page.split('id="no-exam-yet"')[1].split("</p>")[0]
    assert "尚未发布任何考试，而每个培训周都以考试结束。" in notice and 'href="/console/schedule/new-exam"' in notice


def test_the_first_upload_of_a_wrong_zip_names_the_file_the_trainer_chose(client, fresh):
    import io
    import zipfile

    sign_in(client, fresh["trainer"])
    response = client.post("/console/upload", data={"archive": (io.BytesIO(b"not a zip"), "个人存款课程.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "<code>个人存款课程.zip</code>" in response.text and "<code>upload</code>" not in response.text
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lessons/01-deposits.md", "# 存款\n")
    response = client.post("/console/upload", data={"archive": (io.BytesIO(buffer.getvalue()), "存款.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "<code>存款.zip</code>" in response.text and "course.md" in response.text
