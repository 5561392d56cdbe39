"""HR's mentoring settings (lms.mentoring.settings): the mentor rule, the
default and per-mentor capacity, the sign-off dimensions; each change audited."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.mentoring import settings
from lms.mentoring.models import SignOffDimension
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world
from tests.test_labels import visible_text


@pytest.fixture
def w(app, clock, make_user, make_branch):
    world = make_world(make_user, make_branch)
    with app.test_request_context(), force_locale("en"):
        yield world


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_the_defaults_need_no_rows(w):
    rule = settings.mentor_rule()
    assert (rule.min_position, rule.min_months, rule.certification) == ("rm_senior", 24, "")
    assert rule.positions == ["rm_senior", "rm_principal", "manager"]
    assert settings.default_capacity() == 3 and settings.capacity_of(w.mentor) == 3
    assert [(d.key, d.label_zh) for d in settings.active_dimensions()] == [
        ("product_knowledge", "产品知识"), ("credit_analysis", "信贷分析"), ("risk_awareness", "风险意识"),
        ("compliance", "合规意识"), ("client_communication", "客户沟通")]
    # Reading wrote nothing.
    assert db.session.scalar(select(func.count()).select_from(SignOffDimension)) == 0


def test_changing_the_rule_is_audited_with_before_and_after(w):
    assert settings.set_rule(min_position="rm_principal", min_months=12, certification="", capacity=2,
                             actor=w.hr) == 3
    rule = settings.mentor_rule()
    assert (rule.min_position, rule.min_months, settings.default_capacity()) == ("rm_principal", 12, 2)
    assert actions() == ["mentoring.setting_changed"] * 3
    assert settings.set_rule(min_position="rm_principal", min_months=12, certification="", capacity=2,
                             actor=w.hr) == 0
    with pytest.raises(settings.SettingsError, match="Junior RM up"):
        settings.set_rule(min_position="teller", min_months=12, certification="", capacity=2, actor=w.hr)
    with pytest.raises(settings.SettingsError, match="not a published certification"):
        settings.set_rule(min_position="rm_senior", min_months=12, certification="nope", capacity=2, actor=w.hr)
    with pytest.raises(settings.SettingsError, match="between 1 and 20"):
        settings.set_rule(min_position="rm_senior", min_months=12, certification="", capacity=0, actor=w.hr)


def test_a_mentor_capacity_override_is_audited_and_can_go_back(w):
    assert settings.set_capacity(w.mentor, 5, actor=w.hr)
    assert settings.capacity_of(w.mentor) == 5 and settings.capacity_of(w.mentor2) == 3
    assert not settings.set_capacity(w.mentor, 5, actor=w.hr)
    assert settings.set_capacity(w.mentor, None, actor=w.hr)
    assert settings.capacity_of(w.mentor) == 3
    assert actions() == ["mentoring.capacity_set", "mentoring.capacity_set"]


def test_hr_adds_renames_orders_and_retires_dimensions(w):
    settings.add_dimension("营销能力", "Sales skills", actor=w.hr)
    assert db.session.scalar(select(func.count()).select_from(SignOffDimension)) == 6  # defaults written too
    settings.change_dimension("compliance", label_zh="合规与操守", label_en="Compliance and conduct", actor=w.hr)
    settings.change_dimension("sales_skills", move=-1, actor=w.hr)
    settings.change_dimension("credit_analysis", active=False, actor=w.hr)
    assert [d.label_zh for d in settings.active_dimensions()] == [
        "产品知识", "风险意识", "合规与操守", "营销能力", "客户沟通"]
    assert [d.key for d in settings.dimensions()][-1] == "credit_analysis"  # retired: kept, listed last
    with pytest.raises(settings.SettingsError, match="called “产品知识” already"):
        settings.add_dimension("产品知识", "Products", actor=w.hr)
    assert actions() == ["mentoring.dimension_added", "mentoring.dimension_changed", "mentoring.dimension_changed",
                         "mentoring.dimension_retired"]
    settings.change_dimension("credit_analysis", active=True, actor=w.hr)
    for key in ["product_knowledge", "credit_analysis", "risk_awareness", "compliance", "sales_skills"]:
        settings.change_dimension(key, active=False, actor=w.hr)
    with pytest.raises(settings.SettingsError, match="At least one dimension"):
        settings.change_dimension("client_communication", active=False, actor=w.hr)



def test_the_log_names_a_dimension_in_the_readers_language(app, w):
    """The dimension events read "… retired the sign-off dimension Credit analysis" in English."""
    from lms.audit import labels

    settings.change_dimension("credit_analysis", active=False, actor=w.hr)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentoring.dimension_retired"))
    assert labels.describe(event).sentence.endswith("retired the sign-off dimension Credit analysis")
    with app.app_context(), app.test_request_context(), force_locale("zh_CN"):  # a new request's memo
        assert labels.describe(event).sentence.endswith("信贷分析")


def test_dimension_events_keep_the_key_and_both_names_and_read_in_the_readers_language(app, w):
    """An added, renamed or retired dimension's event holds its key (the
    object) and its names as HR entered them; the log's "Name" is the one of
    the reader's language, and an event recorded when only the Chinese label
    was kept still reads as its dimension's name where one has it."""
    from lms.audit import labels, services as audit

    settings.add_dimension("营销能力", "Sales skills", actor=w.hr)
    settings.change_dimension("sales_skills", label_zh="营销与拓客", label_en="Sales and prospecting", actor=w.hr)
    settings.change_dimension("sales_skills", active=False, actor=w.hr)
    # As the log held them before: the Chinese label alone under "name".
    audit.record("mentoring.dimension_retired", object_type="signoff_dimension", object_id="credit_analysis",
                 actor=w.hr, name="信贷分析")
    audit.record("mentoring.dimension_changed", object_type="signoff_dimension", object_id="compliance",
                 actor=w.hr, name="合规与操守")  # a label no dimension has any more
    db.session.commit()
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("mentoring.dimension_%"))
                                     .order_by(AuditEvent.seq)))
    assert [(e.object_id, e.details_dict.get("name")) for e in events[:3]] == [
        ("sales_skills", {"zh": "营销能力", "en": "Sales skills"}),
        ("sales_skills", {"zh": "营销与拓客", "en": "Sales and prospecting"}),
        ("sales_skills", {"zh": "营销与拓客", "en": "Sales and prospecting"})]
    assert events[1].details_dict["label_zh_change"] == {"before": "营销能力", "after": "营销与拓客"}

    def names(locale, label):
        with app.app_context(), app.test_request_context(), force_locale(locale):  # a new request's memo
            return [dict(labels.describe(e).details)[label] for e in events]

    assert names("en", "Dimension name") == ["Sales skills", "Sales and prospecting", "Sales and prospecting",
                                             "Credit analysis", "合规与操守"]
    assert names("zh_CN", "维度名称") == ["营销能力", "营销与拓客", "营销与拓客", "信贷分析", "合规与操守"]
    with app.app_context(), app.test_request_context(), force_locale("en"):
        first = labels.describe(events[0])
        assert first.sentence.endswith("added the sign-off dimension Sales and prospecting")
        assert first.details == [("Dimension name", "Sales skills")]  # one name, not a dict nor a code

def test_the_settings_page_changes_the_rule_and_shows_the_log(app, client, w):
    sign_in(client, w.hr)
    page = client.get("/mentoring/admin/settings")
    assert page.status_code == 200 and "产品知识" in page.text
    response = client.post("/mentoring/admin/settings", data={"min_position": "rm_principal", "min_months": "36",
                                                              "certification": "", "capacity": "2"})
    assert response.status_code == 302
    assert settings.mentor_rule().min_months == 36
    text = visible_text(client.get("/mentoring/admin/settings").text)
    assert "changed the mentoring setting “Mentor rule: months at or above that position”" in text
    assert "Before: 24" in text and "After: 36" in text  # English punctuation on an English page (h2)
    assert "mentoring.setting_changed" not in text and "rm_principal" not in text
    response = client.post("/mentoring/admin/settings/capacity", data={"capacity-mentor_no": "L001",
                                                                      "capacity-capacity": "4"})
    assert "does not hold the mentor role" in response.text
    response = client.post("/mentoring/admin/settings/dimensions/compliance", data={
        "action": "rename", "label_zh": "", "label_en": "x"})
    assert "A dimension needs a Chinese and an English label." in response.text
    sign_in(client, w.manager)
    assert client.get("/mentoring/admin/settings").status_code == 403
    assert client.post("/mentoring/admin/settings", data={"min_position": "rm_junior", "min_months": "0",
                                                          "capacity": "9"}).status_code == 403
    assert settings.mentor_rule().min_months == 36


def test_retiring_a_dimension_asks_first(app, client, w):
    """停用 takes a dimension off every mentor's sign-off form: the button
    opens a confirmation that names the dimension (no inline script: the CSP
    is strict); up, down and rename stay one click."""
    import re

    w.hr.locale = "zh_CN"
    db.session.commit()
    sign_in(client, w.hr)
    page = client.get("/mentoring/admin/settings").text
    item = re.search(r'<li id="dimension-compliance".*?</li>', page, re.S).group(0)
    retire = re.search(r'<form[^>]*>(?:(?!</form>).)*value="retire".*?</form>', item, re.S).group(0)
    confirm = re.search(r'<details id="retire-compliance-confirm"><summary class="button small">停用</summary>'
                        r'(.*?)</details>', retire, re.S)
    assert confirm, retire
    assert "不再为“合规意识”打分" in confirm.group(1) and '<button type="submit" class="danger small">确定停用</button>' \
        in confirm.group(1)
    assert retire.count("<button") == 1  # the only submit button is the one inside the confirmation
    response = client.post("/mentoring/admin/settings/dimensions/compliance", data={"action": "retire"})
    assert response.status_code == 302
    assert not db.session.get(SignOffDimension, "compliance").active
