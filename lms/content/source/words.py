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


# How a trainer writes the key of a true/false question, in a bank file and in
# an Excel sheet alike (对 / 错, √ / ×, 是 / 否, 正确 / 错误, T / F…).
TRUE_WORDS = frozenset({"对", "正确", "是", "√", "✓", "✔", "t", "true", "y", "yes"})
FALSE_WORDS = frozenset({"错", "错误", "否", "×", "✗", "✘", "x", "f", "false", "n", "no"})


def truth_value(word: str) -> bool | None:
    """True or False for a word of TRUE_WORDS / FALSE_WORDS (any case, spaces around), else None."""
    word = word.strip().strip("\"'“”‘’「」『』").strip().lower()  # answer: “对”, as in YAML's quotes
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


# Question types other tools have that this format does not: the words trainers
# write for them, and what to write instead.
MATCHING_WORDS = frozenset({"matching", "match", "配对", "配对题", "匹配", "匹配题", "连线", "连线题"})
ORDERING_WORDS = frozenset({"ordering", "order", "sorting", "排序", "排序题"})


def unsupported_type_hint(value: str) -> str | None:
    """What to write instead of a matching or an ordering question, or None."""
    word = value.replace(" ", "").lower()
    if word in MATCHING_WORDS:
        return str(_l("there is no matching question: write it as a case (type: case) with one part "
                      "(### a, ### b…, type: single) for each item to match, its options the choices it "
                      "is matched with"))
    if word in ORDERING_WORDS:
        return str(_l("there is no ordering question: write it as a single choice whose options are "
                      "orders (评估 → 匹配 → 揭示), or as a case with one part for each step "
                      "(第一步是…?)"))
    return None
