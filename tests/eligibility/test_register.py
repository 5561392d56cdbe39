"""HR's eligibility register, a person's detail, the exports, and
re-evaluation by reading: a revoked certificate makes its holder ineligible
at once, with that reason."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from lms.certificates.models import Certificate
from lms.extensions import db
from tests.conftest import sign_in


def _people(world, make_user, give_certificate, give_signoff):
    """An eligible teller in 天元 and an ineligible one in 芦淞."""
    ready = make_user(("learner",), employee_no="t02", name="孙合格", branch=world.tianyuan, position="teller",
                      position_start=date(2024, 1, 1))
    give_certificate(ready, world.rmq)
    give_signoff(ready, world.mentor)
    far = make_user(("learner",), employee_no="t03", name="钱芦淞", branch=world.lusong, position="teller",
                    position_start=date(2025, 9, 1))
    return ready, far


def test_the_register_lists_people_with_each_rule_state(world, client, make_user, give_certificate, give_signoff):
    ready, far = _people(world, make_user, give_certificate, give_signoff)
    sign_in(client, world.hr)
    html = client.get("/eligibility/").get_data(as_text=True)
    assert "孙合格" in html and "钱芦淞" in html and "李学员" in html
    assert "无客户经理上岗资格" in html  # the evidence of a refusal shows on the row


def test_filters_by_state_branch_position_rule_and_text(world, client, make_user, give_certificate, give_signoff,
                                                        make_rule):
    ready, far = _people(world, make_user, give_certificate, give_signoff)
    sign_in(client, world.hr)

    def names(query):
        answer = client.get(f"/eligibility/?{query}", headers={"HX-Request": "true"})
        assert answer.status_code == 200 and 'id="eligibility-table"' in answer.get_data(as_text=True)
        html = answer.get_data(as_text=True)
        return {n for n in ("孙合格", "钱芦淞", "李学员", "王师傅") if n in html}

    assert names(f"rule={world.rule.id}&state=eligible") == {"孙合格"}
    assert names(f"rule={world.rule.id}&state=not_eligible") == {"钱芦淞", "李学员", "王师傅"}
    assert names(f"branch={world.lusong.id}") == {"钱芦淞"}
    assert names(f"branch={world.city.id}&position=teller") == {"孙合格", "钱芦淞", "李学员"}
    assert names("q=芦淞") == {"钱芦淞"}  # the branch's name
    assert names("q=t02") == {"孙合格"}
    assert names("q=%EF%BC%B4%EF%BC%90%EF%BC%92") == {"孙合格"}  # Ｔ０２, typed full-width
    assert names("q=T+02") == {"孙合格"}
    assert names("q=李") == {"李学员"}


def test_branch_managers_see_their_branches_only(world, client, make_user, give_certificate, give_signoff):
    ready, far = _people(world, make_user, give_certificate, give_signoff)
    sign_in(client, world.manager)
    html = client.get("/eligibility/").get_data(as_text=True)
    assert "孙合格" in html and "钱芦淞" not in html
    assert client.get(f"/eligibility/?branch={world.lusong.id}").status_code == 404
    assert client.get(f"/eligibility/people/{far.id}").status_code == 404
    assert client.get(f"/eligibility/people/{ready.id}").status_code == 200


def test_a_person_detail_shows_every_condition_with_evidence(world, client, make_rule):
    make_rule(slug="mentor", target="mentor", title="带教师傅准入", certifications=["rm-qualification"],
              tenure=[{"positions": ["rm_senior", "rm_principal", "manager"], "months": 24}])
    sign_in(client, world.hr)
    html = client.get(f"/eligibility/people/{world.teller.id}").get_data(as_text=True)
    assert "初级客户经理准入" in html and "带教师傅准入" in html
    assert "无客户经理上岗资格" in html and "无出师评价" in html
    assert client.get("/eligibility/people/999999").status_code == 404


def test_the_export_has_one_row_per_person_and_rule_with_evidence(world, client, make_user, give_certificate,
                                                                    give_signoff):
    ready, far = _people(world, make_user, give_certificate, give_signoff)
    far.name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    sign_in(client, world.hr)
    answer = client.get(f"/eligibility/export.csv?rule={world.rule.id}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["工号", "姓名", "机构"]
    by_no = {r[0]: r for r in rows[1:]}
    assert set(by_no) == {"t01", "t02", "t03", "m01"}
    assert by_no["t02"][6] == "符合" and "客户经理上岗资格" in by_no["t02"][8]
    assert by_no["t01"][6] == "不符合" and "无客户经理上岗资格" in by_no["t01"][7]
    assert by_no["t03"][1].startswith("'=")  # formula-safe
    answer = client.get("/eligibility/export.xlsx?state=eligible")
    sheet = load_workbook(io.BytesIO(answer.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("工号", "姓名", "机构")
    assert [r[0] for r in values[1:]] == ["t02"] and values[1][6] == "符合"
    everyone = load_workbook(io.BytesIO(client.get(f"/eligibility/export.xlsx?rule={world.rule.id}").data)).active
    cells = {row[0].value: row for row in everyone.iter_rows(min_row=2)}
    assert cells["t03"][1].value.startswith("=HYPERLINK") and cells["t03"][1].data_type == "s"  # text, not a formula
    assert "无出师评价" in cells["t03"][8].value


def test_revoking_a_certificate_makes_the_holder_ineligible_at_once_with_that_reason(
        world, client, make_user, give_certificate, give_signoff, english):
    from lms.eligibility import engine

    ready, _far = _people(world, make_user, give_certificate, give_signoff)
    assert engine.explain(ready, world.rule).eligible
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.user_id == ready.id))
    certificate.revoked_at = datetime(2026, 3, 2, 2, 0)  # as HR's revocation leaves it
    db.session.commit()
    verdict = engine.explain(ready, world.rule)
    assert not verdict.eligible
    assert [c.evidence for c in verdict.unmet] == ["客户经理上岗资格 revoked 2026-03-02"]
    sign_in(client, world.hr)
    html = client.get(f"/eligibility/?rule={world.rule.id}&state=eligible").get_data(as_text=True)
    assert "孙合格" not in html


def test_the_register_first_page_costs_the_same_statements_for_10_and_200_people(world, client, make_user,
                                                                                   give_certificate):
    from sqlalchemy import event

    def count_page():
        count = {"n": 0}

        def hit(*_args):
            count["n"] += 1

        event.listen(db.engine, "before_cursor_execute", hit)
        try:
            assert client.get("/eligibility/?state=not_eligible").status_code == 200
            assert client.get("/eligibility/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", hit)
        return count["n"]

    sign_in(client, world.hr)
    for _ in range(10):
        give_certificate(make_user(("learner",), branch=world.tianyuan, position="teller"), world.rmq)
    few = count_page()
    for _ in range(190):
        give_certificate(make_user(("learner",), branch=world.lusong, position="teller"), world.rmq)
    assert count_page() == few


def test_the_text_search_takes_percent_and_underscore_as_typed(world, client, make_user):
    make_user(("learner",), employee_no="t_5", name="利率50%专员", branch=world.tianyuan, position="teller")
    make_user(("learner",), employee_no="tx6", name="利率500专员", branch=world.tianyuan, position="teller")
    sign_in(client, world.hr)
    percent = client.get("/eligibility/", query_string={"q": "50%"}).text
    assert "利率50%专员" in percent and "利率500专员" not in percent
    underscore = client.get("/eligibility/", query_string={"q": "t_"}).text
    assert "利率50%专员" in underscore and "利率500专员" not in underscore and "李学员" not in underscore
