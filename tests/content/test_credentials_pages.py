"""The certification and eligibility-rule pages: every signed-in user reads
the requirements in words (Chinese and English), linked to the programme or
exam where the viewer may open it; retired definitions only for staff."""
from __future__ import annotations

import json

import pytest

from lms.content.models import Certification, EligibilityRule
from lms.extensions import db
from tests.test_labels import visible_text

REQUIRES = {"programmes": ["rm-foundation"], "exams": [{"exam": "exam-rm-entry", "min_score": 80}], "signoff": True,
            "tenure": [{"positions": ["teller"], "months": 12}]}


@pytest.fixture
def definitions(app, make_exam):
    from lms.content.models import Programme

    exam = make_exam(slug="exam-rm-entry", title="客户经理准入考试", open_to_all=False)
    db.session.add(Programme(slug="rm-foundation", title="客户经理基础培训", audience_json="{}"))
    cert = Certification(slug="rm-qualification", title="客户经理上岗资格", summary="持证上岗的基本资格。",
                         serial_prefix="RMQ", validity_months=24, renewal_window_days=90,
                         requirements_json=json.dumps(REQUIRES))
    rule = EligibilityRule(slug="rm-junior-entry", title="客户经理岗位准入", target="rm_junior",
                           requirements_json=json.dumps({
                               "certifications": ["rm-qualification"],
                               "tenure": [{"positions": ["teller", "intern"], "months": 12}], "signoff": True,
                               "weeks_passed": {"programme": "rm-foundation", "last": 8, "min": 6}}))
    old = Certification(slug="old-cert", title="旧资格", serial_prefix="OLD", validity_months=None,
                        requirements_json='{"signoff": true}', retired=True)
    db.session.add_all([cert, rule, old])
    db.session.commit()
    return exam


def test_a_learner_reads_the_requirements_in_chinese(client, login, make_user, definitions):
    login(make_user(("learner",), position="teller"))
    text = visible_text(client.get("/certifications/rm-qualification").text)
    for words in ("客户经理上岗资格", "完成客户经理基础培训", "客户经理准入考试 ≥ 80 分", "师傅出师评价",
                  "在柜员岗位满 12 个月", "有效期 24 个月，到期前 90 天可续期", "RMQ-", "客户经理岗位准入"):
        assert words in text, words
    text = visible_text(client.get("/eligibility-rules/rm-junior-entry").text)
    for words in ("初级客户经理", "持有效的客户经理上岗资格", "在柜员、实习生岗位累计满 12 个月", "师傅出师评价",
                  "客户经理基础培训已到期的最近 8 周测验中至少通过 6 周"):
        assert words in text, words
    listing = visible_text(client.get("/certifications").text)
    assert "客户经理准入考试 ≥ 80 分" in listing and "旧资格" not in listing
    assert "初级客户经理" in visible_text(client.get("/eligibility-rules").text)


def test_an_english_reader_reads_them_in_english(client, login, make_user, definitions):
    login(make_user(("learner",), locale="en"))
    text = visible_text(client.get("/certifications/rm-qualification").text)
    for words in ("Complete 客户经理基础培训", "客户经理准入考试 ≥ 80%", "A mentor's sign-off",
                  "12 months as Teller", "Valid for 24 months; renewal opens 90 days before expiry"):
        assert words in text, words
    text = visible_text(client.get("/eligibility-rules/rm-junior-entry").text)
    for words in ("Junior RM", "A valid 客户经理上岗资格", "12 months in total as Teller, Intern",
                  "At least 6 of the last 8 due weeks of 客户经理基础培训 passed"):
        assert words in text, words


def test_links_go_where_the_viewer_may_go(client, login, make_user, definitions):
    exam = definitions
    login(make_user(("trainer",)))
    html = client.get("/certifications/rm-qualification").text
    assert 'href="/console/exams/exam-rm-entry"' in html and 'href="/console/programmes/rm-foundation"' in html
    # A learner outside the programme gets the words without a link to pages that would refuse them.
    login(make_user(("learner",)))
    html = client.get("/certifications/rm-qualification").text
    assert f'href="/exams/{exam.id}"' not in html and "/console/" not in html
    rule_page = client.get("/eligibility-rules/rm-junior-entry").text
    assert 'href="/certifications/rm-qualification"' in rule_page
    # HR opens the programme's audience page; a member learner their programme page.
    from lms.content.models import Programme

    programme = db.session.scalar(db.select(Programme).where(Programme.slug == "rm-foundation"))
    login(make_user(("hr",)))
    assert f'href="/programmes/{programme.id}/audience"' in client.get("/certifications/rm-qualification").text
    programme.audience_json = '{"positions": ["teller"]}'
    db.session.commit()
    login(make_user(("learner",), position="teller"))
    assert f'href="/programmes/{programme.id}"' in client.get("/certifications/rm-qualification").text
    login(make_user(("learner",), position="rm_senior"))
    assert f'href="/programmes/{programme.id}"' not in client.get("/certifications/rm-qualification").text
    # An exam any learner may take is linked for a learner.
    exam.open_to_all = True
    db.session.commit()
    assert f'href="/exams/{exam.id}"' in client.get("/certifications/rm-qualification").text


def test_retired_definitions_are_for_staff_only(client, login, make_user, definitions):
    login(make_user(("learner",)))
    assert client.get("/certifications/old-cert").status_code == 404
    assert client.get("/certifications/no-such-thing").status_code == 404
    login(make_user(("hr",)))
    page = client.get("/certifications/old-cert")
    assert page.status_code == 200 and "长期有效" in visible_text(page.text)
    assert "旧资格" in visible_text(client.get("/certifications").text)


def test_hr_and_trainers_find_them_in_the_menu(client, login, make_user, definitions):
    login(make_user(("hr",)))
    assert 'href="/certifications"' in client.get("/").text
    login(make_user(("learner",)))
    assert 'href="/certifications"' not in client.get("/").text


def test_lists_follow_the_career(client, login, make_user, definitions):
    db.session.add_all([
        Certification(slug="a-mentor-cert", title="A 带教师傅资格", serial_prefix="MTQ", validity_months=24,
                      requirements_json='{"signoff": true}'),
        EligibilityRule(slug="a-mentor", title="A 带教师傅准入", target="mentor",
                        requirements_json='{"certifications": ["a-mentor-cert"]}'),
        EligibilityRule(slug="z-teller", title="Z 柜员准入", target="teller", requirements_json='{"signoff": true}'),
    ])
    db.session.commit()
    login(make_user(("learner",)))
    text = visible_text(client.get("/certifications").text)
    assert text.index("客户经理上岗资格") < text.index("A 带教师傅资格")
    text = visible_text(client.get("/eligibility-rules").text)
    assert text.index("Z 柜员准入") < text.index("客户经理岗位准入") < text.index("A 带教师傅准入")


def test_the_two_halves_are_tabs_that_show_which_one_is_open(client, login, make_user, definitions):
    """The menu's 资格认证与准入规则 opens 资格认证; its two halves were two plain links, neither
    showing where the reader was. They are tabs; the open one (its detail pages too) is marked."""
    import re

    login(make_user(("hr",)))
    for path, current in (("/certifications", "资格认证"), ("/certifications/rm-qualification", "资格认证"),
                          ("/eligibility-rules", "准入规则"), ("/eligibility-rules/rm-junior-entry", "准入规则")):
        nav = client.get(path).text.split('id="credentials-nav"', 1)[1].split("</nav>", 1)[0]
        marked = re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', nav)
        assert marked == [current], (path, nav)
