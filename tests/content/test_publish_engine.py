"""Publishing: atomic, versioned, idempotent, retiring within its scope, and
audited."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms import clock as lms_clock
from lms.audit.models import AuditEvent
from lms.content.publishing import publish as publish_module
from lms.content.models import (
    Asset, ContentRelease, Course, Exam, Lesson, Programme, ProgrammeItem, Question, QuestionVersion,
)
from lms.content.source.parser import parse_folder
from lms.content.publishing.publish import ContentProblems, plan, publish
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from tests.content.sample_folder import BANK_TEXT_DEP001, edit, write_folder

BANK = "courses/products/questions/deposits.md"


def snapshot() -> dict:
    """Everything publishing may touch, as plain values."""
    def rows(*columns):
        return sorted(tuple(map(str, r)) for r in db.session.execute(select(*columns)))

    return {
        "courses": rows(Course.slug, Course.title, Course.retired, Course.content_hash),
        "lessons": rows(Lesson.slug, Lesson.body_html, Lesson.retired, Lesson.position),
        "assets": rows(Asset.path, Asset.content_hash, Asset.retired),
        "questions": rows(Question.slug, Question.current_version_id, Question.retired, Question.bank),
        "versions": rows(QuestionVersion.id, QuestionVersion.stem_md, QuestionVersion.content_hash),
        "exams": rows(Exam.slug, Exam.draw_json, Exam.retired),
        "programmes": rows(Programme.slug, Programme.title, Programme.retired),
        "items": rows(ProgrammeItem.key, ProgrammeItem.opens_on, ProgrammeItem.due_on, ProgrammeItem.retired),
        "releases": rows(ContentRelease.id),
        "audit": rows(AuditEvent.seq),
    }


def question(slug: str) -> Question:
    db.session.expire_all()
    return db.session.scalar(select(Question).where(Question.slug == slug))



pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def folder(tmp_path):
    return write_folder(tmp_path)


def test_first_publish_writes_everything_a_release_and_one_audit_event(app, folder, make_user):
    trainer = make_user(roles=("trainer",))
    result = publish(parse_folder(folder), trainer, "cli:test")
    assert result.summary()["question"] == {"added": 7, "changed": 0, "unchanged": 0, "retired": 0}
    assert result.kinds["lesson"].added == ["products/deposits", "products/corporate-loans",
                                            "products/bulletin-large-cd", "risk-cases/case"]
    assert db.session.scalar(select(func.count()).select_from(QuestionVersion)) == 7

    release = db.session.get(ContentRelease, result.release_id)
    assert release.actor_id == trainer.id and release.source == "cli:test"
    assert release.summary["counts"]["programme_item"]["added"] == 3
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "content.published")).all()
    assert len(events) == 1
    assert events[0].actor_id == trainer.id and events[0].object_id == str(release.id)
    details = json.loads(events[0].details)
    assert details["changes"]["question"] == {"added": 7}
    assert details["scope"] == "the whole content folder"


def test_what_publish_stores(app, folder):
    publish(parse_folder(folder))
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "deposits"))
    assert '<img alt="流程" src="/assets/products/images/flow.png">' in lesson.body_html
    assert 'href="/assets/products/attachments/manual.pdf"' in lesson.body_html
    assert '<div class="admonition risk">' in lesson.body_html
    assert lesson.objectives == ["说出通知存款的起存金额"] and lesson.minutes == 20 and lesson.course.slug == "products"
    fill = question("dep-004").current_version
    assert fill.stem_md == "整存整取的起存金额为 {{1}} 元，零存整取为 {{2}} 元。"
    assert fill.data == {"blanks": [["50", "50元"], ["5"]]}
    single = question("dep-001")
    assert single.current_version.tags == ["个人存款", "通知存款"] and single.course.slug == "products"
    assert single.current_version.explanation_html == "<p>个人通知存款最低起存金额为 5 万元。</p>"
    case = question("risk-case-001").current_version
    assert case.points == 5 and [p["id"] for p in case.data["parts"]] == ["a", "b"]
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-week-01"))
    assert exam.draw == [{"count": 1, "type": "single", "tags": ["个人存款"]},
                         {"count": 1, "type": "case", "course": "risk-cases"}, {"questions": ["dep-003"]}]
    assert (exam.pass_mark, exam.max_attempts, exam.cooldown_minutes, exam.course.slug) == (80, None, 10, "products")
    programme = db.session.scalar(select(Programme).where(Programme.slug == "rm-foundation"))
    week2 = next(i for i in programme.items if i.key == "week-2")
    assert [lesson.slug for lesson in week2.lessons] == ["corporate-loans", "case"]
    assert (week2.opens_on.isoformat(), week2.due_on.isoformat(), week2.exam.slug) == \
        ("2026-09-14", "2026-09-20", "exam-week-02")
    course = db.session.scalar(select(Course).where(Course.slug == "products"))
    assert course.intro_md == "本课程介绍存款与贷款产品。" and course.intro_html == "<p>本课程介绍存款与贷款产品。</p>"
    asset = db.session.scalar(select(Asset).where(Asset.path == "images/flow.png"))
    assert asset.mimetype == "image/png" and asset.data.startswith(b"\x89PNG")


def test_unchanged_republish_changes_nothing(app, folder):
    publish(parse_folder(folder))
    before = snapshot()
    result = publish(parse_folder(folder))
    assert not result.has_changes and result.release_id is None
    assert result.summary()["question"] == {"added": 0, "changed": 0, "unchanged": 7, "retired": 0}
    assert snapshot() == before


def test_a_changed_question_gets_a_new_version_and_old_attempts_keep_theirs(app, folder, make_user, clock):
    publish(parse_folder(folder))
    old_version = question("dep-001").current_version
    learner = make_user()
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-week-01"))
    attempt = Attempt(exam_id=exam.id, user_id=learner.id, seed=1, deadline=lms_clock.now() + timedelta(minutes=30))
    attempt.items = [AttemptItem(position=1, question_version_id=old_version.id)]
    db.session.add(attempt)
    db.session.commit()

    edit(folder, BANK, BANK_TEXT_DEP001, "个人通知存款的起存金额是（ ）。")
    result = publish(parse_folder(folder))
    assert result.kinds["question"].changed == ["dep-001"]
    assert "-个人通知存款的最低起存金额是多少？\n+个人通知存款的起存金额是（ ）。" in result.diff("question", "dep-001")

    q = question("dep-001")
    assert [v.version for v in q.versions] == [1, 2]
    assert q.current_version.version == 2 and q.current_version.stem_md == "个人通知存款的起存金额是（ ）。"
    assert q.current_version.tags == ["个人存款", "通知存款"]
    item = db.session.get(AttemptItem, attempt.items[0].id)
    assert item.question_version.version == 1
    assert item.question_version.stem_html == "<p>个人通知存款的最低起存金额是多少？</p>"
    # The other questions were left alone.
    assert [v.version for v in question("dep-002").versions] == [1]


def test_points_difficulty_tags_and_explanation_are_content_too(app, folder):
    publish(parse_folder(folder))
    edit(folder, BANK, "difficulty: hard", "difficulty: medium")
    edit(folder, BANK, "tags: 存款保险", "tags: 存款保险, 监管")
    result = publish(parse_folder(folder))
    assert sorted(result.kinds["question"].changed) == ["dep-002", "dep-003"]
    assert question("dep-003").current_version.tags == ["存款保险", "监管"]
    assert question("dep-002").current_version.version == 2


def test_a_bad_file_changes_nothing(app, folder):
    publish(parse_folder(folder))
    before = snapshot()
    edit(folder, BANK, BANK_TEXT_DEP001, "改过的题干")
    edit(folder, "courses/risk/course.md", "track: risk-cases", "track: nope")
    with pytest.raises(ContentProblems) as refused:
        publish(parse_folder(folder))
    assert [str(p) for p in refused.value.problems] == [
        "courses/risk/course.md:4: unknown track 'nope' (expected one of: products, credit, risk-cases, "
        "warning-education, other)"]
    assert snapshot() == before


def test_the_refusal_counts_its_problems_in_words(app, folder):
    """The refusal read "1 problem(s) in the content" in a log or a traceback: one or many, grouped, zh and en."""
    from flask_babel import force_locale

    edit(folder, "courses/risk/course.md", "track: risk-cases", "track: nope")
    with pytest.raises(ContentProblems) as refused:
        publish(parse_folder(folder))
    problem = refused.value.problems[0]
    with force_locale("en"):
        assert [str(ContentProblems([problem] * n)) for n in (1, 2, 1204)] == [
            "1 problem in the content", "2 problems in the content", "1,204 problems in the content"]
    with force_locale("zh_CN"):
        assert str(ContentProblems([problem] * 1204)) == "内容中有 1,204 个问题"


def test_an_error_half_way_rolls_everything_back(app, folder, monkeypatch):
    publish(parse_folder(folder))
    before = snapshot()
    edit(folder, BANK, BANK_TEXT_DEP001, "改过的题干")
    edit(folder, "courses/products/lessons/02-loans.md", "日常经营周转", "日常经营周转和季节性备货")

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(publish_module, "_apply_programmes", explode)
    with pytest.raises(RuntimeError):
        publish(parse_folder(folder))
    assert snapshot() == before


def test_absent_items_are_retired_and_come_back(app, folder):
    publish(parse_folder(folder))
    bank = (folder / BANK).read_text(encoding="utf-8")
    without = bank[:bank.index("## dep-006")]
    (folder / BANK).write_text(without, encoding="utf-8")
    (folder / "courses/products/lessons/02-loans.md").unlink()
    (folder / "courses/products/attachments/manual.pdf").unlink()
    edit(folder, "courses/products/lessons/01-deposits.md", "[产品说明书](attachments/manual.pdf)", "")
    edit(folder, "programmes/rm-foundation.yaml", "products/corporate-loans, ", "")
    result = publish(parse_folder(folder))
    assert result.kinds["question"].retired == ["dep-006"]
    assert result.kinds["lesson"].retired == ["products/corporate-loans"]
    assert result.kinds["asset"].retired == ["products/attachments/manual.pdf"]
    assert question("dep-006").retired is True
    assert len(question("dep-006").versions) == 1  # never deleted

    (folder / BANK).write_text(bank, encoding="utf-8")
    result = publish(parse_folder(folder))
    assert result.kinds["question"].changed == ["dep-006"] and result.kinds["question"].restored == ["dep-006"]
    q = question("dep-006")
    assert q.retired is False and [v.version for v in q.versions] == [1]


def test_a_sub_path_retires_only_within_its_scope(app, folder):
    publish(parse_folder(folder))
    # Take one question out of the bank and one exam out of the folder; publish only the bank.
    bank = (folder / BANK).read_text(encoding="utf-8")
    (folder / BANK).write_text(bank[:bank.index("## dep-006")], encoding="utf-8")
    (folder / "exams/week-02.yaml").unlink()
    (folder / "programmes/rm-foundation.yaml").unlink()
    bundle = parse_folder(folder, folder / BANK)
    result = publish(bundle)
    assert result.kinds["question"].retired == ["dep-006"]
    assert result.kinds["exam"].retired == [] and result.kinds["programme"].retired == []
    assert question("risk-case-001").retired is False

    # One exam file: the other (absent) exam stays.
    result = publish(parse_folder(folder, "exams/week-01.yaml"))
    assert not result.has_changes
    # The exams folder: week-02 is gone from it, so it is retired.
    result = publish(parse_folder(folder, "exams"))
    assert result.kinds["exam"].retired == ["exam-week-02"]
    assert db.session.scalar(select(Exam.retired).where(Exam.slug == "exam-week-02")) is True


def test_sub_path_checks_refer_to_what_is_published(app, folder):
    publish(parse_folder(folder))
    edit(folder, "exams/week-02.yaml", "{count: 3}", "{questions: [risk-case-001, dep-404]}")
    with pytest.raises(ContentProblems) as refused:
        publish(parse_folder(folder, "exams/week-02.yaml"))
    assert [p.message for p in refused.value.problems] == ["draw rule 1: unknown question id 'dep-404'"]

    # A question this very publish retires is not available to an exam either.
    bank = (folder / BANK).read_text(encoding="utf-8")
    (folder / BANK).write_text(bank[:bank.index("## dep-003")], encoding="utf-8")
    with pytest.raises(ContentProblems) as refused:
        publish(parse_folder(folder))
    assert any("question 'dep-003' is retired" in p.message for p in refused.value.problems)


def test_programme_items_follow_the_file(app, folder):
    publish(parse_folder(folder))
    edit(folder, "programmes/rm-foundation.yaml", "    exam: exam-week-02\n",
         "    exam: exam-week-02\n    due: 2026-09-22\n")
    result = publish(parse_folder(folder))
    assert result.kinds["programme_item"].changed == ["rm-foundation/week-2"]
    assert result.kinds["programme"].unchanged == ["rm-foundation"]
    item = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.key == "week-2"))
    assert item.due_on.isoformat() == "2026-09-22" and [x.slug for x in item.lessons] == ["corporate-loans", "case"]

    text = (folder / "programmes/rm-foundation.yaml").read_text(encoding="utf-8")
    (folder / "programmes/rm-foundation.yaml").write_text(text[:text.index("  - title: 第 2 周")] +
                                                          text[text.index("bulletins:"):], encoding="utf-8")
    result = publish(parse_folder(folder))
    assert result.kinds["programme_item"].retired == ["rm-foundation/week-2"]


def test_plan_shows_lesson_diffs_without_changing_anything(app, folder):
    publish(parse_folder(folder))
    before = snapshot()
    edit(folder, "courses/products/lessons/02-loans.md", "日常经营周转。", "日常经营周转，不得挪用。")
    result = plan(parse_folder(folder))
    assert result.kinds["lesson"].changed == ["products/corporate-loans"]
    diff = result.diff("lesson", "products/corporate-loans")
    assert "-流动资金贷款用于企业日常经营周转。" in diff and "+流动资金贷款用于企业日常经营周转，不得挪用。" in diff
    assert snapshot() == before


def test_a_bank_cannot_retire_what_a_published_exam_draws(app, folder):
    publish(parse_folder(folder))
    before = snapshot()
    # exam-week-01 draws one single question tagged 个人存款: dep-001 is the only one.
    bank = (folder / BANK).read_text(encoding="utf-8")
    (folder / BANK).write_text(bank[bank.index("## dep-002"):], encoding="utf-8")
    with pytest.raises(ContentProblems) as refused:
        publish(parse_folder(folder, folder / BANK))
    messages = [str(p) for p in refused.value.problems]
    assert f"{BANK}: published exam 'exam-week-01' could no longer be drawn: draw rule 1 asks for 1 question " \
           "(type Single choice, tags 个人存款, course products) where there are 0" in messages
    assert any("published exam 'check-bulletin-01'" in m and "'dep-001' is retired" in m for m in messages)
    assert snapshot() == before


def test_a_question_moved_to_another_bank_keeps_its_version(app, folder):
    publish(parse_folder(folder))
    bank = (folder / BANK).read_text(encoding="utf-8")
    start, end = bank.index("## dep-005"), bank.index("## dep-006")
    (folder / BANK).write_text(bank[:start] + bank[end:], encoding="utf-8")
    (folder / "courses/products/questions/numbers.md").write_text(bank[start:end], encoding="utf-8")
    result = publish(parse_folder(folder))
    assert result.kinds["question"].changed == ["dep-005"] and result.kinds["question"].retired == []
    q = question("dep-005")
    assert q.bank == "courses/products/questions/numbers.md" and [v.version for v in q.versions] == [1]


def test_changed_lesson_and_asset_are_updated_in_place(app, folder):
    publish(parse_folder(folder))
    lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == "corporate-loans"))
    edit(folder, "courses/products/lessons/02-loans.md", "日常经营周转。", "日常经营周转，**不得**挪用。")
    (folder / "courses/products/attachments/manual.pdf").write_bytes(b"%PDF-1.4 v2")
    result = publish(parse_folder(folder))
    assert result.kinds["lesson"].changed == ["products/corporate-loans"]
    assert result.kinds["asset"].changed == ["products/attachments/manual.pdf"]
    db.session.expire_all()
    lesson = db.session.get(Lesson, lesson_id)
    assert lesson.body_html == "<p>流动资金贷款用于企业日常经营周转，<strong>不得</strong>挪用。</p>"
    assert db.session.scalar(select(Asset.data).where(Asset.path == "attachments/manual.pdf")) == b"%PDF-1.4 v2"


def test_a_course_folder_removed_from_the_whole_folder_retires_everything_in_it(app, folder):
    import shutil

    publish(parse_folder(folder))
    shutil.rmtree(folder / "courses/risk")
    edit(folder, "exams/week-01.yaml", "  - {count: 1, type: case, course: risk-cases}\n", "")
    edit(folder, "programmes/rm-foundation.yaml", ", risk-cases/case", "")
    result = publish(parse_folder(folder))
    assert result.kinds["course"].retired == ["risk-cases"]
    assert result.kinds["lesson"].retired == ["risk-cases/case"]
    assert result.kinds["question"].retired == ["risk-case-001"]
    assert db.session.scalar(select(Course.retired).where(Course.slug == "risk-cases")) is True
    # Publishing the same folder again: nothing more to do.
    assert not publish(parse_folder(folder)).has_changes


def test_open_to_all_is_parsed_checked_and_published(app, folder):
    """``open_to_all: true`` lets any learner take the exam; it is off unless
    set, a changed setting republishes the exam, and a value that is not
    true/false is a problem with its line that publishes nothing."""
    publish(parse_folder(folder))
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-week-01"))
    assert exam.open_to_all is False
    edit(folder, "exams/week-01.yaml", "cooldown: 10", "cooldown: 10\nopen_to_all: true")
    result = publish(parse_folder(folder))
    assert result.summary()["exam"]["changed"] == 1
    db.session.refresh(exam)
    assert exam.open_to_all is True
    edit(folder, "exams/week-01.yaml", "open_to_all: true", "open_to_all: 也许")
    with pytest.raises(ContentProblems) as problems:
        publish(parse_folder(folder))
    assert any(str(p).startswith("exams/week-01.yaml:") and "open_to_all" in p.message for p in problems.value.problems)
    db.session.refresh(exam)
    assert exam.open_to_all is True
