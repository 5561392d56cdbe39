"""What every question type knows: how to grade an answer, how to read one
from a submitted form, what of its data a learner may see before the attempt is
finalised, how its options are shuffled, and which template renders it.

The shapes of ``data`` and of a stored answer per type are documented in
lms/content/schema.py.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from flask import render_template
from markupsafe import Markup


# The longest text a learner may type in one answer box (an essay of ten
# pages), counted as they count it: characters typed, a line break one.
MAX_ANSWER_CHARS = 20_000


def typed_length(answer) -> int:
    """The characters typed in the longest text box of an answer (an essay,
    a blank, a case's part), as the learner counts them and the page's counter
    shows them: not the stored JSON's quotes and escapes."""
    if answer is None:
        return 0
    if isinstance(answer, str):
        return len(answer.replace("\r\n", "\n"))
    if isinstance(answer, dict):
        return max((typed_length(v) for v in answer.values()), default=0)
    if isinstance(answer, (list, tuple)):
        return max((typed_length(v) for v in answer), default=0)
    return len(str(answer))


@dataclass
class Grade:
    """``fraction`` of the points earned, 0..1, or None when a person must
    grade (an essay, or a case with an essay part). ``parts`` holds the grade of
    each part of a case, by part id."""

    fraction: float | None
    parts: dict[str, Grade] = field(default_factory=dict)

    @property
    def needs_grading(self) -> bool:
        return self.fraction is None

    @property
    def correct(self) -> bool | None:
        return None if self.fraction is None else self.fraction >= 1.0

    def to_dict(self) -> dict:
        out: dict = {"fraction": self.fraction}
        if self.parts:
            out["parts"] = {k: g.to_dict() for k, g in self.parts.items()}
        return out


class UnknownOption(ValueError):
    """A submitted option value that this question's page never carried: a
    bank letter, another attempt's value, a forged one."""


class OptionValues:
    """The values the options of one attempt carry in the learner's form.

    Opaque and different in every attempt (an HMAC of the app's secret, the
    attempt's salt, the field and the bank's key), so that neither the bank's
    letter nor a value copied from another attempt tells or picks an option:
    "always answer B" is as good as guessing, and keys cannot be shared across
    shuffles. The server maps a value back to the bank's key (``key``); what
    is stored and graded is in the bank's terms."""

    def __init__(self, secret: str | bytes, salt: str):
        self._secret = secret.encode() if isinstance(secret, str) else bytes(secret)
        self._salt = salt

    def value(self, name: str, key: str) -> str:
        digest = hmac.new(self._secret, f"{self._salt}\x1f{name}\x1f{key}".encode(), hashlib.sha256).hexdigest()
        return "o" + digest[:12]

    def key(self, name: str, value: str, keys) -> str:
        """The bank's key of the option that ``value`` stands for; UnknownOption otherwise."""
        sent = str(value).encode()  # compare_digest compares bytes; a str of non-ASCII (Ｂ) raised TypeError
        for key in keys:
            if hmac.compare_digest(self.value(name, key).encode(), sent):
                return key
        raise UnknownOption(value)


def option_value(values: OptionValues | None, name: str, key: str) -> str:
    """The value of option ``key`` in the form field ``name``: the bank's key
    itself where nothing is recorded (practice in the 错题本)."""
    return key if values is None else values.value(name, key)


def number_text(value) -> str:
    """A number as a trainer writes it: ``2.0`` → ``"2"``, ``0.5`` → ``"0.5"``,
    in full: ``1500000.0`` → ``"1500000"`` and ``3327.591`` → ``"3327.591"``
    (``:g`` made them ``1.5e+06`` and ``3327.59``)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def bank_number(value: float) -> str:
    """A number as the bank file writes it: ``2`` not ``2.0``, else in full."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# 以上 / 上述 refer to the options only when what follows says so: 以上都是,
# 以上均不正确, 以上皆非, 以上选项/说法/答案/各项/三项/A 和 B, or nothing at all.
# "以上海为例" and "上述情形下…" are ordinary options and shuffle.
_ABOUT_THE_OTHERS = re.compile(
    r"^(?:(?:以上|上述)(?:$|[都均皆全各几两二三四五六七八九十]|选项|说法|答案|做法|情况都|\s*[A-H](?:[\s、,，和与及+]*[A-H])*(?![A-Za-z])|\s*[。.!！]?$)"
    r"|(?:all|none|both|neither)\s+of\s+(?:the\s+)?(?:above|previous|these|those|options))", re.I)


def refers_to_the_others(option_text: str) -> bool:
    """An option that only means something where it is written: 以上都是, 以上都不是,
    上述选项均正确, All of the above, None of the above (markdown emphasis aside)."""
    text = unicodedata.normalize("NFKC", option_text or "").strip().lstrip("*_ ")
    return bool(_ABOUT_THE_OTHERS.match(text))


def normalise_text(value: str) -> str:
    """NFKC (full-width → half-width), every kind of space removed, case folded:
    ``" ＡＢＣ 银行 "`` and ``"abc银行"`` compare equal."""
    value = unicodedata.normalize("NFKC", value or "")
    # Zero-width characters (a key or an answer pasted from WeChat) are as invisible as spaces.
    return "".join(ch for ch in value if not ch.isspace() and ch not in _ZERO_WIDTH).casefold()


_ZERO_WIDTH = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


@dataclass
class BankBody:
    """A question's body as the bank parser has read it so far; the type's
    ``parse_body`` fills in ``data`` (and may rewrite the stem or the points)."""

    stem: str
    stem_lines: list
    options: list
    part_blocks: list
    points: float
    data: dict


class QuestionType:
    """One type of question. Every caller that needs to know something per
    type (the bank format, the Excel sheet, the trainer's views, the demo)
    asks the type through the registry; ``REGISTRY_METHODS`` lists what each
    type answers."""

    code: str = ""
    has_options: bool = False
    # A case holds parts (each of its own type) instead of an answer of its own.
    has_parts: bool = False
    # Keys of ``data`` that give the answer away; ``public_data`` drops them.
    secret_keys: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        return f"exams/types/_{self.code}.html"

    # --- grading -----------------------------------------------------------
    def grade(self, data: dict, answer, *, partial_credit: bool = False) -> Grade:
        raise NotImplementedError

    def is_answered(self, answer) -> bool:
        return answer not in (None, "", [], {})

    # --- the learner's side ------------------------------------------------
    def answer_from_form(self, data: dict, form, name: str, values: OptionValues | None = None):
        """The answer as stored (options by the bank's keys), read from the
        form fields named ``name`` (and ``name-<n>``); None when the form
        carries nothing for it. With ``values``, options are read as those
        opaque values and any other value raises UnknownOption."""
        value = form.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def needs_calculator(self, data: dict) -> bool:
        """Does the exam page offer its built-in calculator with this question
        (a calculation: numeric answers, cases with a numeric part)?"""
        return False

    def public_data(self, data: dict) -> dict:
        """What the exam page may show while the attempt is open."""
        return {k: v for k, v in data.items() if k not in self.secret_keys}

    def option_order(self, data: dict, rng: random.Random, shuffle: bool):
        """The order options are shown in (stored per attempt item), or None."""
        if not self.has_options:
            return None
        options = data.get("options", [])
        keys = [o["key"] for o in options]
        if shuffle:
            # "以上都是" / "None of the above" speaks of the options written before it:
            # it keeps its place, the others are shuffled around it.
            movable = [i for i, o in enumerate(options) if not refers_to_the_others(o.get("text", ""))]
            moved = [keys[i] for i in movable]
            rng.shuffle(moved)
            for i, key in zip(movable, moved):
                keys[i] = key
        return keys

    def correct_answer(self, data: dict):
        """The key, for the review after the attempt is finalised."""
        return None

    # --- what a trainer reads ---------------------------------------------
    def key_text(self, data: dict) -> list[str]:
        """The key in words, one entry a line, for the console's question page."""
        raise NotImplementedError

    def rubric(self, data: dict) -> str | None:
        """The rubric's markdown for whoever grades by hand, or None."""
        return None

    def parts(self, data: dict) -> list[dict]:
        """The parts (each ``{"id", "type", "stem", "points", "data"}``) of a case."""
        return []

    def text_lines(self, data: dict) -> list[str]:
        """The data as plain text, one fact a line, for diffs between versions."""
        return [f"{k}: {v}" for k, v in sorted(data.items())]

    # The key is a truth value (``key_text`` gives true / false): pages show it
    # in the reader's words (对 / 错), as the exam does.
    truth_key: bool = False

    def plan_lines(self, data: dict) -> list[str]:
        """The key as written in a planned bank entry (the content plan's draft)."""
        raise NotImplementedError

    # --- the bank format (content/FORMAT.md) -------------------------------
    def bank_key_lines(self, data: dict) -> list[str]:
        """The type's own ``key: value`` lines under the question's heading."""
        return []

    def bank_body(self, stem: str, data: dict, guard) -> tuple[str, list[str] | None]:
        """The stem as the bank writes it and the section after it (None: no
        section). ``guard`` refuses text that would not read back as written:
        ``guard.text(text, what)``, ``guard.option(option)`` → (text, feedback),
        ``guard.blank_answer(answer)``."""
        return stem, None

    # The bank's own ``key: value`` lines for the type; an essay's 评分要点 section.
    bank_keys: tuple[str, ...] = ()
    has_rubric: bool = False

    def parse_body(self, reader, body: BankBody) -> None:
        """Read the type's data from the bank format through ``reader`` (the
        bank parser, which words and places the problems it finds)."""
        raise NotImplementedError

    # --- the Excel sheet (lms/content/importers/xlsx.py) -------------------
    # The 题型 cell's name, and other names a bank's sheet may use for the type.
    excel_name: str = ""
    excel_aliases: tuple[str, ...] = ()

    def excel_answer(self, data: dict, stem: str) -> tuple[str, str]:
        """(答案 cell, stem as the sheet writes it)."""
        return "", stem

    def from_excel_row(self, reader, row, stem: str, answer: str, options: list) -> tuple[str, dict]:
        """(stem, data) read from one sheet row through ``reader`` (the Excel
        importer, which words and places the problems it finds)."""
        raise NotImplementedError

    # --- the demo ------------------------------------------------------------
    def simulated_answer(self, data: dict, right: bool, rng: random.Random):
        """A well-formed answer of the type, right or wrong (demo results)."""
        raise NotImplementedError

    # --- rendering ---------------------------------------------------------
    def render(self, *, name: str, data: dict, answer, order, stem_html, review: bool,
               explanation_html: str = "", grade: dict | None = None, points: float | None = None,
               autosave_url: str | None = None, saved_target: str | None = None,
               values: OptionValues | None = None, course_slug: str | None = None, own: bool = True,
               answered: bool = True) -> Markup:
        """The input widget (``review=False``: only public data reaches the
        template) or the review (the answer, the key, the explanation).
        ``course_slug``: the question's course, whose images the relative
        links of its options and rubric show (``QuestionVersion.course_slug``).
        ``own``: the reader gave the answer ("your answer"); False for anyone
        else reading it (a mentor, HR, a trainer: "the learner's answer").
        ``answered`` False: nobody answered it (a trainer's sample paper): the
        question with its key and explanation, and no answer line at all."""
        shown = data if review else self.public_data(data)
        options = []
        if self.has_options:
            by_key = {o["key"]: o for o in shown.get("options", [])}
            options = [by_key[k] for k in (order or list(by_key)) if k in by_key]
        html = render_template(
            self.template, qtype=self, name=name, data=shown, answer=answer, options=options,
            stem_html=Markup(stem_html or ""), review=review,
            explanation_html=Markup(explanation_html or "") if review else Markup(""),
            key=self.correct_answer(data) if review else None, grade=grade if review else None,
            points=points, autosave_url=autosave_url, saved_target=saved_target, max_chars=MAX_ANSWER_CHARS,
            value_of=lambda key: option_value(values, name, key), links=course_slug, own=own,
            answered=answered,
        )
        if review:
            html += render_template("exams/types/_explanation.html", explanation_html=Markup(explanation_html or ""),
                                    grade=grade, points=points)
        return Markup(html)


# Every method a registered type answers (tests/questions check each type has
# its own or a deliberate default from QuestionType).
REGISTRY_METHODS = ("grade", "is_answered", "answer_from_form", "public_data", "option_order", "correct_answer",
                    "render", "key_text", "parse_body", "bank_key_lines", "bank_body", "excel_answer", "from_excel_row", "rubric", "parts", "text_lines", "plan_lines", "simulated_answer",
                    "needs_calculator")
