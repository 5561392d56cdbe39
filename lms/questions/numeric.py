from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from lms.numbers import reading_number
from lms.questions.base import Grade, QuestionType, bank_number, number_text

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_number(text: str, unit: str = "") -> float | None:
    """A number as a learner types it: full-width digits, thousands
    separators (``1,234.5``, ``1，234``), a trailing unit (``62.5%``, ``800 万元``).
    None when it is not a number."""
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text)).strip()
    value = value.replace("，", ",").replace(" ", "").replace("\u3000", "").replace("\u2212", "-")
    # An accountant's negative, as the statements print it: (247.46) is −247.46.
    accounting = re.fullmatch(r"\(([\d,.]+)\)(.*)", value)
    if accounting:
        value = "-" + accounting.group(1) + accounting.group(2)
    value = re.sub(r"(?<=\d),(?=\d{3}(\D|$))", "", value)
    if unit:
        norm_unit = unicodedata.normalize("NFKC", unit).replace(" ", "")
        if norm_unit and value.endswith(norm_unit):
            value = value[: -len(norm_unit)]
    match = _NUMBER.match(value)
    if not match:
        return None
    rest = value[match.end():]
    # Anything after the number may only be a unit (letters, %, CJK), never more digits.
    if rest and re.search(r"[\d.,]", rest):
        return None
    try:
        return float(match.group(0))
    except ValueError:
        return None


def _decimal(number) -> Decimal:
    """A stored float as the decimal it was written as (repr is the shortest that reads back)."""
    return Decimal(repr(float(number)))


class Numeric(QuestionType):
    """Right within ``tolerance`` (absolute, boundaries included) of
    ``answer``, or inside one of ``ranges``."""

    code = "numeric"
    excel_name = "数值"
    bank_keys = ("answer", "tolerance", "unit")
    excel_aliases = ("计算", "计算题")
    secret_keys = ("answer", "tolerance", "ranges")

    def needs_calculator(self, data):
        return True

    def grade(self, data, answer, *, partial_credit=False):
        value = parse_number(answer, data.get("unit", "")) if answer not in (None, "") else None
        if value is None:
            return Grade(0.0)
        # Compared as the decimals written, not as binary floats: at 98,765,432.1 元 a float
        # difference of 0.1 comes out a little over 0.1 and refused the boundary.
        typed = _decimal(value)
        for low, high in data.get("ranges") or []:
            if _decimal(low) <= typed <= _decimal(high):
                return Grade(1.0)
        if "answer" in data and data["answer"] is not None:
            if abs(typed - _decimal(data["answer"])) <= _decimal(data.get("tolerance") or 0):
                return Grade(1.0)
        return Grade(0.0)

    # The right answer as the learner's review shows it: every digit kept and grouped in the reader's way
    # (1,500,000; lms.numbers). The trainer's key (key_text, in <code> in the console and the import preview)
    # stays as typed in the file, and bank files and Excel keep the bare number (bank_number).
    def correct_answer(self, data):
        if data.get("ranges"):
            return " / ".join(f"{reading_number(low)} – {reading_number(high)}" for low, high in data["ranges"])
        tol = data.get("tolerance")
        return reading_number(data.get("answer")) + (f" ± {reading_number(tol)}" if tol else "")

    def key_text(self, data):
        if "ranges" in data:
            return [f"{number_text(lo)} – {number_text(hi)}" for lo, hi in data["ranges"]]
        tol = data.get("tolerance")
        return [f"{number_text(data.get('answer'))}" + (f" ± {number_text(tol)}" if tol else "")
                + (f" {data['unit']}" if data.get("unit") else "")]

    def plan_lines(self, data):
        return [f"answer: {data.get('answer')} ± {data.get('tolerance', 0)} {data.get('unit', '')}".rstrip()]

    def simulated_answer(self, data, right, rng):
        value = data["answer"] if "answer" in data else sum(data["ranges"][0]) / 2
        return f"{value:g}" if right else f"{value * 1.5 + 1:g}"

    def bank_key_lines(self, data):
        lines = [f"answer: {bank_number(data['answer'])}"]
        if data.get("tolerance"):
            lines.append(f"tolerance: {bank_number(data['tolerance'])}")
        if data.get("unit"):
            lines.append(f"unit: {data['unit']}")
        return lines

    def excel_answer(self, data, stem):
        text = bank_number(data["answer"])
        if data.get("tolerance"):
            text += "±" + bank_number(data["tolerance"])
        if data.get("unit"):
            text += " " + data["unit"]
        return text, stem

    def parse_body(self, reader, body):
        body.data.update(reader.numeric())

    def from_excel_row(self, reader, row, stem, answer, options):
        return stem, reader.numeric(row, answer)
