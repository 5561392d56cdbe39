"""Every question type's grading, with the edge cases learners hit."""
from __future__ import annotations

import pytest

from lms.questions import get, grade, parse_number

SINGLE = {"options": [{"key": "A", "text": "1"}, {"key": "B", "text": "2"}], "correct": ["B"]}
MULTI = {"options": [{"key": k, "text": k} for k in "ABCD"], "correct": ["A", "B", "D"]}


@pytest.mark.parametrize("answer, expected", [("B", 1.0), ("A", 0.0), (None, 0.0), ("", 0.0)])
def test_single_is_exact(answer, expected):
    assert grade("single", SINGLE, answer).fraction == expected


@pytest.mark.parametrize("answer, expected", [(True, 1.0), (False, 0.0), (None, 0.0)])
def test_truefalse(answer, expected):
    assert grade("truefalse", {"correct": True}, answer).fraction == expected


@pytest.mark.parametrize("answer, partial, expected", [
    (["A", "B", "D"], False, 1.0),
    (["A", "B"], False, 0.0),          # all or nothing
    (["A", "B"], True, 2 / 3),         # two of three right
    (["A", "B", "C"], True, 1 / 3),    # two right minus one wrong
    (["A", "C"], True, 0.0),           # one right minus one wrong
    (["C"], True, 0.0),                # floored at 0, never negative
    ([], True, 0.0),
    (None, True, 0.0),
])
def test_multiple_all_or_nothing_or_partial(answer, partial, expected):
    assert grade("multiple", MULTI, answer, partial_credit=partial).fraction == pytest.approx(expected)


def test_multiple_uses_gift_weights_when_present():
    data = dict(MULTI, correct=["A", "B"], weights={"A": 50, "B": 50, "C": -100, "D": -25})
    assert grade("multiple", data, ["A"], partial_credit=True).fraction == pytest.approx(0.5)
    assert grade("multiple", data, ["A", "D"], partial_credit=True).fraction == pytest.approx(0.25)
    assert grade("multiple", data, ["A", "C"], partial_credit=True).fraction == 0.0  # floored
    # The question's own weights score it even in an all-or-nothing exam (as in
    # Moodle), negative weights of wrong options included, floored at 0.
    assert grade("multiple", data, ["A"], partial_credit=False).fraction == pytest.approx(0.5)
    assert grade("multiple", data, ["A", "B", "D"], partial_credit=False).fraction == pytest.approx(0.75)
    assert grade("multiple", data, ["A", "C"], partial_credit=False).fraction == 0.0
    assert grade("multiple", data, ["A", "B"], partial_credit=False).fraction == 1.0


FILL = {"blanks": [["次级", "次级类"], ["ABC银行"]]}


@pytest.mark.parametrize("answer, expected", [
    (["次级", "ABC银行"], 1.0),
    (["次级类", "abc银行"], 1.0),             # any accepted answer, case folded
    ([" 次 级 ", "ＡＢＣ　银行"], 1.0),        # spaces removed, full width → half width
    (["次级", "XYZ银行"], 0.5),               # per blank
    (["", ""], 0.0),
    (["次级"], 0.5),                          # missing second blank
    (None, 0.0),
])
def test_fill_normalises_every_blank(answer, expected):
    assert grade("fill", FILL, answer).fraction == expected


NUM = {"answer": 62.5, "tolerance": 0.5, "unit": "%"}


@pytest.mark.parametrize("answer, expected", [
    ("62.5", 1.0), ("62", 1.0), ("63", 1.0),     # boundaries included
    ("61.99", 0.0), ("63.01", 0.0),
    ("６２．５", 1.0),                            # full-width digits
    ("62.5%", 1.0), ("62.5 %", 1.0), ("62.5％", 1.0),
    ("", 0.0), (None, 0.0), ("abc", 0.0), ("62.5.1", 0.0),
])
def test_numeric_tolerance_full_width_and_unit(answer, expected):
    assert grade("numeric", NUM, answer).fraction == expected


def test_numeric_thousands_separators_and_ranges():
    data = {"answer": 1234567.0, "tolerance": 0, "unit": "万元"}
    assert grade("numeric", data, "1,234,567").fraction == 1.0
    assert grade("numeric", data, "1，234，567 万元").fraction == 1.0
    assert grade("numeric", data, "1234567万元").fraction == 1.0
    assert grade("numeric", data, "1,234,568").fraction == 0.0
    ranged = {"ranges": [[1.4, 1.6], [3, 4]]}
    assert grade("numeric", ranged, "1.6").fraction == 1.0
    assert grade("numeric", ranged, "3.5").fraction == 1.0
    assert grade("numeric", ranged, "2").fraction == 0.0
    assert parse_number("1,23") is None  # not a thousands group: refused, never read as 123


def test_essay_waits_for_a_person():
    result = grade("essay", {"rubric": "要点"}, "我的回答")
    assert result.fraction is None and result.needs_grading


CASE = {"parts": [
    {"id": "a", "type": "single", "points": 2, "data": SINGLE},
    {"id": "b", "type": "numeric", "points": 3, "data": NUM},
]}


def test_case_grades_by_its_parts_weighted_by_points():
    assert grade("case", CASE, {"a": "B", "b": "62.5"}).fraction == 1.0
    result = grade("case", CASE, {"a": "A", "b": "62.5"})
    assert result.fraction == pytest.approx(3 / 5)
    assert result.parts["a"].fraction == 0.0 and result.parts["b"].fraction == 1.0
    assert grade("case", CASE, None).fraction == 0.0


def test_case_with_an_essay_part_grades_the_rest_and_waits():
    data = {"parts": CASE["parts"] + [{"id": "c", "type": "essay", "points": 5, "data": {"rubric": "r"}}]}
    result = grade("case", data, {"a": "B", "b": "1", "c": "论述"})
    assert result.fraction is None
    assert result.parts["a"].fraction == 1.0 and result.parts["b"].fraction == 0.0
    assert result.parts["c"].fraction is None
    assert get("case").auto_points(data, result.to_dict()) == 2.0


def test_answers_from_forms_are_stored_by_option_key():
    from werkzeug.datastructures import MultiDict

    form = MultiDict([("a-1", "B"), ("a-2", "A"), ("a-2", "D"), ("a-2", "Z"), ("a-3", "false"),
                      ("a-4-1", " 次级 "), ("a-4-2", ""), ("a-5", "x"), ("a-6-a", "A"), ("a-7", "C")])
    assert get("single").answer_from_form(SINGLE, form, "a-1") == "B"
    assert get("single").answer_from_form(SINGLE, form, "a-7") is None  # not an option
    assert get("multiple").answer_from_form(MULTI, form, "a-2") == ["A", "D"]
    assert get("truefalse").answer_from_form({}, form, "a-3") is False
    assert get("fill").answer_from_form(FILL, form, "a-4") == ["次级", ""]
    assert get("case").answer_from_form(CASE, form, "a-6") == {"a": "A"}
    assert get("single").answer_from_form(SINGLE, form, "a-99") is None
