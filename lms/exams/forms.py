"""Forms of the exam pages. Answers are read by each question type from the
raw form (its fields depend on the drawn questions), so only the fixed parts
are WTForms classes; every POST still carries the CSRF token."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput


class StartForm(FlaskForm):
    """Start or continue an exam; ``item`` names the programme week it belongs to."""

    item = IntegerField(validators=[Optional()], widget=HiddenInput())


class SubmitForm(FlaskForm):
    """The final submit on the review page."""

    confirm = HiddenField(default="1")
