from __future__ import annotations

from lms.exams.question_types.base import Grade, QuestionType, UnknownOption


class SingleChoice(QuestionType):
    """One right option; exact."""

    code = "single"
    has_options = True
    secret_keys = ("correct", "weights")

    def grade(self, data, answer, *, partial_credit=False):
        return Grade(1.0 if answer is not None and [answer] == list(data.get("correct", [])) else 0.0)

    def answer_from_form(self, data, form, name, values=None):
        value = (form.get(name) or "").strip()
        if not value:
            return None
        return self.option_key(data, name, value, values)

    def option_key(self, data, name, value, values):
        """The bank's key a submitted value stands for. Without ``values``
        (practice) the value is the key, and anything else reads as no answer."""
        keys = [o["key"] for o in data.get("options", [])]
        if values is not None:
            return values.key(name, value, keys)
        if value in keys:
            return value
        return None

    def public_data(self, data):
        return {"options": [{"key": o["key"], "text": o["text"]} for o in data.get("options", [])]}

    def correct_answer(self, data):
        return data.get("correct", [None])[0]
