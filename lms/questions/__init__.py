"""The registry of question types (CTFd's challenge classes, Indico's survey
fields): one module per type, looked up by the type code a question version
carries. A type owns everything that differs between types — grading, the
learner's form, public data, rendering, the key and rubric a trainer reads,
the demo's answers — so adding one touches its own module and this list.
Both lms.content and lms.exams import from here; this package imports
neither of them (but lms.content.rendering, for markdown).

    grade("multiple", data, ["A", "C"], partial_credit=True) -> Grade(fraction=0.5)
    get("fill").answer_from_form(data, AnswerForm().answers, "a-17")  # lms.exams.forms
"""
from __future__ import annotations

from lms.questions.base import (MAX_ANSWER_CHARS, REGISTRY_METHODS, BankBody, Grade, OptionValues, QuestionType, UnknownOption, normalise_text,
                                number_text, typed_length)
from lms.questions.case import Case
from lms.questions.essay import Essay
from lms.questions.fill import FillInBlanks
from lms.questions.multiple import MultipleChoice
from lms.questions.numeric import Numeric, parse_number
from lms.questions.single import SingleChoice
from lms.questions.truefalse import TrueFalse



def missing_methods(qtype: QuestionType) -> list[str]:
    """The registry methods ``qtype`` leaves to QuestionType's NotImplementedError."""
    missing = []
    for name in REGISTRY_METHODS:
        method = getattr(type(qtype), name, None)
        if not callable(method) or (method is getattr(QuestionType, name) and name in _ABSTRACT):
            missing.append(name)
    return missing


_ABSTRACT = ("grade", "key_text", "plan_lines", "simulated_answer", "parse_body")


def register(*qtypes: QuestionType) -> dict[str, QuestionType]:
    """The registry of ``qtypes`` by code; TypeError when one misses a method."""
    for qtype in qtypes:
        if not qtype.code or missing_methods(qtype):
            raise TypeError(f"question type {qtype.code!r} lacks {', '.join(missing_methods(qtype)) or 'a code'}")
    return {t.code: t for t in qtypes}


TYPES: dict[str, QuestionType] = register(
    SingleChoice(), MultipleChoice(), TrueFalse(), FillInBlanks(), Numeric(), Essay(), Case())
# The codes, in the order forms and messages list them.
QUESTION_TYPES: tuple[str, ...] = tuple(TYPES)
# Types whose options item analysis counts (distractors).
CHOICE_TYPES: tuple[str, ...] = tuple(code for code, t in TYPES.items() if t.has_options)


def get(type_code: str) -> QuestionType:
    try:
        return TYPES[type_code]
    except KeyError:
        raise KeyError(f"unknown question type {type_code!r}") from None


def find(type_code: str) -> QuestionType | None:
    """The type, or None for a code no type has (a draft not yet checked)."""
    return TYPES.get(type_code)


def grade(qtype: str, data: dict, answer, *, partial_credit: bool = False) -> Grade:
    """Grade one answer: ``Grade.fraction`` 0..1, or None when a person must grade."""
    return get(qtype).grade(data, answer, partial_credit=partial_credit)


__all__ = ["BankBody", "CHOICE_TYPES", "Grade", "OptionValues", "QUESTION_TYPES", "QuestionType", "REGISTRY_METHODS", "TYPES",
           "UnknownOption", "find", "get", "grade", "missing_methods", "normalise_text", "number_text", "parse_number",
           "register"]
