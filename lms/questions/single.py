from __future__ import annotations

from lms.questions.base import Grade, QuestionType, UnknownOption, number_text


class SingleChoice(QuestionType):
    """One right option; exact."""

    code = "single"
    excel_name = "单选"
    single_answer = True  # exactly one option is right
    excel_aliases = ("单项选择", "单项选择题")
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

    def key_text(self, data):
        if data.get("weights"):
            return [f"{k} ({number_text(w)}%)" for k, w in sorted(data["weights"].items())]
        return sorted(set(data.get("correct", [])))

    def _option_lines(self, data, with_key: bool) -> list[str]:
        correct = set(data.get("correct", []))
        return [f"- [{'x' if o['key'] in correct else ' '}] " + (f"{o['key']}. {o.get('text', '')}" if with_key
                                                                else o["text"]) for o in data.get("options", [])]

    def text_lines(self, data):
        lines = self._option_lines(data, with_key=True)
        if data.get("weights"):
            lines.append("weights: " + ", ".join(f"{k}={number_text(w)}" for k, w in sorted(data["weights"].items())))
        return lines

    def plan_lines(self, data):
        return self._option_lines(data, with_key=False)

    def simulated_answer(self, data, right, rng):
        keys = [o["key"] for o in data.get("options", [])]
        wrong = [k for k in keys if k not in data.get("correct", [])]
        return data["correct"][0] if right or not wrong else rng.choice(wrong)

    def bank_body(self, stem, data, guard):
        correct = set(data["correct"])
        out = []
        for option in data["options"]:
            text, feedback = guard.option(option)
            first, *more = text.split("\n")
            out.append(f"- [{'x' if option['key'] in correct else ' '}] {first}")
            out += [f"  {line}" for line in more]  # continuation lines of the option
            if feedback:
                first, *more = feedback.split("\n")
                out += [f"  反馈：{first}"] + [f"  {line}" for line in more]
        return stem, out

    def excel_answer(self, data, stem):
        return "".join(data.get("correct", [])), stem

    def parse_body(self, reader, body):
        body.data.update(reader.choice_data(self.code, body.options))

    def from_excel_row(self, reader, row, stem, answer, options):
        return stem, reader.choice(row, self.code, options, answer)
