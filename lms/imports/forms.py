"""The forms of the import flow (``lms.imports.pages``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField

from lms.forms import Form


class ImportUploadForm(Form):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class ImportConfirmForm(Form):
    """Confirm a previewed import: the token of the staged file (``lms.staging``)."""

    token = HiddenField(default="")
    # HR's one choice for what the import leaves without someone to act ("end" / "keep"), when it leaves any.
    dependents = StringField(default="")
