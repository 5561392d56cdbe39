"""A date in a content file is a day between 1900-01-01 and 2999-12-31 (the days the app reckons
with, as the address's dates: ``lms.query_dates``). A programme starting on 9999-12-27 counted its
weeks past the last day Python holds, and an exam closing on 9999-12-31 closes the moment after it:
``flask content check`` stopped with OverflowError, and the schedule page answered "not found". Now
each is a problem at its file, line and key, and nothing is published."""
from __future__ import annotations

import pytest

from lms.content.source.parser import parse_exam, parse_programme


def _programme(start: str, week: str = "{title: 第1周, lessons: [p/a], exam: e1}"):
    return parse_programme(f"id: rm\ntitle: 培训\nstart: {start}\nweeks:\n  - {week}\n", "programmes/rm.yaml")


@pytest.mark.parametrize("start, week, key", [
    ("9999-12-27", "{title: 第1周, lessons: [p/a], exam: e1}", "start"),
    ("0001-01-01", "{title: 第1周, lessons: [p/a], exam: e1}", "start"),
    ("2026-09-07", "{title: 第1周, lessons: [p/a], exam: e1, due: 9999-12-31}", "due"),
    ("2026-09-07", "{title: 第1周, lessons: [p/a], exam: e1, opens: 9999-12-31}", "opens"),
])
def test_a_programme_date_outside_the_years_is_a_problem_at_its_line(start, week, key):
    programme, problems = _programme(start, week)
    messages = [f"{p.source.path}:{p.source.line} {p.message}" for p in problems]
    assert any(m.startswith("programmes/rm.yaml:") and f"'{key}'" in m and "1900-01-01" in m and "2999-12-31" in m
               for m in messages), messages


def test_a_programme_in_the_years_has_no_such_problem():
    programme, problems = _programme("2999-12-02")
    assert problems == [] and programme.items[0].due_on.isoformat() == "2999-12-08"


@pytest.mark.parametrize("value", ["9999-12-31", "'9999-12-31'", "9999-12-31 23:00", "0001-01-01 00:00"])
def test_an_exam_closing_outside_the_years_is_a_problem(value):
    exam, problems = parse_exam(f"id: e\ntitle: 测验\ncloses_at: {value}\ndraw:\n  - {{count: 1}}\n", "exams/e.yaml")
    assert [p.message for p in problems] == [
        f"'closes_at' must be a day between 1900-01-01 and 2999-12-31 (got '{value.strip(chr(39))}')"]
