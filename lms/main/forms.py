"""Forms of the main pages."""
from __future__ import annotations

from wtforms import HiddenField, SelectField

from lms.forms import Form, options
from lms.org.models import LOCALES


class LanguageForm(Form):
    """Switch the interface language (one button per language, ``lang``);
    ``next`` is where to go back to (followed only if it is a local path)."""

    lang = SelectField(choices=options((code, code) for code in LOCALES))
    next = HiddenField()
