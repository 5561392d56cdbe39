"""HR's mentoring forms: pair, end, change mentor, the mentor rule, a
mentor's capacity, the sign-off dimensions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.forms import DateField, Form, options
from lms.mentoring import settings
from lms.mentoring.pairing import MAX_GOALS, MAX_REASON
from lms.org.employee_numbers import for_lookup
from lms.org.models import POSITIONS

_strip = [lambda v: v.strip() if isinstance(v, str) else v]
_employee_no = [for_lookup]  # Ｍ００１, M 001: M001, as every lookup by 工号 reads it


class PairForm(Form):
    mentor_no = StringField(_l("Mentor (employee number)"), filters=_employee_no,
                            validators=[DataRequired(), Length(max=32)])
    apprentice_no = StringField(_l("Apprentice (employee number)"), filters=_employee_no,
                                validators=[DataRequired(), Length(max=32)])
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    planned_end_date = DateField(_l("Planned end date"), validators=[DataRequired()])
    goals = TextAreaField(_l("Goals"), filters=_strip, validators=[Optional(), Length(max=MAX_GOALS)])


class EndForm(Form):
    reason = StringField(_l("Reason"), filters=_strip, validators=[DataRequired(), Length(max=MAX_REASON)])


class ChangeMentorForm(Form):
    mentor_no = StringField(_l("New mentor (employee number)"), filters=_employee_no,
                            validators=[DataRequired(), Length(max=32)])
    reason = StringField(_l("Reason"), filters=_strip, validators=[DataRequired(), Length(max=MAX_REASON)])
    planned_end_date = DateField(_l("Planned end date"), validators=[Optional()])


class RuleForm(Form):
    min_position = SelectField(_l("Lowest position"), choices=[])
    min_months = IntegerField(_l("Months at or above that position (summed across stints)"),
                              validators=[InputRequired(), NumberRange(min=0, max=600)])
    certification = SelectField(_l("Certification required"), choices=[])
    capacity = IntegerField(_l("Default capacity (apprentices per mentor)"),
                            validators=[DataRequired(), NumberRange(min=1, max=settings.MAX_CAPACITY)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_position.choices = options((code, POSITIONS[code]) for code in settings.RULE_POSITIONS)
        self.certification.choices = options([("", _l("— none —"))] + settings.certification_choices())


class CapacityForm(Form):
    mentor_no = StringField(_l("Mentor (employee number)"), filters=_employee_no,
                            validators=[DataRequired(), Length(max=32)])
    capacity = IntegerField(_l("Capacity (empty: the default)"),
                            validators=[Optional(), NumberRange(min=1, max=settings.MAX_CAPACITY)])


class DimensionForm(Form):
    label_zh = StringField(_l("Chinese label"), filters=_strip, validators=[DataRequired(), Length(max=80)])
    label_en = StringField(_l("English label"), filters=_strip, validators=[DataRequired(), Length(max=80)])


class DimensionChangeForm(DimensionForm):
    """Rename (with the labels), or a button: up, down, retire, restore."""

    action = HiddenField(default="rename")
    label_zh = StringField(_l("Chinese label"), filters=_strip, validators=[Optional(), Length(max=80)])
    label_en = StringField(_l("English label"), filters=_strip, validators=[Optional(), Length(max=80)])
