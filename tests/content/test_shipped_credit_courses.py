"""The shipped courses 授信评估：5C 与征信 (credit-5c) and 项目评估 (project-appraisal)
are what issue 14 asks for: their lessons, a bank deep enough that an exam of 12
draws from pools three times its size, and an exam per course (a trainer checks
these by opening the course and the exam preview)."""
from __future__ import annotations

from pathlib import Path

import pytest

from lms.content.source.parser import parse_folder

CONTENT = Path(__file__).resolve().parents[2] / "content"

LESSONS = {
    "credit-5c": ("授信评估：5C 与征信", {
        "five-c-retail": "5C 分析：个人借款人",
        "five-c-smb": "5C 分析：小微企业借款人",
        "personal-report": "读懂个人信用报告",
        "corporate-report": "读懂企业信用报告",
    }),
    "project-appraisal": ("项目评估", {
        "feasibility": "项目可行性与合规手续",
        "cash-flow-dscr": "现金流预测、DSCR 与回收期",
        "sensitivity-failures": "敏感性分析与项目贷款常见失败",
    }),
}


@pytest.fixture(scope="module")
def bundle():
    return parse_folder(CONTENT)


def items(question):
    """(type, data) of a question, or of each part of a case."""
    if question.type == "case":
        return [(part["type"], part["data"]) for part in question.data["parts"]]
    return [(question.type, question.data)]


@pytest.mark.parametrize("course_id", sorted(LESSONS))
def test_the_course_has_its_lessons_each_with_a_worked_example(bundle, course_id):
    title, lessons = LESSONS[course_id]
    course = next(c for c in bundle.courses if c.id == course_id)
    assert course.title == title
    found = {lesson.id: lesson for lesson in bundle.lessons if lesson.course_id == course_id}
    assert {lesson_id: found[lesson_id].title for lesson_id in lessons if lesson_id in found} == lessons
    for lesson in found.values():
        assert "\n## " in "\n" + lesson.body_md, f"{lesson.id} has no headings"
        assert "!!! case" in lesson.body_md, f"{lesson.id} has no worked example or case"


@pytest.mark.parametrize("course_id", sorted(LESSONS))
def test_the_bank_is_deep_and_mixed(bundle, course_id):
    questions = [q for q in bundle.questions if q.course_id == course_id]
    assert len(questions) >= 36
    assert all(q.id.startswith(("c5c-", "pa-")) for q in questions)
    cases = [q for q in questions if q.type == "case"]
    assert cases and all(len(q.data["parts"]) >= 2 for q in cases)
    essays = [q for q in questions if q.type == "essay"]
    assert essays and all(q.data["rubric"].strip() for q in essays)
    numerics = [data for q in questions for qtype, data in items(q) if qtype == "numeric"]
    assert len(numerics) >= 5
    assert all("tolerance" in data for data in numerics)
    assert {q.difficulty for q in questions} == {"easy", "medium", "hard"}
    assert all(q.explanation_md.strip() for q in questions if q.type != "case")
    assert {q.type for q in questions} >= {"single", "multiple", "truefalse", "fill", "numeric", "essay", "case"}


@pytest.mark.parametrize("course_id", sorted(LESSONS))
def test_the_exam_draws_twelve_from_pools_three_times_the_count(bundle, course_id):
    exam = next(e for e in bundle.exams if e.id == f"exam-{course_id}")
    assert (exam.course_id, exam.pass_mark, exam.max_attempts, exam.review_policy) == \
        (course_id, 80.0, None, "after_submit")
    assert exam.cooldown_minutes > 0 and exam.time_limit_minutes > 0
    questions = [q for q in bundle.questions if q.course_id == course_id]
    assert sum(rule["count"] for rule in exam.draw) == 12
    used: set[str] = set()
    for rule in exam.draw:
        assert set(rule) <= {"count", "type", "line"}, "rules are told apart by type only"
        pool = {q.id for q in questions if q.type == rule["type"]}
        assert not pool & used, f"rule for {rule['type']} overlaps another rule"
        used |= pool
        assert len(pool) >= 3 * rule["count"], f"{rule['type']}: {len(pool)} for {rule['count']}"
