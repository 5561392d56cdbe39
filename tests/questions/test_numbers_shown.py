"""The right answer of a numeric question reads as the trainer wrote it: a
learner who failed read 正确答案: 310.0 ± 1.0 元 on the result page, and the key
of a large or precise answer came out as 1.5e+06 or rounded to six digits.
On the learner's review every digit stays, grouped as a banker reads an amount:
1,500,000 (lms.numbers), where the page printed 1500000."""
from __future__ import annotations

import pytest

from lms import questions


@pytest.mark.parametrize("data, shown", [
    ({"answer": 310.0, "tolerance": 1.0, "unit": "元"}, "310 ± 1"),
    ({"answer": 9100.0, "tolerance": 0.0}, "9,100"),
    ({"answer": 15.1, "tolerance": 0.2}, "15.1 ± 0.2"),
    ({"answer": 1500000.0}, "1,500,000"),
    ({"answer": 3327.591, "tolerance": 0.005}, "3,327.591 ± 0.005"),
    ({"answer": 0.0000001}, "0.0000001"),
    ({"ranges": [[1.0, 2.5]]}, "1 – 2.5"),
])
def test_the_learner_reads_the_right_answer_as_written(data, shown):
    assert questions.get("numeric").correct_answer(data) == shown


def test_the_trainers_key_keeps_every_digit():
    numeric = questions.get("numeric")
    # The trainer's key is shown as typed in the file (in <code>), and the bank file keeps the bare number.
    assert numeric.key_text({"answer": 1500000.0, "unit": "元"}) == ["1500000 元"]
    assert numeric.key_text({"answer": 3327.591, "tolerance": 0.01}) == ["3327.591 ± 0.01"]
    assert numeric.bank_key_lines({"answer": 1500000.0}) == ["answer: 1500000"]
    assert questions.number_text(0.0000001) == "0.0000001" and questions.number_text(2) == "2"
