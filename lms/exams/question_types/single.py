from __future__ import annotations

from lms.exams.question_types.base import Grade, QuestionType


class SingleChoice(QuestionType):
    """One right option; exact."""

    code = "single"
    has_options = True
    secret_keys = ("correct", "weights")

    def grade(self, data, answer, *, partial_credit=False):
        return Grade(1.0 if answer is not None and [answer] == list(data.get("correct", [])) else 0.0)

    def answer_from_form(self, data, form, name):
        value = (form.get(name) or "").strip()
        keys = {o["key"] for o in data.get("options", [])}
        return value if value in keys else None

    def public_data(self, data):
        return {"options": [{"key": o["key"], "text": o["text"]} for o in data.get("options", [])]}

    def correct_answer(self, data):
        return data.get("correct", [None])[0]
