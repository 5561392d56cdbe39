"""HR's forms on a programme's audience page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from lms.forms import Form
from lms.org.employee_numbers import for_lookup


class MemberChangeForm(Form):
    """Add a person to, or remove a person from, a programme's audience."""

    employee_no = StringField(_l("Employee number"), filters=[for_lookup], validators=[DataRequired(), Length(max=32)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])


class ListReturnForm(Form):
    """The page and filter of the list an add or remove form was sent beside (its ``back``
    field: a query string), to return to."""

    class Meta:
        csrf = False  # the add or remove form it is sent with carries the token

    back = HiddenField()
