"""A GIFT file holds at most as many questions as an Excel sheet (5,000):
the reader stops there with a problem instead of spending minutes of a
request on a file of a hundred thousand questions."""
from __future__ import annotations

import time

from lms.content.importers.gift import read_gift
from lms.content.importers.xlsx_sheet import MAX_ROWS


def _questions(n: int) -> str:
    return "".join(f"::q{i}:: 题干 {i} {{=甲 ~乙 ~丙}}\n\n" for i in range(n))


def test_a_file_of_too_many_questions_is_refused_early(app):
    text = _questions(MAX_ROWS + 1) + _questions(40_000)  # ~2 MB: about a minute to read whole
    started = time.perf_counter()
    result = read_gift(text, "huge.gift.txt")
    elapsed = time.perf_counter() - started
    assert not result.questions
    assert len(result.problems) == 1
    message = str(result.problems[0].message)
    assert str(MAX_ROWS) in message and str(2 * MAX_ROWS + 1) in message  # the limit, at the 5,001st question
    print(f"read in {elapsed:.1f} s")


def test_a_file_of_the_most_questions_is_read(app):
    result = read_gift("$CATEGORY: 存款\n\n" + _questions(60), "bank.gift.txt")
    assert not result.problems and len(result.questions) == 60
