"""Numbers as relationship managers write them in Chinese: 三点五, 一千二百,
and the capital figures of a cheque or a loan contract (壹拾万元整,
叁仟伍佰元伍角). Used by the numeric question's reading of an answer
(``lms.questions.numeric.parse_number``)."""
from __future__ import annotations

import re
from decimal import Decimal

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "三": 3, "叁": 3, "參": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
          "九": 9, "玖": 9}
SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
# A whole Chinese number, with the 元角分 of an amount and the 整 that closes it.
CHINESE_NUMBER = re.compile("^[%s]+$" % "".join([*DIGITS, *SMALL, *LARGE, "点", "點", "元", "圆", "角", "分", "整", "正"]))


def _integer(text: str) -> int | None:
    """一千二百三十四万五千 → 12345000; 十五 → 15; None when not a number."""
    if not text:
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            if digit is not None and DIGITS[ch] != 0:
                return None  # two digits in a row: 一二 is no number
            digit = DIGITS[ch] if DIGITS[ch] else None
        elif ch in SMALL:
            section += (1 if digit is None else digit) * SMALL[ch]
            digit = None
        elif ch in LARGE:
            section += digit or 0
            if section == 0 and total == 0:
                return None
            total = (total + section) * LARGE[ch] if LARGE[ch] > 10_000 else total + section * LARGE[ch]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def chinese_number(text: str) -> Decimal | None:
    """The value of a number written in Chinese characters (small or capital
    figures), or None. ``三点五`` → 3.5, ``壹拾万元整`` → 100000,
    ``叁仟伍佰元伍角`` → 3500.5, ``一万二`` → 12000 (the short way of saying it)."""
    if not text or not CHINESE_NUMBER.match(text):
        return None
    text = text.removesuffix("整").removesuffix("正")
    fraction = Decimal(0)
    money = re.fullmatch(r"(.*?)[元圆](?:(.)角)?(?:(.)分)?", text)
    if money:
        text = money.group(1)
        for figure, place in ((money.group(2), Decimal("0.1")), (money.group(3), Decimal("0.01"))):
            if figure:
                if figure not in DIGITS:
                    return None
                fraction += DIGITS[figure] * place
    whole, _, decimals = text.replace("點", "点").partition("点")
    if decimals:
        if any(ch not in DIGITS for ch in decimals):
            return None
        fraction += Decimal("0." + "".join(str(DIGITS[ch]) for ch in decimals))
    # 一万二 (spoken): the figure after the last large unit counts in the unit below it.
    short = re.fullmatch(r"(.*[万萬亿億千仟百佰])([%s])" % "".join(DIGITS), whole)
    if short and short.group(2) not in "零〇" and whole[-2] in {**SMALL, **LARGE}:
        unit = {**SMALL, **LARGE}[whole[-2]]
        below = {10_000: 1000, 100_000_000: 10_000_000, 1000: 100, 100: 10}.get(unit)
        head = _integer(short.group(1))
        if below and head is not None:
            return Decimal(head + DIGITS[short.group(2)] * below) + fraction
    if not whole:
        return fraction if (decimals or money) else None
    value = _integer(whole)
    return None if value is None else Decimal(value) + fraction
