from __future__ import annotations

from lms.exams.question_types.base import Grade, QuestionType


class Essay(QuestionType):
    """Graded by a trainer against the rubric; the rubric stays hidden until
    the attempt is finalised."""

    code = "essay"
    secret_keys = ("rubric",)

    def grade(self, data, answer, *, partial_credit=False):
        return Grade(None)

    def answer_from_form(self, data, form, name, values=None):
        value = form.get(name)
        if value is None:
            return None
        value = value.replace("\r\n", "\n").strip()
        return value or None

    def correct_answer(self, data):
        return data.get("rubric", "")
