from __future__ import annotations

from lms.questions.base import Grade, bank_number
from lms.questions.single import SingleChoice


class MultipleChoice(SingleChoice):
    """Several right options. All-or-nothing, or with partial credit: right
    picks minus wrong picks over the number of right options, floored at 0.
    A question's own ``weights`` (percent per option, as GIFT has them) always
    decide its score, whatever the exam says: the picks' weights added up,
    wrong options' negative weights included, floored at 0."""

    code = "multiple"
    excel_name = "多选"
    single_answer = False
    bank_keys = ("weights",)
    excel_aliases = ("多项选择", "多项选择题", "不定项选择", "不定项选择题")

    def grade(self, data, answer, *, partial_credit=False):
        picked = set(answer or [])
        correct = set(data.get("correct", []))
        if not picked:
            return Grade(0.0)
        if picked == correct:
            return Grade(1.0)
        weights = data.get("weights")
        if weights:
            total = sum(float(weights.get(k, 0)) for k in picked) / 100.0
        elif partial_credit:
            right = len(picked & correct)
            wrong = len(picked - correct)
            total = (right - wrong) / len(correct) if correct else 0.0
        else:
            return Grade(0.0)
        return Grade(min(max(total, 0.0), 1.0))

    def answer_from_form(self, data, form, name, values=None):
        keys = [o["key"] for o in data.get("options", [])]
        picked = {self.option_key(data, name, v.strip(), values) for v in form.getlist(name) if v.strip()}
        chosen = [k for k in keys if k in picked]  # in the bank's order
        return chosen or None

    def correct_answer(self, data):
        return list(data.get("correct", []))

    def simulated_answer(self, data, right, rng):
        keys = [o["key"] for o in data.get("options", [])]
        return list(data["correct"]) if right else sorted(rng.sample(keys, max(1, len(keys) // 2)))

    def bank_key_lines(self, data):
        if not data.get("weights"):
            return []
        return ["weights: " + ", ".join(f"{k} {bank_number(v)}" for k, v in sorted(data["weights"].items()))]

    def excel_answer(self, data, stem):
        if data.get("weights"):
            return ",".join(f"{k}{bank_number(v)}%" for k, v in sorted(data["weights"].items())), stem
        return super().excel_answer(data, stem)
