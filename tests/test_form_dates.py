"""A date typed wrong (2026-13-45) is refused as not a date, with the format to write, on every form:
a required one read 此项必填 ("This field is required"), as if nothing had been typed."""
from __future__ import annotations

import re

import pytest
from flask import url_for
from flask_babel import force_locale
from wtforms import DateField as WTFormsDateField

from lms.forms import DateField
from tests.mentoring.pairing_world import make_world
from tests.test_forms_text_direction import FORMS

WRONG = "2026-13-45"
SAYS = {"zh_CN": "“2026-13-45”不是有效的日期：请按 YYYY-MM-DD 格式填写，例如 2026-03-01。",
        "en": "“2026-13-45” is not a valid date: write it as YYYY-MM-DD, for example 2026-03-01."}


def _date_fields(form) -> list:
    return [f for f in form if isinstance(f, WTFormsDateField)]


def _errors(response) -> list[str]:
    return re.findall(r'<small class="error">([^<]*)</small>', response.text)


def test_every_date_field_of_every_form_says_a_wrong_date_is_not_one(app):
    app.config["WTF_CSRF_ENABLED"] = False
    checked = []
    for form_class in FORMS:
        with app.test_request_context("/", method="POST"):
            names = [f.name for f in _date_fields(form_class())]
        for locale, message in SAYS.items():
            with app.test_request_context("/", method="POST", data=dict.fromkeys(names, WRONG)), \
                    force_locale(locale):
                form = form_class()
                for field in _date_fields(form):
                    assert isinstance(field, DateField), f"{form_class.__qualname__}.{field.name}: lms.forms.DateField"
                    field.validate(form)
                    assert [str(e) for e in field.errors] == [message], f"{form_class.__qualname__}.{field.name}"
                    checked.append((form_class.__qualname__, field.name, field.flags.required))
    # The required ones are the point: the pairing's dates, a position's start, a check-in's date.
    assert {("PairForm", "start_date", True), ("PositionForm", "start_date", True),
            ("CheckInRecordForm", "held_on", True)} <= set(checked), sorted(set(checked))


def test_an_empty_required_date_still_reads_required_and_an_empty_optional_one_passes(app):
    from lms.mentoring.checkin_forms import ActionRow
    from lms.mentoring.forms import PairForm

    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/", method="POST", data={"start_date": " "}), force_locale("zh_CN"):
        form = PairForm()
        form.start_date.validate(form)
        assert form.start_date.errors == ["此项必填。"]
    with app.test_request_context("/", method="POST", data={"due_on": ""}):
        form = ActionRow()
        assert form.due_on.validate(form) and form.due_on.data is None


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_pairing_form_names_the_wrong_date_and_pairs_nobody(client, clock, make_user, make_branch, login,
                                                                  locale):
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.mentoring.models import Pairing

    world = make_world(make_user, make_branch)
    world.hr.locale = locale
    db.session.commit()
    login(world.hr)
    response = client.post(url_for("mentoring_admin.pair"), data={
        "mentor_no": world.mentor.employee_no, "apprentice_no": world.learners[0].employee_no,
        "start_date": WRONG, "planned_end_date": "2026-09-01", "goals": ""})
    assert response.status_code == 200
    assert SAYS[locale] in _errors(response)
    assert "此项必填。" not in _errors(response) and "This field is required." not in _errors(response)
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 0


@pytest.mark.parametrize("typed", ["0001-01-01", "1899-12-31", "3000-01-01"])
def test_a_date_outside_the_years_the_app_reckons_with_is_refused_at_its_field(app, typed):
    """HR dating a position change 0001-01-01 made tenure read as centuries and meet every tenure rule."""
    from lms.org.forms import PositionForm

    app.config["WTF_CSRF_ENABLED"] = False
    for locale, says in {"zh_CN": f"{typed} 超出了系统可处理的日期范围（1900-01-01 至 2999-12-31）。",
                         "en": f"{typed} is outside the dates the app reckons with (1900-01-01 to 2999-12-31)."}.items():
        with app.test_request_context("/", method="POST", data={"start_date": typed}), force_locale(locale):
            form = PositionForm()
            assert not form.start_date.validate(form)
            assert [str(e) for e in form.start_date.errors] == [says]
            assert form.start_date.data is None
    with app.test_request_context("/", method="POST", data={"start_date": "1900-01-01"}):
        form = PositionForm()
        form.start_date.validate(form)
        assert form.start_date.errors == []
