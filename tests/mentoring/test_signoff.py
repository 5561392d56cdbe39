"""The sign-off (出师评价): who may give it and when, what it records, the
signals it sends, HR's withdrawal, and what the apprentice sees."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms import clock as lms_clock
from lms.audit.models import AuditEvent
from lms.database import transaction
from lms.extensions import db
from lms.mentoring import queries, signals
from lms.mentoring import signoff as services
from lms.mentoring.models import Pairing, PairingState, Recommendation, SignOff, SignOffDimension
from lms.notify.models import Notification
from tests.conftest import sign_in
from tests.programmes.helpers import programme

KEYS = ["product_knowledge", "credit_analysis", "risk_awareness", "compliance", "client_communication"]


@pytest.fixture
def people(app, make_user, make_branch):
    branch = make_branch("S01", "出师支行")
    other_branch = make_branch("S02", "别的支行")
    p = type("People", (), {})()
    p.apprentice = make_user(("learner",), employee_no="A001", name="李学员", branch=branch)
    p.mentor = make_user(("mentor", "learner"), employee_no="M001", name="王师傅", branch=branch)
    p.other_mentor = make_user(("mentor", "learner"), employee_no="M002", name="周师傅", branch=branch)
    p.hr = make_user(("hr",), employee_no="H001", name="人力")
    p.manager = make_user(("branch_manager",), employee_no="BM01", name="赵行长", branch=branch)
    p.far_manager = make_user(("branch_manager",), employee_no="BM02", name="钱行长", branch=other_branch)
    p.other_learner = make_user(("learner",), employee_no="A002", name="孙学员", branch=branch)
    p.pairing = Pairing(mentor_id=p.mentor.id, apprentice_id=p.apprentice.id,
                        start_date=lms_clock.today() - timedelta(days=90))
    db.session.add(p.pairing)
    db.session.commit()
    return p


def scores(value=4, **overrides):
    out = {key: (value, f"{key} 的评语") for key in KEYS}
    out.update(overrides)
    return out


def give(p, **kwargs):
    return services.sign_off(p.pairing, kwargs.pop("scores", scores()), kwargs.pop("recommendation", Recommendation.READY),
                             "推荐出师", kwargs.pop("actor", p.mentor))


@pytest.fixture
def received():
    got = []

    def given(_app, **params):
        got.append(("given", params))

    def withdrawn(_app, **params):
        got.append(("withdrawn", params))

    signals.signoff_given.connect(given)
    signals.signoff_withdrawn.connect(withdrawn)
    yield got
    signals.signoff_given.disconnect(given)
    signals.signoff_withdrawn.disconnect(withdrawn)


def _signoffs():
    return list(db.session.scalars(select(SignOff)))


# --- refusals ------------------------------------------------------------------

def test_only_the_active_mentor_signs_off(people):
    with pytest.raises(services.NotAllowed):
        give(people, actor=people.other_mentor)
    with pytest.raises(services.NotAllowed):
        give(people, actor=people.hr)
    people.pairing.state = PairingState.ENDED
    db.session.commit()
    with pytest.raises(services.NotAllowed):  # a former mentor
        give(people)
    assert _signoffs() == []


def test_an_overdue_week_is_named_and_refuses(people, clock, make_question, make_exam, client):
    exams = [make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, title=f"第{n}周测验")
             for n in (1, 2, 3, 4)]
    programme(exams, audience={"roles": ["learner"]}, title="客户经理周训")
    people.apprentice.hire_date = date(2026, 2, 20)  # enrolled in week 2: week 1 is catch-up, 2 and 3 overdue
    db.session.commit()
    with pytest.raises(services.SignOffError) as refused:
        give(people)
    message = str(refused.value)
    assert "李学员" in message and "客户经理周训 第2周（截止 2026-02-22）" in message
    assert "第3周（截止 2026-03-01）" in message and "第1周" not in message
    assert _signoffs() == [] and people.pairing.state == PairingState.ACTIVE
    # The mentor sees the refusal before filling anything in.
    sign_in(client, people.mentor)
    page = client.get(f"/mentoring/pairings/{people.pairing.id}/signoff").text
    assert "客户经理周训 第2周（截止 2026-02-22）" in page and 'id="signoff-form"' not in page
    response = client.post(f"/mentoring/pairings/{people.pairing.id}/signoff", data=_form_data())
    assert response.status_code == 200 and _signoffs() == []


def test_a_sign_off_in_force_refuses_another(people):
    give(people)
    people.pairing.state = PairingState.ACTIVE  # as if a second path led back to an active pairing
    db.session.commit()
    with pytest.raises(services.SignOffError, match="仍然有效"):
        give(people)
    assert len(_signoffs()) == 1


@pytest.mark.parametrize("bad", [0, 6, "x", None])
def test_a_score_outside_1_to_5_is_refused(people, bad):
    with pytest.raises(services.SignOffError, match="风险意识.*1–5"):
        give(people, scores=scores(risk_awareness=(bad, "评语")))
    assert _signoffs() == []


def test_every_dimension_needs_a_score_and_a_comment(people):
    missing = scores()
    del missing["compliance"]
    with pytest.raises(services.SignOffError, match="合规意识"):
        give(people, scores=missing)
    with pytest.raises(services.SignOffError, match="客户沟通.*评语"):
        give(people, scores=scores(client_communication=(4, "  ")))
    with pytest.raises(services.SignOffError, match="不是出师评价的维度"):
        give(people, scores=scores(charm=(5, "很好")))
    with pytest.raises(services.SignOffError):
        give(people, recommendation="maybe")
    assert _signoffs() == [] and people.pairing.state == PairingState.ACTIVE


# --- success -------------------------------------------------------------------

def test_a_sign_off_records_labels_scores_state_audit_and_notifies(people, received):
    given = give(people, scores=scores(credit_analysis=(3, "现金流分析还需练")))
    assert received == [("given", {"apprentice_id": people.apprentice.id, "signoff_id": given.id})]
    row = db.session.get(SignOff, given.id)
    assert [(s["key"], s["label"], s["score"]) for s in row.scores] == [
        ("product_knowledge", "产品知识", 4), ("credit_analysis", "信贷分析", 3), ("risk_awareness", "风险意识", 4),
        ("compliance", "合规意识", 4), ("client_communication", "客户沟通", 4)]
    assert row.scores[1]["comment"] == "现金流分析还需练" and row.in_force and row.mentor_id == people.mentor.id
    assert db.session.get(Pairing, people.pairing.id).state == PairingState.SIGNED_OFF
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentoring.signed_off"))
    assert event.object_id == str(people.apprentice.id) and event.actor_id == people.mentor.id
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == people.apprentice.id))
    assert note.kind == "signed_off"
    assert queries.signoff_in_force(people.apprentice.id).id == given.id
    assert queries.signoffs_in_force([people.apprentice.id, people.other_learner.id]) == {people.apprentice.id: row}


def test_labels_are_kept_as_they_were_when_hr_renames_a_dimension(people):
    given = give(people)
    db.session.add_all([SignOffDimension(key=k, label_zh=zh, label_en=en, position=n)
                        for n, (k, zh, en) in enumerate(services.DEFAULT_DIMENSIONS)])
    db.session.commit()
    db.session.get(SignOffDimension, "compliance").label_zh = "合规经营"
    db.session.commit()
    assert db.session.get(SignOff, given.id).scores[3]["label"] == "合规意识"
    assert [services.dimension_label(d) for d in services.active_dimensions()][3] == "合规经营"


def test_the_signal_goes_only_after_the_commit(people, received):
    with pytest.raises(RuntimeError):
        with transaction():
            give(people)
            assert received == []  # not yet: the outer transaction has not committed
            raise RuntimeError("rolled back")
    assert received == [] and _signoffs() == []
    assert db.session.get(Pairing, people.pairing.id).state == PairingState.ACTIVE
    with pytest.raises(services.SignOffError):
        give(people, scores=scores(compliance=(9, "x")))
    assert received == []


# --- withdrawal ------------------------------------------------------------------

def test_only_hr_withdraws_and_says_why(people, received):
    given = give(people)
    for actor in (people.mentor, people.manager, people.apprentice):
        with pytest.raises(services.NotAllowed):
            services.withdraw(given, "复核", actor)
    with pytest.raises(services.SignOffError):
        services.withdraw(given, "   ", people.hr)
    assert db.session.get(SignOff, given.id).in_force
    services.withdraw(given, "复核发现信贷分析不达标", people.hr)
    row = db.session.get(SignOff, given.id)
    assert not row.in_force and row.withdrawn_by_id == people.hr.id and row.withdraw_reason == "复核发现信贷分析不达标"
    assert received[-1] == ("withdrawn", {"apprentice_id": people.apprentice.id, "signoff_id": given.id})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentoring.signoff_withdrawn"))
    assert json.loads(event.details)["reason"] == "复核发现信贷分析不达标"
    assert queries.signoff_in_force(people.apprentice.id) is None
    with pytest.raises(services.SignOffError):  # once only
        services.withdraw(row, "再次", people.hr)


def test_withdrawal_reopens_the_pairing_so_the_mentor_can_sign_off_again(people):
    first = give(people)
    services.withdraw(first, "材料不全", people.hr)
    assert db.session.get(Pairing, people.pairing.id).state == PairingState.ACTIVE
    second = give(people)
    assert second.id != first.id and queries.signoff_in_force(people.apprentice.id).id == second.id


def test_withdrawal_leaves_the_pairing_signed_off_when_the_apprentice_has_another_mentor(people):
    given = give(people)
    db.session.add(Pairing(mentor_id=people.other_mentor.id, apprentice_id=people.apprentice.id,
                           start_date=lms_clock.today()))
    db.session.commit()
    services.withdraw(given, "换师傅后复核", people.hr)
    assert db.session.get(Pairing, people.pairing.id).state == PairingState.SIGNED_OFF


@pytest.mark.parametrize("mentor_left", ["deactivated", "role removed"])
def test_withdrawal_after_the_mentor_left_ends_the_pairing_instead_of_reopening_it(people, client, mentor_left):
    """The mentor left the bank (or lost the mentor role) after the sign-off: a reopened pairing
    would give the apprentice a mentor nobody can reach and keep HR from pairing them anew."""
    from lms.mentoring import pairing as rules
    from lms.org import services as org

    given = give(people)
    if mentor_left == "deactivated":
        org.deactivate(people.mentor, "离职")
    else:
        org.set_roles(people.mentor, ["learner"])
    sign_in(client, people.hr)
    done = client.post(f"/mentoring/signoffs/{given.id}/withdraw", data={"reason": "复核不通过"},
                       follow_redirects=True)
    assert "王师傅已不能带教，结对已结束" in done.text
    pairing = db.session.get(Pairing, people.pairing.id)
    assert pairing.state == PairingState.ENDED and pairing.end_reason == "复核不通过"
    assert pairing.ended_by_id == people.hr.id and pairing.ended_on == lms_clock.today()
    assert rules.active_pairing_of(people.apprentice.id) is None
    assert rules.APPRENTICE not in [field for field, _m in rules.refusals(  # HR may pair them anew
        people.other_mentor, people.apprentice, lms_clock.today(), lms_clock.today() + timedelta(days=90))]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentoring.signoff_withdrawn"))
    assert event.details_dict["pairing_ended"] is True and event.details_dict["pairing_reopened"] is False


# --- through the web --------------------------------------------------------------

def _form_data(**overrides):
    data = {"recommendation": "ready_with_conditions", "comment": "继续跟岗三个月"}
    for key in KEYS:
        data[f"score_{key}"] = "4"
        data[f"comment_{key}"] = f"{key} 评语"
    data.update(overrides)
    return data


def test_the_mentor_signs_off_in_the_form_and_everybody_reads_it(people, client):
    sign_in(client, people.mentor)
    url = f"/mentoring/pairings/{people.pairing.id}/signoff"
    page = client.get(url).text
    assert all(label in page for label in ("产品知识", "信贷分析", "风险意识", "合规意识", "客户沟通"))
    refused = client.post(url, data=_form_data(score_compliance="7", comment_risk_awareness=""))
    assert refused.status_code == 200 and _signoffs() == []
    assert "请写评语说明理由" in refused.text
    done = client.post(url, data=_form_data())
    [given] = _signoffs()
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/mentoring/signoffs/{given.id}")
    assert client.get(url).headers["Location"].endswith(f"/mentoring/signoffs/{given.id}")  # signed already
    record = client.get(f"/mentoring/signoffs/{given.id}").text
    assert "有条件推荐出师" in record and "合规意识" in record and "继续跟岗三个月" in record
    # The apprentice sees their own, on their page and on the record.
    sign_in(client, people.apprentice)
    mine = client.get("/mentoring/my-signoff").text
    assert "王师傅于" in mine and "有条件推荐出师" in mine and "信贷分析" in mine
    assert client.get(f"/mentoring/signoffs/{given.id}").status_code == 200
    # Another learner sees neither theirs nor someone else's.
    sign_in(client, people.other_learner)
    theirs = client.get("/mentoring/my-signoff").text
    assert "您还没有出师" in theirs and "王师傅于" not in theirs
    assert client.get(f"/mentoring/signoffs/{given.id}").status_code == 404
    # Branch managers read within their branches only.
    sign_in(client, people.manager)
    assert client.get(f"/mentoring/signoffs/{given.id}").status_code == 200
    sign_in(client, people.far_manager)
    assert client.get(f"/mentoring/signoffs/{given.id}").status_code == 404


def test_another_mentor_changing_the_id_gets_404(people, client):
    sign_in(client, people.other_mentor)
    assert client.get(f"/mentoring/pairings/{people.pairing.id}/signoff").status_code == 404
    assert client.post(f"/mentoring/pairings/{people.pairing.id}/signoff", data=_form_data()).status_code == 404
    assert _signoffs() == []


def test_hr_withdraws_from_the_person_page_with_a_reason(people, client):
    given = give(people)
    sign_in(client, people.hr)
    person = client.get(f"/org/people/{people.apprentice.id}").text
    assert 'id="person-signoffs"' in person and f"/mentoring/signoffs/{given.id}/withdraw" in person
    empty = client.post(f"/mentoring/signoffs/{given.id}/withdraw", data={"reason": ""})
    assert empty.status_code == 200 and "请填写撤销出师评价的原因" in empty.text
    assert db.session.get(SignOff, given.id).in_force
    done = client.post(f"/mentoring/signoffs/{given.id}/withdraw", data={"reason": "复核不通过"})
    assert done.status_code == 302
    record = client.get(f"/mentoring/signoffs/{given.id}").text
    assert "已撤销" in record and "复核不通过" in record
    history = client.get(f"/org/people/{people.apprentice.id}").text
    assert "人力 撤销了 李学员 (A001) 的出师评价" in history.replace(" (H001)", "")
    sign_in(client, people.apprentice)
    mine = client.get("/mentoring/my-signoff").text
    assert "以前的出师评价（已撤销）" in mine and "复核不通过" in mine


# --- the demo ------------------------------------------------------------------------

def test_the_demo_signs_off_the_mentors_second_apprentice_not_the_learner(app, make_user):
    from lms.mentoring.demo_signoff import sign_off_second_apprentice

    mentor = make_user(("mentor", "learner"), employee_no="mentor", name="王师傅")
    learner = make_user(("learner",), employee_no="learner", name="李学员")
    second = make_user(("learner",), employee_no="E1009", name="陈徒弟")
    start = lms_clock.today() - timedelta(days=180)
    db.session.add_all([Pairing(mentor_id=mentor.id, apprentice_id=learner.id, start_date=start),
                        Pairing(mentor_id=mentor.id, apprentice_id=second.id, start_date=start)])
    db.session.commit()
    sign_off_second_apprentice("pw")
    sign_off_second_apprentice("pw")  # loading twice changes nothing
    assert [(s.apprentice_id, s.mentor_id, s.signed_on) for s in _signoffs()] == [
        (second.id, mentor.id, lms_clock.today() - timedelta(days=21))]  # before the demo's weeks fell due
    assert lms_clock._frozen is None  # the clock runs again
    assert queries.signoff_in_force(learner.id) is None


# --- the partials other pages include ------------------------------------------------

def test_the_partials_work_when_simply_included(app, people):
    from flask import render_template_string
    from flask_login import login_user

    include_mine = '{% include "mentoring/_my_signoff.html" %}'
    include_action = '{% include "mentoring/_signoff_action.html" %}'
    with app.test_request_context():
        login_user(people.mentor)
        action = render_template_string(include_action, pairing=people.pairing)
        assert f"/mentoring/pairings/{people.pairing.id}/signoff" in action
    with app.test_request_context():
        login_user(people.other_mentor)
        assert "signoff-action" not in render_template_string(include_action, pairing=people.pairing)
    given = give(people)
    with app.test_request_context():
        login_user(people.mentor)
        action = render_template_string(include_action, pairing=db.session.get(Pairing, people.pairing.id))
        assert f"/mentoring/signoffs/{given.id}" in action and "signoff-link" not in action
    with app.test_request_context():
        login_user(people.apprentice)
        assert "王师傅于" in render_template_string(include_mine)
    with app.test_request_context():
        login_user(people.other_learner)
        assert "您还没有出师" in render_template_string(include_mine)


def test_the_apprentice_reads_the_notification_and_english_readers_get_english_labels(people, client, make_user):
    give(people, scores=scores(credit_analysis=(3, "现金流分析还需练")))
    sign_in(client, people.apprentice)
    bell = client.get("/notifications/").text
    assert "王师傅给出了您的出师评价：推荐出师，可独立上岗。" in bell
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == people.apprentice.id))
    opened = client.post(f"/notifications/{note.id}/read", data={"open": "1"})
    assert opened.headers["Location"].endswith("/mentoring/my-signoff")
    hr_en = make_user(("hr",), employee_no="H002", locale="en")
    sign_in(client, hr_en)
    [given] = _signoffs()
    page = client.get(f"/mentoring/signoffs/{given.id}").text
    assert "Credit analysis" in page and "Ready: may work on their own" in page and "信贷分析" not in page


def test_hr_cannot_withdraw_their_own_signoff(people, client):
    """Withdrawn, the pairing reopens for a sign-off anew: HR who is the apprentice
    does not withdraw their own; another HR colleague may."""
    people.apprentice.role_rows.append(type(people.apprentice.role_rows[0])(role="hr"))
    db.session.commit()
    given = give(people)
    sign_in(client, people.apprentice)
    assert f"/signoffs/{given.id}/withdraw" not in client.get(f"/mentoring/signoffs/{given.id}").text
    refused = client.post(f"/mentoring/signoffs/{given.id}/withdraw", data={"reason": "我想重新出师"})
    assert refused.status_code == 403 and "不能撤回您本人的出师评价，请另一位人力资源同事办理。" in refused.text
    assert db.session.get(SignOff, given.id).in_force
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentoring.signoff_withdrawn"))
    services.withdraw(given, "复核", people.hr)
    assert not db.session.get(SignOff, given.id).in_force


def test_the_mentor_who_signed_off_finds_the_sign_off_not_a_closed_page(people, client):
    """After the sign-off the apprentice's page answered the mentor 404
    "no longer your apprentice … the pairing ended … nothing was recorded".
    It now leads to the sign-off they gave, saying why the page closed; a
    mentor who never had the apprentice still gets a plain 404."""
    sign_in(client, people.mentor)
    url = f"/mentoring/apprentices/{people.apprentice.id}"
    assert client.get(url).status_code == 200
    given = give(people)
    moved = client.get(url)
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"/mentoring/signoffs/{given.id}")
    page = client.get(moved.headers["Location"]).text
    assert f"李学员已于 {given.signed_on.isoformat()} 出师，徒弟页面随结对关闭。以下是您给出的出师评价。" in page
    sign_in(client, people.other_mentor)
    assert client.get(url).status_code == 404


def test_the_audit_log_names_the_dimensions_in_the_readers_language(people, client, make_user):
    """The sign-off's audit event keeps each dimension's key, not its Chinese label: HR
    reading the log in English reads the English names, in Chinese the Chinese ones. An
    event written before (Chinese labels) still reads, in English too where a dimension
    still has that label; a label no dimension has any more shows as it was stored. The
    dimensions read in HR's order."""
    from lms.audit import services as audit

    give(people, scores=scores(credit_analysis=(3, "现金流分析还需练")))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentoring.signed_off"))
    assert json.loads(event.details)["scores"] == {
        "product_knowledge": 4, "credit_analysis": 3, "risk_awareness": 4, "compliance": 4, "client_communication": 4}
    with transaction():
        audit.record("mentoring.signed_off", object_type="user", object_id=people.other_learner.id,
                     actor=people.other_mentor, mentor=people.other_mentor.id, recommendation="ready",
                     scores={"产品知识": 5, "营销能力": 2})  # as events were stored before the keys

    sign_in(client, people.hr)
    zh = client.get("/audit/").text
    assert "产品知识：4/5；信贷分析：3/5；风险意识：4/5；合规意识：4/5；客户沟通：4/5" in zh
    assert "产品知识：5/5；营销能力：2/5" in zh
    sign_in(client, make_user(("hr",), locale="en"))
    en = client.get("/audit/").text
    assert ("Product knowledge: 4/5; Credit analysis: 3/5; Risk awareness: 4/5; Compliance: 4/5; "
            "Client communication: 4/5") in en
    assert "Product knowledge: 5/5; 营销能力: 2/5" in en and "产品知识" not in en


def _heading(html: str) -> str:
    import re

    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def test_the_sign_off_headings_name_the_apprentice_with_their_number_where_each_language_puts_it(
        people, client, make_user):
    """孙娜 的出师评价 E1020 read wrong: the number belongs after the name, before 的."""
    sign_in(client, people.mentor)
    assert _heading(client.get(f"/mentoring/pairings/{people.pairing.id}/signoff").text) == "李学员 (A001) 的出师评价"
    given = give(people)
    sign_in(client, people.hr)
    assert _heading(client.get(f"/mentoring/signoffs/{given.id}").text) == "李学员 (A001) 的出师评价"
    assert _heading(client.get(f"/mentoring/signoffs/{given.id}/withdraw").text) == "撤销李学员 (A001) 的出师评价"
    sign_in(client, make_user(("hr",), locale="en"))
    assert _heading(client.get(f"/mentoring/signoffs/{given.id}").text) == "Sign-off of 李学员 (A001)"
    assert _heading(client.get(f"/mentoring/signoffs/{given.id}/withdraw").text) == \
        "Withdraw the sign-off of 李学员 (A001)"
