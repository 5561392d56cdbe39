"""Punctuation that belongs to the reader's language (README, Languages).

Chinese writes 得分：80, 第 1 周、第 2 周, 自 2026-03-01 起（11 个月）; English
Score: 80, Week 1, Week 2, since 2026-03-01 (11 months). The punctuation is
inside a translated string, so each language writes its own: templates use
these as filters, Python code calls them.
"""
from __future__ import annotations

import re

from flask_babel import pgettext
from markupsafe import Markup

_HAN = re.compile(r"[\u3400-\u9fff]")


def label(text) -> str:
    """A label before its value, punctuated by the reader's language: "Score: "
    in English, "得分：" in Chinese (README, Languages). Templates write
    ``{{ _("Score")|label }}{{ value }}``, never a colon of their own after a
    translated word."""
    return _format(pgettext("label before its value", "%(label)s: "), label=text)


def aside(text) -> str:
    """Words in brackets after what they explain: " (E1001)" around a number or
    code in every language, "（11 个月）" around Chinese in Chinese. Written
    straight after the word, without a space: ``{{ name }}{{ code|aside }}``."""
    if _HAN.search(str(text)):
        return _format(pgettext("brackets around words", " (%(words)s)"), words=text)
    return _format(" (%(words)s)", words=text)


def listing(items) -> str:
    """Items in a sentence: "Week 1, Week 2" in English, "第 1 周、第 2 周" in
    Chinese (the enumeration comma)."""
    return _join(pgettext("list separator", ", "), items)


def clauses(parts) -> str:
    """Clauses of one remark: "due 2026-12-01, done 2026-11-30" in English,
    "2026-12-01 到期，2026-11-30 完成" in Chinese."""
    return _join(pgettext("between clauses", ", "), parts)


def statements(parts) -> str:
    """Statements side by side: "Course: AML; Version: 2" in English,
    "课程：反洗钱；版本：2" in Chinese."""
    return _join(pgettext("between statements", "; "), parts)


# Full-width punctuation ends a Chinese sentence or clause (。！？；：，、）」』”): the next one follows it
# without a space. After anything else (". ", "3 passed.") a space, as English writes.
_FULL_WIDTH_END = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f\u201d\u2019\u2026]$")


def sentences(parts) -> str:
    """Sentences one after another: "Saved. Week 2 moves." in English,
    "已保存。第 2 周顺延。" in Chinese — a space after an English full stop,
    none after a Chinese one (README, Languages). Empty parts are left out."""
    items = [item for item in parts if item]
    if not items:
        return Markup("") if any(isinstance(item, Markup) for item in parts) else ""
    html = any(isinstance(item, Markup) for item in items)
    joined = items[0] if html else str(items[0])
    for item in items[1:]:
        end = joined.striptags() if isinstance(joined, Markup) else str(joined).rstrip()
        gap = "" if _FULL_WIDTH_END.search(end) else " "
        joined = (Markup("{}{}{}").format(joined, Markup(gap), item) if html
                  else str(joined).rstrip() + gap + str(item))
    return joined


def labelled(name, value) -> str:
    """"Name: value" (an audit detail, an export cell) in the reader's punctuation."""
    return label(name) + (value if isinstance(value, Markup) else str(value))


def _format(pattern: str, **values):
    """Plain text from plain text; HTML (a translated string in a template,
    whose values are already escaped) stays HTML, so nothing is escaped twice."""
    if any(isinstance(v, Markup) for v in values.values()):
        return Markup(pattern) % values
    return pattern % {key: str(v) for key, v in values.items()}


def _join(separator: str, items):
    items = list(items)
    if any(isinstance(item, Markup) for item in items):
        return Markup(separator).join(items)
    return separator.join(str(item) for item in items)
