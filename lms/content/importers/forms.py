"""Forms of the question import page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Optional, Regexp

from lms.content.console.forms import RegradeFields
from lms.forms import Form

BANK_NAME = r"^[a-z0-9][a-z0-9_-]{0,79}\Z"  # \Z: "$" would let a final newline through


class ImportForm(Form):
    course = SelectField(_l("Course"), validators=[DataRequired()])
    bank = StringField(_l("Bank name"), validators=[Optional(), Regexp(
        BANK_NAME, message=_l("Lower-case letters, digits and -, e.g. deposits."))],
        description=_l("The bank file questions/<name>.md of the course; an existing bank of that name is "
                       "replaced. Empty: taken from the file name."))
    upload = FileField(_l("Question file"), validators=[FileRequired()],
                       description=_l("Moodle GIFT (.txt, .gift; UTF-8 or GBK) or Excel (.xlsx) in the template below."))


class ConfirmImportForm(RegradeFields, Form):
    """The confirmation of a previewed import: its staging's token and the
    fingerprint of the plan the preview showed (checked by the service: one
    missing or malformed publishes nothing and shows the preview again)."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    reviewed_plan = HiddenField(default="")
