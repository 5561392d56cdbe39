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
