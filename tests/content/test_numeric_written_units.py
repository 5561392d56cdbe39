"""``answer: 3.5万`` with ``unit: 元``: the trainer means 35,000 元 (the figure
written in a unit of the key's own family), so the check accepts it and an RM's
35000, 35,000元 or 3.5万 are right; a unit of another kind is refused at its line."""
import pytest

from lms import questions
from lms.content.source.bank_parser import parse_question_bank

BANK = "courses/loans/questions/amounts.md"


def bank(answer_lines: str) -> str:
    return f"""# 贷款金额

## loan-amount
type: numeric
{answer_lines}

某客户申请个人经营贷款，审批金额是多少元？
"""


def read(answer_lines: str):
    found, problems = parse_question_bank(bank(answer_lines), BANK, "loans")
    return found[0], [f"{p.source}: {p.message}" for p in problems]


def grade(data, typed: str) -> float:
    return questions.find("numeric").grade(data, typed).fraction


def test_an_answer_in_wan_with_the_unit_yuan_is_thirty_five_thousand_yuan(app):
    question, problems = read("answer: 3.5万\nunit: 元")
    assert problems == []
    assert question.data == {"answer": 35000.0, "tolerance": 0.0, "unit": "元"}
    assert questions.find("numeric").key_text(question.data) == ["35000 元"]
    for typed, right in (("35000", 1.0), ("35,000元", 1.0), ("3.5万", 1.0), ("3.5万元", 1.0), ("3.5", 0.0),
                         ("350000", 0.0)):
        assert grade(question.data, typed) == right, typed


@pytest.mark.parametrize("lines,answer,tolerance", [
    ("answer: 3.5万元\nunit: 元", 35000.0, 0.0),
    ("answer: 3.5±0.1 万元\nunit: 元", 35000.0, 1000.0),
    ("answer: 1.2亿\nunit: 万元", 12000.0, 0.0),
    ("answer: 50BP\nunit: %", 0.5, 0.0),
])
def test_a_written_unit_of_the_same_family_is_converted_with_its_tolerance(app, lines, answer, tolerance):
    question, problems = read(lines)
    assert problems == []
    assert (question.data["answer"], question.data["tolerance"]) == (answer, tolerance)


def test_a_written_unit_of_another_kind_is_refused_at_its_line(app):
    _question, problems = read("answer: 3.5万\nunit: %")
    assert problems == [f"{BANK}:5: 试题 loan-amount：答案写的单位 万 与 unit 的 % 不是同一类量（金额和比率不能换算）："
                        "请按 % 写答案，或改正 unit"]
