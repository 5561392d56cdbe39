"""The registry of question types (CTFd's challenge classes, Indico's survey
fields): one module per type, looked up by the type code a question version
carries.

    grade("multiple", data, ["A", "C"], partial_credit=True) -> Grade(fraction=0.5)
    get("fill").answer_from_form(data, AnswerForm().answers, "a-17")  # lms.exams.forms
"""
from __future__ import annotations

from lms.exams.question_types.base import Grade, OptionValues, QuestionType, UnknownOption, normalise_text
from lms.exams.question_types.case import Case
from lms.exams.question_types.essay import Essay
from lms.exams.question_types.fill import FillInBlanks
from lms.exams.question_types.multiple import MultipleChoice
from lms.exams.question_types.numeric import Numeric, parse_number
from lms.exams.question_types.single import SingleChoice
from lms.exams.question_types.truefalse import TrueFalse

TYPES: dict[str, QuestionType] = {t.code: t for t in (
    SingleChoice(), MultipleChoice(), TrueFalse(), FillInBlanks(), Numeric(), Essay(), Case())}


def get(type_code: str) -> QuestionType:
    try:
        return TYPES[type_code]
    except KeyError:
        raise KeyError(f"unknown question type {type_code!r}") from None


def grade(qtype: str, data: dict, answer, *, partial_credit: bool = False) -> Grade:
    """Grade one answer: ``Grade.fraction`` 0..1, or None when a person must grade."""
    return get(qtype).grade(data, answer, partial_credit=partial_credit)


__all__ = ["Grade", "OptionValues", "QuestionType", "UnknownOption", "TYPES", "get", "grade", "normalise_text", "parse_number"]
