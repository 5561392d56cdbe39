from __future__ import annotations

from lms.exams.question_types.base import Grade, QuestionType


class TrueFalse(QuestionType):
    code = "truefalse"
    secret_keys = ("correct",)

    def grade(self, data, answer, *, partial_credit=False):
        return Grade(1.0 if answer is not None and bool(answer) == bool(data.get("correct")) else 0.0)

    def answer_from_form(self, data, form, name, values=None):
        value = (form.get(name) or "").strip().lower()
        return {"true": True, "false": False}.get(value)

    def is_answered(self, answer):
        return answer is not None

    def correct_answer(self, data):
        return bool(data.get("correct"))
