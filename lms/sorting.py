"""Natural order for lists people read: 第 2 周 before 第 10 周, week-2 before
week-10 (numbers inside a text compare as numbers)."""
from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"(\d+)")


def natural_key(text) -> tuple:
    """Sort key: the text split into runs of digits (compared as numbers) and
    the rest (compared case-insensitively; full-width digits count as digits)."""
    norm = unicodedata.normalize("NFKC", str(text or "")).casefold()
    # isdecimal, not isdigit: ``\d`` splits out decimal digits only, and int() refuses the other
    # "digits" (Ethiopic ፩, Kharosthi numerals), which a title may hold as text.
    return tuple((0, int(part), "") if part.isdecimal() else (1, 0, part) for part in _DIGITS.split(norm) if part)


def title_order(item) -> tuple:
    """Every list or picker of exams and certifications: current before retired,
    then by title in natural order, then by slug."""
    return (bool(getattr(item, "retired", False)), natural_key(item.title), natural_key(item.slug))


exam_order = title_order
