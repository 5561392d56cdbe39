"""Numbers a person reads, in the reader's digit grouping: 20,000 people,
1,500,000 as a numeric question's key, 10,485,760 bytes (README, Languages).

Never for what is typed back or read by a program: CSV and XLSX cells stay
numbers, and ids, years, employee numbers, serials and form values are written
as they are. Every decimal is kept (3327.591 stays 3,327.591): a key is not
rounded to the locale's three places.
"""
from __future__ import annotations

import math
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal
from flask_babel import get_locale, get_translations


def reading_number(value) -> str:
    """``1500000`` → "1,500,000"; ``3327.591`` → "3,327.591"; ``2.0`` → "2".
    Anything that is not a finite number is returned as text."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        value = int(value) if value.is_integer() else Decimal(repr(value))
    locale = get_locale()
    name = str(locale) if locale else "zh_CN"
    if type(value) is int:
        return _whole(value, name)
    return format_decimal(value, locale=name, decimal_quantization=False)


@lru_cache(maxsize=8192)
def _whole(value: int, locale: str) -> str:
    """A whole number in the locale's grouping, worked out once: the branch totals of a bank
    write ~10,000 counts (a few hundred distinct ones), ~40 µs each through Babel."""
    return format_decimal(value, locale=locale, decimal_quantization=False)


def plural_forms(singular: str, plural: str) -> tuple[str, str]:
    """The translated message for one and for more than one ("only %(n)d week
    due so far" / "… weeks …"), looked up once where a page formats it for many
    rows: ``forms[n != 1] % values``. Chinese has one form for both.
    (``flask i18n`` extracts it as it does ngettext.)"""
    translations = get_translations()
    return translations.ungettext(singular, plural, 1), translations.ungettext(singular, plural, 2)


def counted(singular: str, plural: str, count: int, /, **values) -> str:
    """ngettext whose count reads as a number: ``counted("%(num)s learner",
    "%(num)s learners", 1204)`` → "1,204 learners", and "1 learner" for one
    (flask-babel's own prints ``%(num)d`` bare). Other values are filled in as
    given. (``flask i18n`` extracts it as it does ngettext.)"""
    text = get_translations().ungettext(singular, plural, count)
    return text % {**values, "num": reading_number(count)}
