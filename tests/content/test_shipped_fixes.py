"""Five shipped questions that a review found keyed against their own case or
the law (issue 14): each keeps its id and now says what the case and the law
support."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.content.source.bank_parser import parse_question_bank

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def shipped():
    out = {}
    for path in sorted(CONTENT.glob("courses/*/questions/*.md")):
        questions, problems = parse_question_bank(path.read_text(encoding="utf-8"), str(path), path.parts[-3])
        assert not problems
        out.update({q.id: q for q in questions})
    return out


def _keyed(data: dict) -> list[str]:
    return [option["text"] for option in data["options"] if option["key"] in data["correct"]]


def _part(question, part_id: str) -> dict:
    return next(p for p in question.data["parts"] if p["id"] == part_id)


def test_missing_logistics_documents_is_not_keyed_as_circular_issuance(app, shipped):
    question = shipped["rsk-bill-002"]
    keyed = _keyed(question.data)
    assert not any("物流" in text for text in keyed), keyed
    assert any("回流" in text for text in keyed)
    assert "贸易背景" in question.explanation_md


def test_case_part_keys_only_what_the_case_says_of_the_rezoning(app, shipped):
    part = _part(shipped["crd-mgmt-case-001"], "d")
    keyed = _keyed(part["data"])
    assert not any("规划" in text or "拆迁" in text for text in keyed), keyed
    assert any("登记" in text for text in keyed)


def test_a_pre_loan_omission_is_not_keyed_as_a_risk_signal(app, shipped):
    part = _part(shipped["rsk-case-002"], "b")
    keyed = _keyed(part["data"])
    assert not any("未核实" in text or "合同金额" in text for text in keyed), keyed
    assert len(keyed) >= 2


def test_circular_bill_total_counts_the_bills_and_the_discount(app, shipped):
    question = shipped["rsk-bill-004"]
    stem = question.stem_md
    bills = int(re.search(r"共开出 (\d+) 张", stem).group(1))
    rate = float(re.search(r"年贴现率 ([\d.]+)%", stem).group(1)) / 100
    days = int(re.search(r"剩余期限 (\d+) 天", stem).group(1))
    assert "含第一张" in stem and "按 360 天计" in stem
    ratio = 1 - rate * days / 360
    expected = sum(1000 * ratio ** k for k in range(bills))
    assert question.data["answer"] == pytest.approx(expected, abs=0.01)
    assert question.data["answer"] != 1000 * bills


def test_commercial_bank_law_is_quoted_as_written(app, shipped):
    question = shipped["wrn-data-004"]
    assert "为存户" in question.stem_md and "存款人" not in question.stem_md
    assert "第二十九条" in question.explanation_md
