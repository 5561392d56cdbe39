from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from lms.numbers import reading_number
from lms.questions.chinese_numbers import chinese_number
from lms.questions.base import Grade, QuestionType, bank_number, number_text

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")

# What a written unit is worth, by family: an answer in another unit of the key's
# family is converted (10万元 for a key in 元, 5‰ for a key in %); one of another
# family is not the key's quantity (10元 for a key in %). 万 and 亿 alone are
# figures (10万 for a key in 元 is 100,000 元).
_MONEY = {"元": 1, "千元": 10**3, "万元": 10**4, "十万元": 10**5, "百万元": 10**6, "千万元": 10**7, "亿元": 10**8,
          "万": 10**4, "亿": 10**8}
_RATIO = {"%": Decimal("0.01"), "‰": Decimal("0.001"), "‱": Decimal("0.0001"), "bp": Decimal("0.0001"),
          "bps": Decimal("0.0001"), "基点": Decimal("0.0001"), "个基点": Decimal("0.0001"),
          "百分点": Decimal("0.01"), "个百分点": Decimal("0.01")}
_FAMILIES = (_MONEY, _RATIO)  # a key without a unit, or with another, reads the figure as typed
# 百分之三点五, 千分之五, 万分之五 (the ratio said in words) are 3.5%, 5‰, 5‱.
_SAID_RATIO = re.compile(r"^(百分之|千分之|万分之)(.+)$")
_SAID_UNIT = {"百分之": "%", "千分之": "‰", "万分之": "‱"}


def _unit_key(unit: str) -> str:
    return unicodedata.normalize("NFKC", unit or "").replace(" ", "").lower()


def _family(unit: str):
    return next((family for family in _FAMILIES if _unit_key(unit) in family), None)


def in_unit(figure: str, written: str, unit: str) -> str | None:
    """``figure`` (as a trainer writes it: 1,200.5) in ``written`` as a figure in
    ``unit`` when both are units of one family (3.5 万 → 35000 元, 50 BP → 0.5 %),
    else None."""
    family = _family(unit)
    if family is None or _unit_key(written) not in family:
        return None
    try:
        value = Decimal(figure.replace(",", "").replace("，", "").replace("\u2212", "-"))
    except ArithmeticError:
        return None
    text = format(value * Decimal(family[_unit_key(written)]) / Decimal(family[_unit_key(unit)]), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def unit_kind_differs(written: str, unit: str) -> bool:
    """Both are units the grading knows, of different kinds (万 and %)."""
    return _family(written) is not None and _family(unit) is not None and _family(written) is not _family(unit)


def _figure(text: str) -> tuple[Decimal, str] | None:
    """The figure at the start of ``text`` (digits, or Chinese figures up to a
    unit) and what follows it."""
    match = _NUMBER.match(text)
    if match:
        return Decimal(match.group(0)), text[match.end():]
    for cut in range(len(text), 0, -1):
        value = chinese_number(text[:cut])
        if value is not None:  # 壹拾万元整: an amount in 元
            return value, ("元" if re.search("[元圆]", text[:cut]) else "") + text[cut:]
    return None


def parse_number(text: str, unit: str = "") -> float | None:
    """A number as a learner types it: full-width digits, thousands
    separators (``1,234.5``, ``1，234``), a trailing unit (``62.5%``, ``800 万元``),
    a unit of the key's own family converted (``10万元`` or ``壹拾万元整`` for a key
    in 元, ``5‰``, ``千分之五`` or ``50BP`` for a key in %), Chinese figures
    (``三点五``, ``百分之三点五``). None when it is not a number, or when its unit is
    of another kind than the key's (``10元`` for a key in %)."""
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text)).strip()
    value = _ZERO_WIDTH.sub("", value)  # pasted from WeChat: never seen, never part of the figure
    value = value.replace("，", ",").replace(" ", "").replace("\u3000", "").replace("\u2212", "-")
    # An accountant's negative, as the statements print it: (247.46) is −247.46.
    accounting = re.fullmatch(r"\(([\d,.]+)\)(.*)", value)
    if accounting:
        value = "-" + accounting.group(1) + accounting.group(2)
    value = re.sub(r"(?<=\d),(?=\d{3}(\D|$))", "", value)
    said = _SAID_RATIO.match(value)
    if said:
        value = said.group(2) + _SAID_UNIT[said.group(1)]
    norm_unit = _unit_key(unit)
    if norm_unit and value.lower().endswith(norm_unit):
        value = value[: -len(norm_unit)]
    in_words = _NUMBER.match(value) is None  # Chinese figures (a sign before them is read here)
    found = _figure(value[1:] if in_words and value[:1] in "+-" else value)
    if found is None:
        return None
    number, rest = found
    if in_words and rest and _family(rest) is None:
        return None  # Chinese figures and words after them (百分之, 三个多): not a number read with confidence
    if in_words and value[:1] == "-":
        number = -number
    # Anything after the number may only be a unit (letters, %, CJK), never more digits.
    if rest and re.search(r"[\d.,]", rest):
        return None
    family = _family(norm_unit)
    written = _unit_key(rest)
    if written and family is not None:
        if written in family:
            number = number * Decimal(family[written]) / Decimal(family[norm_unit])
        elif _family(written) is not None:
            return None  # 10元 for a key in %: not the quantity asked for
    try:
        return float(number)
    except (ValueError, ArithmeticError):
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
        if data.get("answer") is None:  # a draft in the editor whose answer is not a number yet (its problem says so)
            return []
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
