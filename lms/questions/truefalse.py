from __future__ import annotations

from lms.questions.base import Grade, QuestionType


class TrueFalse(QuestionType):
    code = "truefalse"
    excel_name = "判断"
    bank_keys = ("answer",)
    excel_aliases = ("是非题",)
    secret_keys = ("correct",)
    truth_key = True

    def grade(self, data, answer, *, partial_credit=False):
        return Grade(1.0 if answer is not None and bool(answer) == bool(data.get("correct")) else 0.0)

    def answer_from_form(self, data, form, name, values=None):
        value = (form.get(name) or "").strip().lower()
        return {"true": True, "false": False}.get(value)

    def is_answered(self, answer):
        return answer is not None

    def correct_answer(self, data):
        return bool(data.get("correct"))

    def key_text(self, data):
        return ["true" if data.get("correct") else "false"]

    def plan_lines(self, data):
        return [f"answer: {str(data.get('correct')).lower()}"]

    def simulated_answer(self, data, right, rng):
        return bool(data.get("correct")) == right

    def bank_key_lines(self, data):
        return ["answer: " + ("true" if data["correct"] else "false")]

    def excel_answer(self, data, stem):
        return ("对" if data.get("correct") else "错"), stem

    def parse_body(self, reader, body):
        body.data["correct"] = reader.truefalse()

    def from_excel_row(self, reader, row, stem, answer, options):
        return stem, reader.truefalse(row, answer)
