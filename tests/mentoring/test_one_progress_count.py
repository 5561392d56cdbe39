"""One person's progress, side by side on every page that states it.

李学员 (week 4 of a five-week programme, Monday 2026-03-02) has passed week 1
and a product bulletin's check, and failed week 2. Every page that says where
they stand — their own home (本周培训), 我的培训, the programme page, the
mentor's desk, the mentor's record of them, the sign-off page, HR's person
page, the branch manager's record and HR's evidence pack — must say the same
thing, from ``lms.programmes.progress``: 1 week passed, 4 due so far, 5 in
the programme, bulletins not counted. Before, the record pages (mentor, HR,
branch manager, evidence pack) counted the bulletin and read "2 of 5 passed"
while the apprentice's own home read 1 passed of 4 due."""
from __future__ import annotations

import re
from datetime import date

from lms.certificates import evidence_pack
from lms.content.models import ProgrammeItem
from lms.extensions import db
from tests.conftest import sign_in
from tests.mentoring.conftest import answer

RIGHT = {"deposit": "B", "loan": "A"}


def _numbers(html: str, block_id: str | None) -> tuple[int, ...]:
    """(passed, due so far, in the programme) as printed inside the element ``block_id`` (None: the page's
    only programme)."""
    start = html.index(f'id="{block_id}"' if block_id else 'class="programme-progress"')
    block = html[start:html.index('progress-counted', start)]
    found = [int(re.search(rf'class="progress-{name}">(\d+)<', block).group(1)) for name in ("passed", "due", "total")]
    assert "product bulletins are not counted" in html[start:start + 4000] or "产品速递不计入" in html[start:start + 4000]
    return tuple(found)


def _world_with_a_bulletin(world, make_exam):
    w = world
    bulletin_exam = make_exam([{"questions": [w.deposit.slug]}], open_to_all=False, title="产品速递测验",
                              pass_mark=60, cooldown_minutes=None)
    w.programme.items.append(ProgrammeItem(key="bulletin-1", kind="bulletin", number=1, title="产品速递：大额存单",
                                           exam_id=bulletin_exam.id, opens_on=date(2026, 2, 18),
                                           due_on=date(2026, 2, 24)))
    db.session.commit()
    slugs = {"deposit": w.deposit.slug, "loan": w.loan.slug}
    answer(w.apprentice, bulletin_exam, {slugs["deposit"]: "B"})
    answer(w.apprentice, w.exams[0], {slugs[k]: v for k, v in RIGHT.items()})
    answer(w.apprentice, w.exams[1], {slugs["deposit"]: "A", slugs["loan"]: "B"})
    return w


def test_every_page_states_the_same_progress(client, clock, world, make_exam, make_user):
    w = _world_with_a_bulletin(world, make_exam)
    pid, uid = w.programme.id, w.apprentice.id
    seen = {}

    sign_in(client, w.apprentice)
    seen["home"] = _numbers(client.get("/").text, f"this-week-programme-{pid}")
    seen["my training"] = _numbers(client.get("/programmes/").text, f"my-programme-{pid}")
    seen["programme page"] = _numbers(client.get(f"/programmes/{pid}").text, None)

    sign_in(client, w.mentor)
    seen["mentor's desk"] = _numbers(client.get("/mentoring/desk").text, f"desk-progress-{uid}-{pid}")
    seen["mentor's record"] = _numbers(client.get(f"/mentoring/apprentices/{uid}").text, f"record-programme-{pid}")
    seen["sign-off page"] = _numbers(client.get(f"/mentoring/pairings/{w.pairing.id}/signoff").text,
                                     f"signoff-progress-{pid}")

    hr = make_user(("hr",))
    sign_in(client, hr)
    seen["HR person page"] = _numbers(client.get(f"/org/people/{uid}").text, f"record-programme-{pid}")
    with client.application.test_request_context():
        pack = evidence_pack.generate(w.apprentice, actor=hr).html
    seen["evidence pack"] = _numbers(pack.replace("<h3>客户经理周训</h3>", '<h3 id="pack-programme">'),
                                     "pack-programme")

    sign_in(client, make_user(("branch_manager",), branch=w.branch))
    seen["branch manager's record"] = _numbers(client.get(f"/programmes/people/{uid}").text,
                                               f"record-programme-{pid}")

    assert seen == {page: (1, 4, 5) for page in seen}


def test_a_quarterly_requirement_counts_quarters_on_every_record(client, clock, world, make_exam, make_user):
    """The records read "已通过 1 / 2" for 警示教育 — two of what? They count
    quarters, and say so, as the certificate requirement now does too."""
    import json

    from lms.content.models import Programme
    from lms.programmes.progress import progress
    from lms.programmes.services import programme_weeks

    w = world
    exam = make_exam([{"questions": [w.deposit.slug]}], open_to_all=False, title="季度警示教育测验", pass_mark=60,
                     cooldown_minutes=None)
    p = Programme(slug="warning-quarterly", title="警示教育（季度必修）", recurring="quarterly",
                  audience_json=json.dumps({"positions": ["rm_*"]}))
    p.items = [ProgrammeItem(key="quarterly", kind="quarterly", number=1, title="警示教育（季度必修）",
                             exam_id=exam.id, opens_on=date(2025, 10, 1), due_on=date(2025, 12, 31))]
    db.session.add(p)
    db.session.commit()
    answer(w.apprentice, exam, {w.deposit.slug: "B"})  # this quarter (2026 Q1) passed
    counted = progress(programme_weeks(w.apprentice, p))
    assert counted.quarterly and counted.passed == 1 and counted.due >= 1

    sign_in(client, w.mentor)
    mentor_page = client.get(f"/mentoring/apprentices/{w.apprentice.id}").text
    sign_in(client, make_user(("hr",)))
    hr_page = client.get(f"/org/people/{w.apprentice.id}").text
    for page in (mentor_page, hr_page):
        start = page.index(f'id="record-programme-{p.id}"')
        block = page[start:start + 3000]
        assert "已通过季度数" in block and "截至本季度应完成" in block and "计划总周数" not in block
        assert re.search(rf'class="progress-passed">{counted.passed}<', block)
        assert re.search(rf'class="progress-due">{counted.due}<', block)


def test_a_newcomer_is_due_what_hrs_overdue_list_holds_against_them(client, clock, world, make_user):
    """李学员 was hired on Wednesday of week 3 (2026-02-25): weeks 1 and 2 are catch-up (补学, never overdue),
    week 3 is overdue, week 4 runs now. They have caught up on week 1. Their own 本周培训 and the mentor's desk
    read "已通过 1 · 截至本周应完成 4", which left them three weeks behind where HR's overdue list names one
    week and the current week is the other: the catch-up week 2 counted as due. Now "due so far" holds the
    weeks due since they joined plus the weeks they passed (3), the catch-up week still open is counted
    apart (待补学 1), and passed and due differ by exactly HR's overdue list and this week."""
    w = world
    w.apprentice.hire_date = date(2026, 2, 25)
    db.session.commit()
    answer(w.apprentice, w.exams[0], {w.deposit.slug: "B", w.loan.slug: "A"})  # week 1, catch-up, passed
    pid, uid = w.programme.id, w.apprentice.id

    sign_in(client, w.apprentice)
    home = client.get("/").text
    sign_in(client, w.mentor)
    desk = client.get("/mentoring/desk").text
    record = client.get(f"/mentoring/apprentices/{uid}").text
    hr = make_user(("hr",))
    sign_in(client, hr)
    overdue = client.get(f"/reports/overdue?programme={pid}").text

    seen = {"home": _numbers(home, f"this-week-programme-{pid}"),
            "mentor's desk": _numbers(desk, f"desk-progress-{uid}-{pid}"),
            "mentor's record": _numbers(record, f"record-programme-{pid}")}
    assert seen == {page: (1, 3, 5) for page in seen}
    for html, block_id in ((home, f"this-week-programme-{pid}"), (desk, f"desk-progress-{uid}-{pid}"),
                           (record, f"record-programme-{pid}")):
        block = html[html.index(f'id="{block_id}"'):]
        assert re.search(r'class="progress-catch-up">1<', block[:block.index("progress-counted")]), block_id
        assert "补学周通过后计入" in block[:block.index("progress-counted") + 400]
    rows = overdue.split('class="overdue-list"', 1)[1].split("<tr>")
    lines = [re.search(r"<td>(第\d周)</td>", row).group(1) for row in rows if ">A001</a>" in row]
    assert lines == ["第3周"]  # due 3 − passed 1 = week 3 (overdue) + week 4 (this week)
