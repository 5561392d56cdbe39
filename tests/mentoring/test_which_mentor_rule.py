"""Two rules answer "who may mentor?": HR's mentor rule (带教设置), which
pairing checks, and a published eligibility rule whose post is the mentor
(content/eligibility/mentor.yaml), which the eligibility register reports.
Pairing keeps HR's rule; every page showing either says which one pairing uses."""
from __future__ import annotations

import json
from datetime import date

import pytest
from flask_babel import force_locale

from lms.content.models import Certification, EligibilityRule
from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.mentoring import settings
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world
from tests.test_labels import visible_text

SAYS_ZH = "结对时核对的是人力资源设定的带教师傅条件（带教设置）：高级客户经理及以上，在该岗位及以上累计满 24 个月"


@pytest.fixture
def w(app, clock, make_user, make_branch):
    world = make_world(make_user, make_branch)
    # The shipped rule asks for far more than HR's: two certifications nobody holds here.
    world.rule = EligibilityRule(slug="mentor", title="带教师傅准入", target="mentor", requirements_json=json.dumps(
        {"certifications": ["rm-qualification", "mentor-qualification"],
         "tenure": [{"positions": ["rm_senior", "rm_principal", "manager"], "months": 24}]}))
    db.session.add(world.rule)
    world.hr.locale = "zh_CN"
    db.session.commit()
    return world


def test_the_pages_say_which_rule_pairing_uses(client, w):
    sign_in(client, w.hr)
    rule_page = visible_text(client.get("/eligibility-rules/mentor").text)
    assert SAYS_ZH in rule_page and "不阻止任何结对" in rule_page
    assert SAYS_ZH in visible_text(client.get("/eligibility/").text)
    settings_page = visible_text(client.get("/mentoring/admin/settings").text)
    assert "结对只核对这一条件" in settings_page
    assert "师傅条件：高级客户经理及以上，在该岗位及以上累计满 24 个月" in visible_text(
        client.get("/mentoring/admin/mentors").text)
    # A rule for another post says nothing of the kind.
    db.session.add(EligibilityRule(slug="rm-senior", title="高级客户经理准入", target="rm_senior", requirements_json="{}"))
    db.session.commit()
    assert "which-mentor-rule" not in client.get("/eligibility-rules/rm-senior").text

    # HR changes their rule: the sentence follows, with the certification, in English too.
    with client.application.test_request_context():
        db.session.add(Certification(slug="mentor-qualification", title="带教师傅资格", serial_prefix="MQ",
                                     requirements_json="{}"))
        db.session.commit()
        settings.set_rule(min_position="rm_principal", min_months=12, certification="mentor-qualification",
                          capacity=3, actor=w.hr)
    w.hr.locale = "en"
    db.session.commit()
    english = visible_text(client.get("/eligibility-rules/mentor").text)
    assert ("Pairing checks HR's mentor rule (mentoring settings): Principal RM or above, at least 12 months at or "
            "above it; holding a valid “带教师傅资格”.") in english


def test_pairing_follows_hrs_rule_not_the_published_one(app, w):
    # 王师傅 meets HR's rule (Senior RM, 50 months) but holds neither certification of the published rule.
    with app.test_request_context(), force_locale("en"):
        pairing = rules.pair(w.mentor, w.learners[0], date(2026, 3, 2), date(2026, 9, 1), actor=w.hr)
    assert pairing.mentor_id == w.mentor.id
