"""``flask content check`` / ``flask content publish``: output, exit codes,
nothing changed on a problem; and the demo hook."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from lms.content import cli as content_cli
from lms.content.publishing.demo import move_programmes_to_today, publish_demo_curriculum
from lms.content.models import ContentRelease, Programme, ProgrammeItem, Question
from lms.content.source.parser import parse_folder
from lms.extensions import db
from tests.content.sample_folder import edit, line_of

BANK = "courses/products/questions/deposits.md"



pytestmark = pytest.mark.usefixtures("english")


def releases() -> int:
    return db.session.scalar(select(func.count()).select_from(ContentRelease))


def test_check_passes_on_a_clean_folder(runner, folder):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "OK: 2 courses, 4 lessons, 7 questions, 3 exams, 1 programme, 2 assets" in result.output


def test_check_prints_path_line_message_and_exits_1(runner, folder):
    edit(folder, BANK, "type: truefalse", "type: yesno")
    edit(folder, "exams/week-01.yaml", "{questions: [dep-003]}", "{questions: [dep-404]}")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    lines = result.output.strip().split("\n")
    assert f"{BANK}:{line_of(folder, BANK, 'type: yesno')}: question dep-003: unknown question type 'yesno' " \
           "(expected one of: single, multiple, truefalse, fill, numeric, essay, case)" in lines
    assert f"exams/week-01.yaml:{line_of(folder, 'exams/week-01.yaml', 'dep-404')}: draw rule 3: unknown question " \
           "id 'dep-404'" in lines
    assert lines[-1] == "2 problems in 2 files."


def test_check_a_sub_path_against_what_is_published(runner, folder):
    assert runner.invoke(args=["content", "check", str(folder / "courses/products")]).exit_code == 0
    # Nothing is published yet: the exam's course and questions are unknown.
    alone = runner.invoke(args=["content", "check", str(folder / "exams/week-01.yaml")])
    assert alone.exit_code == 1 and "exams/week-01.yaml:1: unknown course 'products'" in alone.output
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    assert runner.invoke(args=["content", "check", str(folder / "exams/week-01.yaml")]).exit_code == 0
    edit(folder, "exams/week-01.yaml", "review: after_submit", "review: later")
    result = runner.invoke(args=["content", "check", str(folder / "exams/week-01.yaml")])
    line = line_of(folder, "exams/week-01.yaml", "review: later")
    assert result.exit_code == 1
    assert result.output.startswith(f"exams/week-01.yaml:{line}: unknown review policy 'later'")
    assert result.output.strip().endswith("1 problem in 1 file.")


def test_publish_prints_the_summary_table(runner, folder):
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    assert "questions                7        0        0          0" in result.output
    assert "programme items          3        0        0          0" in result.output
    assert "eligibility rules        0        0        0          0" in result.output
    assert "Published release 1 (the whole content folder)." in result.output
    again = runner.invoke(args=["content", "publish"])
    assert again.exit_code == 0 and "Nothing changed" in again.output
    assert "questions                0        0        0          7" in again.output
    assert releases() == 1


def test_publish_with_a_problem_changes_nothing_and_exits_1(runner, folder):
    runner.invoke(args=["content", "publish"])
    edit(folder, BANK, "个人通知存款的最低起存金额是多少？", "新的题干")
    edit(folder, "programmes/rm-foundation.yaml", "exam: exam-week-02", "exam: exam-week-99")
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 1
    assert "week 2: unknown exam 'exam-week-99'" in result.output and "Nothing was published." in result.output
    assert releases() == 1
    version = db.session.scalar(select(Question).where(Question.slug == "dep-001")).current_version
    assert version.version == 1 and version.stem_md == "个人通知存款的最低起存金额是多少？"


def test_publish_as_a_trainer(runner, folder, make_user):
    trainer = make_user(roles=("trainer",), employee_no="T9001")
    make_user(roles=("learner",), employee_no="L9001")
    assert runner.invoke(args=["content", "publish", "--as", "NOBODY"]).exit_code == 2
    refused = runner.invoke(args=["content", "publish", "--as", "L9001"])
    assert refused.exit_code == 2 and "not a trainer" in refused.output
    assert releases() == 0
    assert runner.invoke(args=["content", "publish", "--as", "T9001"]).exit_code == 0
    assert db.session.scalar(select(ContentRelease.actor_id)) == trainer.id


def test_publish_shows_a_progress_bar_on_long_runs(runner, folder, monkeypatch):
    monkeypatch.setattr(content_cli, "PROGRESS_THRESHOLD", 5)
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0 and "Publishing" in result.output


def test_demo_moves_programmes_so_today_is_in_week_3(folder):
    bundle = parse_folder(folder)
    move_programmes_to_today(bundle, date(2026, 3, 4))  # a Wednesday
    items = {i.key: i for i in bundle.programmes[0].items}
    assert (items["week-1"].opens_on, items["week-1"].due_on) == (date(2026, 2, 16), date(2026, 2, 22))
    assert items["week-2"].opens_on == date(2026, 2, 23)
    assert items["bulletin-1"].opens_on == date(2026, 2, 18)  # moved with the weeks


def test_demo_hook_publishes_once(app, folder, clock):
    publish_demo_curriculum("unused")
    assert releases() == 1
    week1 = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.key == "week-1"))
    assert week1.opens_on == date(2026, 2, 16)  # the clock stands on Monday 2026-03-02: week 3
    publish_demo_curriculum("unused")
    assert releases() == 1
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 1


def test_problems_are_in_chinese_by_default(runner, folder):
    edit(folder, BANK, "- [ ] 1 万元", "- [x] 1 万元")
    with force_locale("zh_CN"):
        result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    line = line_of(folder, BANK, "- [x] 1 万元")
    assert f"{BANK}:{line}: 试题 dep-001：单选题必须恰好有一个正确选项 [x]（现有 2 个）" in result.output


def test_plan_says_a_question_moved_bank_and_how_to_keep_a_renamed_lesson(runner, folder):
    """The console's publish plan says both; the command line says them too, in the same words."""
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    lessons = folder / "courses/products/lessons"
    (lessons / "02-loans.md").rename(lessons / "02-company-loans.md")
    edit(folder, "courses/products/lessons/02-company-loans.md", "id: corporate-loans\n", "")
    edit(folder, "programmes/rm-foundation.yaml", "products/corporate-loans", "products/company-loans")
    text = (folder / BANK).read_text(encoding="utf-8")
    (folder / BANK).write_text(text[:text.index("## dep-006")], encoding="utf-8")
    (folder / "courses/products/questions/essays.md").write_text(text[text.index("## dep-006"):], encoding="utf-8")

    result = runner.invoke(args=["content", "plan"])
    assert result.exit_code == 0, result.output
    lines = result.output.split("\n")
    assert ("  questions: changed dep-006: moved from questions/deposits.md to questions/essays.md "
            "(the question is unchanged: same version)") in lines
    assert ("  - lesson products/corporate-loans (对公贷款) is retired, and the new products/company-loans "
            "(lessons/02-company-loans.md) looks like it under a new file name: if you only renamed the file, write "
            "“id: corporate-loans” in the front matter at the top of 02-company-loans.md and the lesson is kept "
            "(learners who read it: 0; their record and every link to it stay as they are)") in lines
    assert releases() == 1
