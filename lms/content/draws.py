"""What an exam's draw rule means in the published content: the live questions
it may pick from. The exam engine draws from this pool; the trainer console
shows its size, so both read a rule the same way."""
from __future__ import annotations

from sqlalchemy import Select, select

from lms.content.models import Course, Question, QuestionTag, QuestionVersion


def draw_pool(rule: dict, course_id: int | None) -> Select:
    """(version id, question id) of the current versions of non-retired
    questions matching ``rule`` (type, difficulty, any of its tags, course).
    A rule without ``course`` draws from the exam's course (``course_id``),
    and from every course when the exam has none."""
    stmt = (select(QuestionVersion.id, QuestionVersion.question_id)
            .join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.retired.is_(False)))
    if rule.get("type"):
        stmt = stmt.where(QuestionVersion.type == rule["type"])
    if rule.get("difficulty"):
        stmt = stmt.where(QuestionVersion.difficulty == rule["difficulty"])
    if rule.get("tags"):
        stmt = stmt.where(QuestionVersion.id.in_(
            select(QuestionTag.version_id).where(QuestionTag.tag.in_(list(rule["tags"])))))
    if rule.get("course"):
        stmt = stmt.join(Course, Course.id == Question.course_id).where(Course.slug == rule["course"])
    elif course_id is not None:
        stmt = stmt.where(Question.course_id == course_id)
    return stmt
