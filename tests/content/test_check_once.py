"""``flask content check`` says each fault once: a question id written in
three places is one line naming every place (file:line each); an id that is a
duplicate in the folder is not also "already used by" its other course; a
published exam a bank would leave short is one line, naming each draw rule."""
from __future__ import annotations

import pytest

from tests.content.sample_folder import edit

BANK = "courses/products/questions/deposits.md"

pytestmark = pytest.mark.usefixtures("english")


def problem_lines(result) -> list[str]:
    assert result.exit_code == 1, result.output
    return result.output.strip().split("\n")


def test_an_id_in_three_places_is_one_line_naming_every_place(runner, folder):
    edit(folder, BANK, "## dep-002", "## dep-001")
    edit(folder, BANK, "## dep-004", "## dep-001")
    edit(folder, "exams/check-bulletin-01.yaml", "dep-002", "dep-005")
    lines = problem_lines(runner.invoke(args=["content", "check"]))
    duplicates = [line for line in lines if "duplicate" in line]
    assert duplicates == [f"{BANK}:17: duplicate question id 'dep-001': also at {BANK}:3, {BANK}:37"]


def test_an_id_of_two_courses_is_one_line_when_one_is_published(runner, folder):
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    (folder / "courses/risk/questions/more.md").write_text(
        "## dep-001\ntype: truefalse\nanswer: 对\n\n存款保险的最高偿付限额为 50 万元。\n", encoding="utf-8")
    lines = problem_lines(runner.invoke(args=["content", "check"]))
    assert [line for line in lines if "dep-001" in line] == [
        f"courses/risk/questions/more.md:1: duplicate question id 'dep-001': also at {BANK}:3"]
    assert lines[-1] == "1 problem in 1 file."


def test_a_published_exam_left_short_by_a_bank_is_one_line(runner, folder):
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    edit(folder, BANK, "type: single", "type: multiple")
    edit(folder, BANK, "## dep-003", "## dep-007")
    lines = problem_lines(runner.invoke(args=["content", "check", str(folder / BANK)]))
    assert [line for line in lines if "exam-week-01" in line] == [
        f"{BANK}: published exam 'exam-week-01' could no longer be drawn: draw rule 1 asks for 1 question "
        "(type Single choice, tags 个人存款, course products) where there are 0; "
        "draw rule 3: question 'dep-003' is retired (or removed by this publish)"]
