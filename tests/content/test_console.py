"""The trainer console reads the published curriculum: courses with their
lessons and banks, each question with every version (rendered, with its key)
and the diff between versions, exams, programmes, releases; and the trainer's
home panel."""
from __future__ import annotations

import json

from sqlalchemy import select

from lms.content.models import ContentRelease, Programme, Question, QuestionVersion
from lms.content.rendering import render_markdown
from lms.extensions import db
from tests.content.console_samples import content_dir, trainer  # noqa: F401  (fixtures)


def _new_version(question, stem, correct):
    current = question.current_version
    data = current.data
    data["correct"] = correct
    version = QuestionVersion(question_id=question.id, version=current.version + 1, type=current.type,
                              stem_md=stem, stem_html=str(render_markdown(stem)),
                              data_json=json.dumps(data, ensure_ascii=False), points=3, difficulty="hard",
                              explanation_md="新解析", explanation_html="<p>新解析</p>", content_hash="v2")
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    db.session.commit()
    return version


def test_console_lists_courses_lessons_and_banks_with_their_files(client, content_dir, trainer):
    page = client.get("/console/").text
    assert "对公与对私产品" in page and "/console/courses/products" in page
    page = client.get("/console/courses/products").text
    assert "个人存款产品" in page and "个人贷款" in page
    assert "courses/products/lessons/01-deposits.md" in page
    assert "/console/edit?path=courses/products/questions/deposits.md" in page
    assert "dep-001" in page and "dep-002" in page


def test_question_page_shows_every_version_with_key_and_diff(client, content_dir, trainer):
    question = db.session.scalar(select(Question).where(Question.slug == "dep-001"))
    _new_version(question, "个人通知存款的**起存金额**是？", ["C"])
    page = client.get("/console/questions/dep-001").text
    assert 'id="version-1"' in page and 'id="version-2"' in page
    assert "<strong>起存金额</strong>" in page  # the rendered stem
    assert "个人通知存款最低起存金额为 5 万元" in page  # explanation of v1
    assert "新解析" in page
    assert "个人存款" in page and "通知存款" in page  # tags
    # the key: B in version 1, C in version 2; and the diff between them
    assert page.count('class="correct"') == 2
    assert "<code>B</code>" in page and "<code>C</code>" in page
    assert 'class="diff-del">-- [x] B. 5 万元' in page
    assert 'class="diff-add">+- [x] C. 10 万元' in page
    assert 'class="diff-add">+points: 3' in page


def test_console_question_unknown_is_404(client, content_dir, trainer):
    assert client.get("/console/questions/nope").status_code == 404
    assert client.get("/console/courses/nope").status_code == 404
    assert client.get("/console/exams/nope").status_code == 404


def test_exam_page_shows_settings_and_draw_rules_with_pool_sizes(client, content_dir, trainer):
    page = client.get("/console/exams/exam-week-01").text
    assert "第 1 周测验" in page and "80%" in page
    assert "dep-002" in page  # the fixed question
    assert '<span class="badge ok">1</span>' in page  # one single-choice question tagged 个人存款


def test_a_draw_rule_names_its_course_by_title(client, content_dir, trainer):
    from tests.content.console_samples import publish_folder

    exam = content_dir / "exams" / "week-01.yaml"
    exam.write_text(exam.read_text(encoding="utf-8").replace("{count: 1, type: single, tags: [个人存款]}",
                                                            "{count: 1, type: single, course: products}"),
                    encoding="utf-8")
    publish_folder(content_dir)
    page = client.get("/console/exams/exam-week-01").text
    assert "单选题 · 对公与对私产品 (products)" in " ".join(page.split())


def test_programme_page_shows_weeks_with_dates_lessons_and_exam(client, content_dir, trainer):
    page = client.get("/console/programmes/rm-foundation").text
    assert "第 1 周 个人存款产品" in page
    assert "2026-09-07" in page and "2026-09-13" in page
    assert "个人存款产品" in page and "/console/exams/exam-week-01" in page



def test_programme_page_names_its_audience_in_words_and_counts_it(client, content_dir, trainer, make_branch,
                                                                   make_user):
    """The audience as a trainer reads it: branch names (not their codes), every RM
    grade for ``rm_*``, each alternative of a list, and how many people it holds today,
    linked to the list; a quarterly programme shows its requirement, not empty weeks."""
    from tests.content.console_samples import publish_folder

    branch = make_branch("TY", "天元支行")
    make_user(position="rm_junior", branch=branch, name="天元客户经理")
    make_user(position="rm_junior", branch=make_branch("LS", "芦淞支行"), name="芦淞客户经理")
    make_user(("mentor", "learner"), name="师傅甲")
    make_user(position="teller", branch=branch, name="天元柜员")
    (content_dir / "programmes" / "branch-rm.yaml").write_text(
        "id: branch-rm\ntitle: 天元支行客户经理与各位师傅\naudience:\n  - {branches: [TY], positions: [rm_*]}\n"
        "  - {roles: [mentor]}\nstart: 2026-09-07\nweeks:\n  - title: 第 1 周\n    lessons: [products/deposits]\n"
        "    exam: exam-week-01\n", encoding="utf-8")
    (content_dir / "programmes" / "quarterly.yaml").write_text(
        "id: quarterly\ntitle: 季度必修\naudience: {branches: [], positions: [], roles: [learner]}\nstart: 2026-10-01\n"
        "recurring: quarterly\nlessons: [products/deposits]\nexam: exam-week-01\n", encoding="utf-8")
    publish_folder(content_dir)
    page = client.get("/console/programmes/branch-rm").text
    audience = page.split('id="audience-any"')[1].split('id="audience-size"')[0]
    assert "天元支行" in audience and "TY" not in audience and "rm_*" not in audience
    assert "初级客户经理、中级客户经理、高级客户经理、资深客户经理" in audience and "师傅" in audience
    programme_id = db.session.scalar(select(Programme.id).where(Programme.slug == "branch-rm"))
    size = page.split('id="audience-size">')[1].split("</dd>")[0]
    # The RM of 天元支行 and the mentor; not the RM of another branch, not the teller.
    assert f'href="/programmes/{programme_id}/audience">2</a>' in size
    quarterly = client.get("/console/programmes/quarterly").text
    assert 'id="programme-quarterlys"' in quarterly and "每季度必修" in quarterly
    assert 'id="programme-weeks"' not in quarterly and "/console/exams/exam-week-01" in quarterly


def test_release_history_and_trainer_panel(client, content_dir, trainer):
    release = db.session.scalar(select(ContentRelease))
    release.actor_id = trainer.id
    db.session.commit()
    page = client.get("/console/releases").text
    assert "陈培训" in page and "<code>test</code>" in page
    home = client.get("/").text
    assert 'id="trainer-panel"' in home
    assert "陈培训" in home  # who published last
    # counts: 1 course, 2 lessons, 2 questions, 1 exam, 1 programme
    stats = [chunk.split("</div>")[0] for chunk in home.split('<div class="stat">')[1:]]
    assert stats[:5] == ["1", "2", "2", "1", "1"]


def test_learners_get_no_console(client, content_dir, make_user, login):
    login(make_user(("learner",)))
    assert client.get("/console/").status_code == 403
    assert 'id="trainer-panel"' not in client.get("/").text


def test_a_trainer_previews_a_sample_paper_without_an_attempt(client, content_dir, trainer):
    """Trainers cannot start an exam that is not theirs to take; the console
    shows a sample paper with the keys instead, and records nothing."""
    from sqlalchemy import func, select

    from lms.exams.models import Attempt
    from lms.extensions import db

    page = client.get("/console/exams/exam-week-01")
    assert "/console/exams/exam-week-01/preview" in page.text
    preview = client.get("/console/exams/exam-week-01/preview")
    assert preview.status_code == 200
    assert "dep-002" in preview.text  # the fixed question
    assert "正确答案" in preview.text or "correct answer" in preview.text
    assert db.session.scalar(select(func.count(Attempt.id))) == 0
    assert client.get("/console/exams/nope/preview").status_code == 404
