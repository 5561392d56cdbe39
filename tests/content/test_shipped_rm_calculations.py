"""The numeric questions of the shipped banks are calculations a relationship
manager actually does — a loan's instalment, the debt-to-income ratio, the
loan-to-value cap, the interest on a bill discount, DSCR, payback, NPV — and
their keys are what the banker's formula gives (issue 14: the bare
"本金 × 利率 = ?" questions were rewritten under the same ids)."""
from __future__ import annotations

from pathlib import Path

import pytest

from lms.content.source.parser import parse_folder

CONTENT = Path(__file__).resolve().parents[2] / "content"


def instalment(principal, annual_rate, months):
    """等额本息 monthly payment."""
    r = annual_rate / 12
    return principal * r * (1 + r) ** months / ((1 + r) ** months - 1)


def annuity(principal, rate, periods):
    """Payment of a loan repaid in equal instalments of principal and interest per period."""
    return principal * rate * (1 + rate) ** periods / ((1 + rate) ** periods - 1)


def principal_for(payment, annual_rate, months):
    """The loan a monthly payment carries (等额本息, the instalment formula read backwards)."""
    r = annual_rate / 12
    return payment * (1 - (1 + r) ** -months) / r


def discount_interest(face, annual_rate, days, basis=360):
    return face * annual_rate * days / basis


def working_capital(sales, margin, growth, turnover):
    """营运资金周转法: 营运资金量."""
    return sales * (1 - margin) * (1 + growth) / turnover


def payback(investment, flows):
    """Years until the cumulative net cash flow turns positive, interpolated in the year it does."""
    cumulative = -investment
    for year, flow in enumerate(flows, start=1):
        if cumulative + flow >= 0:
            return year - 1 + -cumulative / flow
        cumulative += flow
    raise AssertionError("never paid back")


# (question id, case part or "") → (what the RM works out, the value by formula)
CALCULATIONS = {
    # rewritten under the same ids (were bare multiplication/division)
    ("prd-dep-007", ""): ("提前支取与存单质押的成本差",
                          40000 * (0.0175 - 0.001) - 40000 * 0.035 * 3 / 12),
    ("prd-loan-007", ""): ("分期的年化利率", 100 * 12000 * 0.006 * 12 / (12000 * 13 / 24)),
    ("prd-retail-case-002", "a"): ("负债收入比", 100 * (4500 + 1000 + 12000 * 0.006) / 12000),
    ("prd-blt2-003", ""): ("个人养老金净节税", 12000 * 0.20 - 12000 * 0.03),
    ("ent-prd-013", ""): ("超出存款保险限额的存款", 600000 + 12000 - 500000),
    ("rsk-gc-004", ""): ("保证人担保超出上限", 15000 + 2000 - 5000 * 2),
    ("rsk-over-002", ""): ("流动资金贷款合理上限", working_capital(30000, 0.10, 0.10, 2) - 5000),
    ("rsk-ms-004", ""): ("退保损失率", 100 * (20 - 11.5) / 20),
    ("rsk-case-001", "a"): ("计入或有负债的资产负债率", 100 * (9000 + 18000 * 0.5) / 15000),
    ("rsk-case-003", "b"): ("贴现利息", discount_interest(500, 0.018, 120)),
    ("ent-rsk-case-001", "a"): ("计入或有负债的资产负债率", 100 * (7000 + 15000 * 0.5) / 12000),
    ("wrn-kb-005", ""): ("含好处费的实际融资成本", 100 * (300 * 0.04 + 3) / (300 - 3)),
    ("wrn-loan-005", ""): ("月供", instalment(300000, 0.042, 36)),
    ("wrn-fly-004", ""): ("存款保险全额偿付", min(30 + 0.9, 50)),
    ("wrn-data-005", ""): ("负债收入比", 100 * (2000 + 4000) / 8000),
    ("wrn-case-001", "a"): ("月供", instalment(400000, 0.042, 36)),
    ("wrn-case-003", "a"): ("兑付所需收益率", 100 * (1200 * 1.08 / (1200 * 0.97) - 1)),
    # 授信评估：5C 与征信
    ("c5c-num-001", ""): ("按负债收入比的可贷额度", principal_for(18000 * 0.5 - 2000, 0.03, 300) / 10000),
    ("c5c-num-002", ""): ("月供", instalment(500000, 0.036, 36)),
    ("c5c-num-003", ""): ("能力与抵押率孰低", min(principal_for(6000, 0.033, 240) / 10000, 250 * 0.6)),
    ("c5c-num-004", ""): ("DSCR", (2000 * 0.2 - 180 - 40) / (50 + annuity(150, 0.045, 3))),
    ("c5c-num-005", ""): ("负债收入比", 100 * (4200 + 1800 + 30000 * 0.1 + 1500) / 15000),
    ("c5c-num-006", ""): ("计入或有负债的资产负债率", 100 * (5500 + 5000 * 0.5) / 10000),
    ("c5c-case-001", "a"): ("负债收入比",
                            100 * (5000 + 40000 * 0.1 + instalment(200000, 0.04, 36)) / 25000),
    ("c5c-case-002", "a"): ("能力与抵押率孰低",
                            min((90 / 1.25 - 30) / annuity(1, 0.04, 3), 400 * 0.7)),
    ("c5c-case-003", "a"): ("计入或有负债的资产负债率", 100 * (4800 + 6000 * 0.5) / 8000),
    # 项目评估
    ("pa-num-001", ""): ("DSCR", (5000 - 3000 - 200) / (1000 + 400)),
    ("pa-num-002", ""): ("静态回收期", payback(3000, [600, 800, 900, 1000, 1000])),
    ("pa-num-003", ""): ("动态回收期", payback(3000, [f * d for f, d in zip(
        [600, 800, 900, 1000, 1000], [0.9259, 0.8573, 0.7938, 0.7350, 0.6806])])),
    ("pa-num-004", ""): ("NPV", 300 * (1 - 1.1 ** -5) / 0.1 - 1000),
    ("pa-num-005", ""): ("盈亏平衡生产能力利用率", 100 * 18000000 / (500 - 300 - 25) / 200000),
    ("pa-num-006", ""): ("资本金同比例到位的提款上限", 4500 * (36000 * 0.7) / (36000 * 0.3)),
    ("pa-num-007", ""): ("建设期利息", 6000 / 2 * 0.042 + (6000 + 6000 / 2 * 0.042 + 4000 / 2) * 0.042),
    ("pa-num-008", ""): ("敏感度系数", abs((10.2 - 12) / 12 / 0.10)),
    ("pa-case-001", "a"): ("DSCR", (8000 * 0.7 - (1200 + 8000 * 0.7 * 0.5) - 150) / (8400 / 6 + 8400 * 0.04)),
    ("pa-case-002", "a"): ("DSCR", (8000 * 0.9 - 5000 - 400) / 2200),
    ("pa-case-002", "b"): ("价格临界点", 100 * ((8000 - 5000 - 400) - 2200) / 8000),
    ("pa-case-003", "a"): ("真实资本金比例", 100 * (15000 - 10000) / 50000),
}


@pytest.fixture(scope="module")
def numeric_items():
    bundle = parse_folder(CONTENT)
    found = {}
    for question in bundle.questions:
        if question.type == "case":
            for part in question.data["parts"]:
                found[(question.id, part["id"])] = (part["type"], part["data"])
        else:
            found[(question.id, "")] = (question.type, question.data)
    return found


@pytest.mark.parametrize("key", sorted(CALCULATIONS), ids=lambda key: "/".join(filter(None, key)))
def test_the_key_is_what_the_bankers_formula_gives(numeric_items, key):
    what, expected = CALCULATIONS[key]
    qtype, data = numeric_items[key]
    assert qtype == "numeric"
    assert abs(data["answer"] - expected) <= data["tolerance"], \
        f"{what}: the key {data['answer']} is not {expected:.4f} within {data['tolerance']}"
    # the tolerance accepts rounding, never a different method
    assert data["tolerance"] <= max(0.5, abs(expected) * 0.03)


def test_every_numeric_question_of_the_new_courses_is_one_of_these_calculations(numeric_items):
    new = {key for key, (qtype, _data) in numeric_items.items()
           if qtype == "numeric" and key[0].startswith(("c5c-", "pa-"))}
    assert len(new) >= 10 and new <= set(CALCULATIONS)


def test_a_bill_discount_question_states_the_rate_the_days_and_the_day_basis():
    """Bill-discount interest is face × rate × days ÷ 360 (or 365 as the rule says): the
    question gives what the RM needs, not the discounted proceeds to subtract."""
    bundle = parse_folder(CONTENT)
    stems = {}
    for question in bundle.questions:
        for part in question.data.get("parts", []) if question.type == "case" else []:
            stems[(question.id, part["id"])] = part["stem"]
        stems[(question.id, "")] = question.stem_md
    for key in [("rsk-case-003", "b"), ("prd-wc-004", "")]:
        assert all(word in stems[key] for word in ("贴现率", "天", "360")), key
