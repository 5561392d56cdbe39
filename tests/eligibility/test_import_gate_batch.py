"""The people import asks the position gate about every row: what the rules
need (rules, certificates, positions, sign-offs) is read once for the whole
file, not per row (2,000 rows took ~15 s, mostly there), and every row reads
as it did when each was asked on its own: the same rows accepted, the same
messages, in the same order."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from lms.org import imports, position_gates
from tests.statements import counting_statements

HEADER = "工号,姓名,支行,岗位,入职日期,角色,准入例外原因"


def _plan(text: str, actor):
    return imports.plan_import(text.encode("utf-8"), "people.csv", actor=actor, today=date(2026, 3, 2))


def _tellers(make_user, give_certificate, world, n: int, start: int = 0) -> list:
    people = []
    for i in range(start, start + n):
        person = make_user(("learner",), employee_no=f"T{i:03d}", name=f"柜员{i}", branch=world.tianyuan,
                           position="teller", position_start=date(2024, 1, 1))
        give_certificate(person, world.rmq)
        people.append(person)
    return people


def _rows(people, n: int) -> str:
    """Per person: they move up (refused: no sign-off); per row also a new teller, a new RM without a
    reason (refused) and one with HR's reason."""
    lines = [HEADER]
    for i, person in enumerate(people):
        lines.append(f"{person.employee_no},{person.name},天元支行,初级客户经理,2024-01-01,学员,")
    for i in range(n):
        lines += [f"N{i:03d},新柜员{i},天元支行,柜员,2026-02-01,学员,",
                  f"R{i:03d},社招{i},芦淞支行,初级客户经理,2026-02-01,学员,",
                  f"S{i:03d},特批{i},芦淞支行,初级客户经理,2026-02-01,学员,总行特批"]
    return "\n".join(lines) + "\n"


def test_checking_a_file_reads_as_many_statements_for_forty_rows_as_for_ten(world, chinese, make_user,
                                                                           give_certificate):
    people = _tellers(make_user, give_certificate, world, 10)
    small_file, large_file = _rows(people[:1], 3), _rows(people, 10)
    with counting_statements() as small:
        plan = _plan(small_file, world.hr)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "岗位"), (4, "岗位"), (7, "岗位"), (10, "岗位")]
    with counting_statements() as large:
        plan = _plan(large_file, world.hr)
    refused = [p.row for p in plan.problems]
    assert refused == [*range(2, 12), *range(13, 42, 3)]  # every teller moving up, every new RM without a reason
    assert "无出师评价（未安排师傅）" in str(plan.problems[0]) and "准入例外原因" in str(plan.problems[-1])
    assert len(large) == len(small), large[len(small):][:5]


def _one_by_one(monkeypatch):
    """The gate asked about each row on its own, as before the file was read at once."""
    monkeypatch.setattr(position_gates, "prepare", lambda people, positions: position_gates.Gates(
        [gate for gate, _ready in position_gates._registered()]))


def _seen(plan) -> tuple:
    return ([(p.row, p.column, str(p)) for p in plan.problems], [(n.row, str(n)) for n in plan.notes],
            [(r.row, r.employee_no, r.action, r.changes) for r in plan.rows])


@pytest.mark.parametrize("locale", ["chinese", "english"])
def test_a_mixed_file_previews_the_same_as_when_each_row_was_asked_alone(
        request, monkeypatch, locale, world, make_user, make_certification, make_rule, give_certificate,
        give_signoff):
    request.getfixturevalue(locale)
    ready, revoked, expired = _tellers(make_user, give_certificate, world, 1) + [
        make_user(("learner",), employee_no=f"T{i}", name=name, branch=world.lusong, position="teller",
                  position_start=date(2024, 6, 1)) for i, name in ((7, "吊销"), (8, "过期"))]
    give_signoff(ready, world.mentor)
    give_certificate(revoked, world.rmq, revoked_at=datetime(2026, 1, 5, 9))
    give_signoff(revoked, world.mentor, withdrawn=True)
    give_certificate(expired, world.rmq, issued_on=date(2023, 1, 1), expires_on=date(2025, 1, 1))
    make_certification("rm-intermediate-qualification", "中级客户经理资格", "RMI")
    make_rule("rm-intermediate", "rm_intermediate", "中级客户经理岗位准入",
              certifications=["rm-qualification", "rm-intermediate-qualification"],
              tenure=[{"positions": ["rm_junior"], "months": 12}])
    text = "\n".join([
        HEADER,
        "t01,李学员,天元支行,初级客户经理,2025-05-20,学员,",  # 9 of 12 months, nothing else
        f"{ready.employee_no},{ready.name},天元支行,初级客户经理,2024-01-01,学员,",  # eligible
        "T7,吊销,芦淞支行,初级客户经理,2024-06-01,学员,",  # revoked, sign-off withdrawn
        "T8,过期,芦淞支行,初级客户经理,2024-06-01,学员,网点急需",  # expired, HR's reason
        "X01,孙社招,天元支行,初级客户经理,2026-02-01,学员,",  # new, no records
        "X02,钱新人,天元支行,柜员,2026-02-01,学员,",  # no rule guards tellers
        "X03,周特批,天元支行,中级客户经理,2026-02-01,学员,社会招聘",
        "m01,王师傅,天元支行,中级客户经理,2018-01-01,学员、师傅,",  # two certificates short, no RM months
        "X04,吴实习,芦淞支行,实习生,2026-02-01,学员,",
    ]) + "\n"
    at_once = _seen(_plan(text, world.hr))
    _one_by_one(monkeypatch)
    assert _seen(_plan(text, world.hr)) == at_once
    problems, _notes, rows = at_once
    assert [(row, column) for row, column, _text in problems] == [(2, "岗位"), (4, "岗位"), (6, "岗位"), (9, "岗位")]
    assert [action for _row, _no, action, _changes in rows] == ["update"] * 4 + ["create"] * 3 + ["update", "create"]
