"""How scores, points and percentages are written, everywhere: pages,
messages, exports. One rule so that the same result never reads two ways."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ONE_DECIMAL = Decimal("0.1")


def score(value) -> str:
    """At most one decimal, rounded half up, without a trailing ``.0``:
    6.3334 → "6.3", 3.0 → "3", 87.5 → "87.5", 6.25 → "6.3". None → "—"."""
    if value is None or value == "":
        return "—"
    try:
        rounded = Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    if rounded == 0:
        return "0"  # never "-0"
    text = f"{rounded:f}"
    return text[:-2] if text.endswith(".0") else text
