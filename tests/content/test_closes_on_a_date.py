"""An exam's ``closes_at`` is bank time (Asia/Shanghai), stored in UTC. A date
alone means the whole of that day: learners are let in until 23:59:59 China
time and the exam closes at 00:00 the next day (it used to close at the
first moment of the day it named)."""
from __future__ import annotations

from datetime import datetime

import pytest

from lms.content.source.parser import parse_exam


def _closes(value: str):
    exam, problems = parse_exam(f"id: e\ntitle: 测验\ncloses_at: {value}\ndraw:\n  - {{count: 1}}\n", "exams/e.yaml")
    return exam.closes_at if exam is not None else None, [p.message for p in problems]


@pytest.mark.parametrize("value, stored", [
    ("2026-12-31", datetime(2026, 12, 31, 16, 0)),  # a YAML date: through 31 December in Shanghai
    ("'2026-12-31'", datetime(2026, 12, 31, 16, 0)),  # the same written as a text
    ("2028-02-29", datetime(2028, 2, 29, 16, 0)),
    ("2026-03-31", datetime(2026, 3, 31, 16, 0)),  # the last day of a quarter
    ("2026-12-31 23:59", datetime(2026, 12, 31, 15, 59)),
    ("2026-12-31 00:00", datetime(2026, 12, 30, 16, 0)),  # a time given is the time meant
])
def test_a_date_alone_closes_after_that_day_in_china(value, stored):
    closes_at, problems = _closes(value)
    assert problems == [] and closes_at == stored


def test_a_day_that_does_not_exist_is_a_problem():
    closes_at, problems = _closes("'2026-02-29'")
    assert closes_at is None
    assert problems == ["'closes_at' must be a date and time like 2026-12-31 18:00 (got '2026-02-29')"]
