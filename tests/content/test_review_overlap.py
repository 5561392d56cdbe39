"""`content check` warns when an exam that hides its answers (review after
passing / never) can draw questions that an exam showing its answers also
draws; the shipped curriculum has no such overlap (and no problem)."""
from __future__ import annotations

from pathlib import Path

import pytest

from lms.content.source.parser import parse_folder
from lms.content.publishing.publish import publish
from lms.content.source.review_overlap import review_warnings
from tests.content.sample_folder import edit

SHIPPED = Path(__file__).resolve().parents[2] / "content"


pytestmark = pytest.mark.usefixtures("english")


def test_an_exam_hiding_answers_that_shares_questions_with_one_showing_them_is_warned(runner, folder):
    # The bulletin check (dep-001, dep-002, dep-003) now never shows its answers;
    # week 1 (review after submitting) draws dep-003 and the single-choice dep-001.
    (folder / "exams/check-bulletin-01.yaml").write_text(
        (folder / "exams/check-bulletin-01.yaml").read_text(encoding="utf-8") + "review: never\n", encoding="utf-8")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output  # a warning, not a problem
    assert ("exams/check-bulletin-01.yaml:1: warning: exam check-bulletin-01 hides its answers (Answers and explanations "
            "shown: Never) but 2 of its questions can also be drawn by exam exam-week-01, which shows them (Answers "
            "and explanations shown: After submitting): dep-001, dep-003") in result.output
    # Publishing one exam file compares it with the published exams too.
    edit(folder, "exams/check-bulletin-01.yaml", "review: never", "review: after_submit")
    publish(parse_folder(folder), None, "test")
    edit(folder, "exams/check-bulletin-01.yaml", "review: after_submit", "review: after_pass")
    result = runner.invoke(args=["content", "publish", str(folder / "exams/check-bulletin-01.yaml")])
    assert result.exit_code == 0, result.output
    assert "exam check-bulletin-01 hides its answers (Answers and explanations shown: Once passed) but 2" in result.output
    assert "exam exam-week-01, which shows them" in result.output


def test_exams_that_all_show_answers_are_not_warned(runner, folder):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0 and "warning" not in result.output


def test_the_shipped_curriculum_checks_clean_without_warnings(app, runner):
    app.config["CONTENT_DIR"] = str(SHIPPED)
    bundle = parse_folder(SHIPPED)
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert review_warnings(bundle) == []
