"""The words trainers write for a question's type and difficulty: the type
codes themselves, the Excel template's names (单选, 单选题, 案例…) and its
difficulty words (易 / 中 / 难…). A bank file, an exam's draw rules and an
Excel sheet all read them here.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms import questions as question_types
from lms.content.models import QUESTION_TYPES

# The 题型 names of the types a sheet row holds (a case spans rows of its own sheet).
TYPE_NAMES = {code: t.excel_name for code, t in question_types.TYPES.items() if not t.has_parts}
TYPE_ALIASES = {
    **{code: code for code in TYPE_NAMES}, **{name: code for code, name in TYPE_NAMES.items()},
    **{name + "题": code for code, name in TYPE_NAMES.items()},
    **{alias: code for code, t in question_types.TYPES.items() for alias in t.excel_aliases},
}
CASE_TYPE = next(code for code, t in question_types.TYPES.items() if t.has_parts)
DIFFICULTY_NAMES = {"easy": "易", "medium": "中", "hard": "难"}
DIFFICULTY_ALIASES = {"易": "easy", "简单": "easy", "容易": "easy", "easy": "easy", "中": "medium", "中等": "medium",
                      "一般": "medium", "medium": "medium", "难": "hard", "困难": "hard", "较难": "hard",
                      "hard": "hard"}


# What a type and a difficulty are called on a page and in a problem message
# ("单选题", not "single": the code is what a trainer writes, not what he reads).
TYPE_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "truefalse": _l("True or false"),
    "fill": _l("Fill in the blanks"),
    "numeric": _l("Numeric"),
    "essay": _l("Essay"),
    "case": _l("Case"),
}
DIFFICULTY_LABELS = {"easy": _l("Easy"), "medium": _l("Medium"), "hard": _l("Hard")}


def type_label(code: str) -> str:
    """The name of the type ``code`` in the reader's language (the code itself when unknown)."""
    label = TYPE_LABELS.get(code)
    return str(label) if label is not None else code


def difficulty_label(code: str) -> str:
    label = DIFFICULTY_LABELS.get(code)
    return str(label) if label is not None else code


def type_code(value: str) -> str:
    """The type code, written as such or with the Excel template's names for
    it (单选, 单选题, 案例…), which trainers write in a bank file too."""
    value = value.strip()
    word = value.replace(" ", "").lower()
    if value in QUESTION_TYPES:
        return value
    return TYPE_ALIASES.get(word) or (CASE_TYPE if word in ("案例", "案例题", "案例分析", "案例分析题") else value)


def difficulty_code(value: str) -> str:
    """easy / medium / hard, or 易 / 中 / 难 (and the Excel template's other words)."""
    value = value.strip()
    return DIFFICULTY_ALIASES.get(value.lower(), value)
