"""Shared fixtures of the learner-side exam tests: an exam with one question
of every type whose keys, explanations and rubric are distinctive strings, so
that a leak check can look for them in every response."""
from __future__ import annotations

import re

import pytest

from lms.exams import attempts as exam_attempts
from lms.exams.models import Attempt
from lms.extensions import db

SECRET_EXPLANATION = "解析机密XJ"
SECRET_RUBRIC = "评分要点机密RB"
SECRET_FILL = ["填空机密甲", "填空机密乙"]
SECRET_NUMERIC = "98765.4321"
SECRET_PART_EXPLANATION = "案例解析机密CP"

EVERY_TYPE = {
    "single": {"options": [{"key": "A", "text": "选项文本单甲"}, {"key": "B", "text": "选项文本单乙"},
                           {"key": "C", "text": "选项文本单丙"}], "correct": ["B"]},
    "multiple": {"options": [{"key": "A", "text": "多选文本甲"}, {"key": "B", "text": "多选文本乙"},
                             {"key": "C", "text": "多选文本丙"}, {"key": "D", "text": "多选文本丁"}],
                 "correct": ["A", "D"], "weights": {"A": 50, "D": 50, "B": -50, "C": -50}},
    "truefalse": {"correct": True},
    "fill": {"blanks": [[SECRET_FILL[0], "备选机密"], [SECRET_FILL[1]]]},
    "numeric": {"answer": float(SECRET_NUMERIC), "tolerance": 0.01, "unit": "万元"},
    "essay": {"rubric": SECRET_RUBRIC},
    "case": {"parts": [
        {"id": "a", "type": "single", "stem": "案例子题一", "points": 2,
         "data": {"options": [{"key": "A", "text": "案例选项甲"}, {"key": "B", "text": "案例选项乙"}], "correct": ["A"]},
         "explanation": SECRET_PART_EXPLANATION},
        {"id": "b", "type": "numeric", "stem": "案例子题二", "points": 3,
         "data": {"answer": 4321.987, "tolerance": 0.5, "unit": "%"}, "explanation": SECRET_PART_EXPLANATION},
    ]},
}

# What must never reach the learner before the attempt is finalised.
SECRETS = [SECRET_EXPLANATION, SECRET_RUBRIC, *SECRET_FILL, "备选机密", "98765", "4321.9",
           SECRET_PART_EXPLANATION]
LEAKY_WORDS = re.compile(r"correct|weights|is-key|explanation|rubric|正确答案|解析|评分要点", re.IGNORECASE)


@pytest.fixture
def learner(make_user, make_branch):
    return make_user(("learner",), branch=make_branch("B01"))


@pytest.fixture
def open_item(app, clock, learner, make_question, make_exam):
    """(attempt id, item id) of the learner's open attempt at a one-question exam (key B)."""
    q = make_question("single", data={"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                                      "correct": ["B"]})
    exam = make_exam([{"questions": [q.slug]}], time_limit_minutes=120)
    attempt = exam_attempts.start_attempt(learner, exam)
    db.session.commit()
    return attempt.id, attempt.items[0].id


@pytest.fixture
def every_type_exam(make_question, make_exam):
    """make(**settings) → an exam drawing one question of each type (fixed)."""

    def make(**settings):
        slugs = []
        for qtype, data in EVERY_TYPE.items():
            stem = "贷款五级分类：正常、关注、{{1}}、{{2}}、损失。" if qtype == "fill" else f"题干{qtype}"
            q = make_question(qtype, data=data, stem=stem, explanation=f"{SECRET_EXPLANATION}-{qtype}")
            slugs.append(q.slug)
        settings.setdefault("time_limit_minutes", 30)
        settings.setdefault("pass_mark", 60.0)
        settings.setdefault("max_attempts", None)
        return make_exam([{"questions": slugs}], **settings)

    return make


def item_of(attempt: Attempt, qtype: str):
    return next(i for i in attempt.items if i.question_version.type == qtype)


RIGHT_FORM = {
    "single": lambda name: {name: "B"},
    "multiple": lambda name: {name: ["A", "D"]},
    "truefalse": lambda name: {name: "true"},
    "fill": lambda name: {f"{name}-1": SECRET_FILL[0], f"{name}-2": SECRET_FILL[1]},
    "numeric": lambda name: {name: SECRET_NUMERIC},
    "essay": lambda name: {name: "我的论述"},
    "case": lambda name: {f"{name}-a": "A", f"{name}-b": "4321.987"},
}


def as_posted(item, form: dict) -> dict:
    """``form``, written with the bank's option keys, as the exam page posts
    it: each option key replaced by the opaque value this attempt gives it."""
    from lms.exams import answers as exam_answers

    values = exam_answers.option_values(item.attempt)
    name = f"a-{item.id}"
    version = item.question_version
    option_fields = {name} if version.type in ("single", "multiple") else set()
    if version.type == "case":
        option_fields = {f"{name}-{p['id']}" for p in version.data["parts"] if p["type"] in ("single", "multiple")}
    out = {}
    for field, value in form.items():
        if field in option_fields:
            value = [values.value(field, v) for v in value] if isinstance(value, list) else values.value(field, value)
        out[field] = value
    return out


def right_form(item) -> dict:
    """The right answers to ``item`` as the exam page posts them."""
    return as_posted(item, RIGHT_FORM[item.question_version.type](f"a-{item.id}"))
