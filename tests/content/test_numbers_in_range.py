"""A whole number in a content file fits what the app keeps and reckons with. An exam's
``time_limit: 99999999999999999999`` passed the check: publishing it failed on the database's
integer column (PostgreSQL: out of range; SQLite: too large to bind), and a deadline that far
after now is past the last day Python holds; a certification valid for that many months failed
every certificate issued under it. Each is now a problem at its file and key, and nothing is
published; a number within the range still reads as written."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from lms.content.source.credentials import parse_certification
from lms.content.source.parser import parse_exam, parse_lesson

HUGE = "99999999999999999999"


def _messages(problems) -> list[str]:
    return [f"{p.source.path}:{p.source.line} {p.message}" for p in problems]


@pytest.mark.parametrize("key", ["time_limit", "cooldown", "attempts", "focus_loss_limit"])
def test_an_exam_number_too_large_is_a_problem_at_its_key(app, key):
    with force_locale("en"):
        exam, problems = parse_exam(f"id: e\ntitle: 测验\n{key}: {HUGE}\ndraw:\n  - {{count: 1}}\n", "exams/e.yaml")
    assert any(m.startswith("exams/e.yaml:3 ") and f"'{key}'" in m and "at most" in m for m in _messages(problems)), \
        _messages(problems)


def test_a_draw_count_too_large_is_a_problem(app):
    with force_locale("en"):
        _exam, problems = parse_exam(f"id: e\ntitle: 测验\ndraw:\n  - {{count: {HUGE}}}\n", "exams/e.yaml")
    assert any("'count'" in m and "at most" in m for m in _messages(problems)), _messages(problems)


def test_exam_numbers_within_the_range_read_as_written(app):
    exam, problems = parse_exam("id: e\ntitle: 测验\ntime_limit: 600\ncooldown: 10080\nattempts: 1000\n"
                                "focus_loss_limit: 50\ndraw:\n  - {count: 1}\n", "exams/e.yaml")
    assert problems == []
    assert (exam.time_limit_minutes, exam.cooldown_minutes, exam.max_attempts, exam.focus_loss_limit) == \
        (600, 10080, 1000, 50)


def test_a_lessons_minutes_too_large_is_a_problem(app):
    with force_locale("en"):
        _lesson, problems = parse_lesson(f"---\nid: a\ntitle: 课\nminutes: {HUGE}\n---\n正文\n", "courses/p/a.md", "p", 1)
    assert any("'minutes'" in m and "at most" in m for m in _messages(problems)), _messages(problems)


def _certification(validity, window, months="12"):
    return parse_certification(f"id: rmq\ntitle: 上岗资格\nserial_prefix: RMQ\nvalidity_months: {validity}\n"
                               f"renewal_window_days: {window}\nrequires:\n  signoff: true\n  tenure:\n"
                               f"    - {{positions: [teller], months: {months}}}\n", "certifications/rmq.yaml")


@pytest.mark.parametrize("validity, window, months, key", [
    (HUGE, "90", "12", "validity_months"), ("1201", "90", "12", "validity_months"),
    ("24", HUGE, "12", "renewal_window_days"), ("24", "3661", "12", "renewal_window_days"),
    ("24", "90", HUGE, "months"),
])
def test_a_certification_number_too_large_is_a_problem(app, validity, window, months, key):
    with force_locale("en"):
        _cert, problems = _certification(validity, window, months)
    assert any(f"'{key}'" in m and "at most" in m for m in _messages(problems)), _messages(problems)


def test_a_certification_within_the_range_reads_as_written(app):
    cert, problems = _certification("1200", "3660", "600")
    assert problems == [] and cert.validity_months == 1200 and cert.renewal_window_days == 3660
