"""Numbers a person reads are grouped as the reader's language groups digits
(README, Languages): HR's register heading read "20000 people" and a numeric
question's key "1500000 元". Exports, ids, years and typed values stay bare."""
from types import SimpleNamespace

from flask import render_template
from flask_babel import force_locale

from lms.numbers import reading_number


def test_a_register_heading_counts_twenty_thousand_people_in_each_language(app):
    result = SimpleNamespace(total=20000, users=[], page=1, pages=1, has_prev=False, has_next=False)
    with app.test_request_context():
        with force_locale("en"):
            assert '<p class="muted">20,000 people</p>' in render_template("org/_people_rows.html", result=result)
        with force_locale("zh_CN"):
            html = render_template("org/_people_rows.html", result=result)
    assert "20,000" in html and "20000" not in html
    # Below a thousand nothing changes; one is still singular.
    with app.test_request_context(), force_locale("en"):
        one = app.jinja_env.from_string('{{ ngettext("%(num)d person", "%(num)d people", n) }}')
        assert one.render(n=1) == "1 person" and one.render(n=999) == "999 people"


def test_a_number_keeps_every_digit_and_is_never_rounded(app):
    with app.test_request_context(), force_locale("en"):
        assert reading_number(1500000) == "1,500,000" and reading_number(3327.591) == "3,327.591"
        assert reading_number(2.0) == "2" and reading_number(None) == "None" and reading_number(True) == "True"
        assert app.jinja_env.from_string("{{ n|number }} B").render(n=10485760) == "10,485,760 B"


def test_staff_tiles_branch_totals_and_the_branch_panel_group_thousands(app):
    """HR's tiles read "20000 active people", the branch totals "12034" learners, the branch manager's
    panel "1204 of 20000 passed", the grading queue "Answers waiting for grading: 1500"."""
    hr = SimpleNamespace(active_people=20000, branches=12, inactive_people=1204, must_change_password=3,
                         joined_recently=1500, by_position=[("teller", 12034)])
    total = SimpleNamespace(learners=12034, passed=11000, completion=0.9, first_try_pass_rate=None,
                            mean_score=None, overdue=1034)
    week = SimpleNamespace(id=1, number=1, title="第 1 周", due_on=None)
    totals = SimpleNamespace(weeks=[week], branches=[SimpleNamespace(id=7, name="城东支行")],
                             table={(7, 1): total}, bank={1: total})
    block = SimpleNamespace(programme=SimpleNamespace(id=1, title="周训"), learners=20000, quarter=None,
                            week=SimpleNamespace(title="第 1 周"), overdue_people=1204,
                            total=SimpleNamespace(completion=0.06, passed=1204, learners=20000))
    with app.test_request_context(), force_locale("en"):
        tiles = render_template("org/_hr_panel.html", panel=hr)
        table = render_template("reports/_totals_table.html", totals=totals, quarterly=False, query={})
        panel = render_template("reports/_branch_manager_panel.html",
                                panel=SimpleNamespace(branch=None, programmes=[block]))
    assert ">20,000</a>" in tiles and ">1,500</div>" in tiles and "<td>12,034</td>" in tiles
    assert "<td>12,034</td><td>11,000</td>" in table and '<span class="error">1,034</span>' in table
    assert "第 1 周: 1,204 of 20,000 passed" in panel and ">1,204</a></div>" in panel
    with app.test_request_context(), force_locale("zh_CN"):
        panel = render_template("reports/_branch_manager_panel.html",
                                panel=SimpleNamespace(branch=None, programmes=[block]))
    assert "第 1 周：20,000 人中 1,204 人已通过" in panel
