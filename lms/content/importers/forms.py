"""Forms of the question import page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from lms.content.console.forms import RegradeFields
from lms.content.importers import bank_names
from lms.forms import Form


def _bank_name(form, field):
    """A bank name as an import would make it from a file's name (``bank_names``)."""
    if field.data and (message := bank_names.problem(field.data)):
        raise ValidationError(message)


class ImportForm(Form):
    course = SelectField(_l("Course"), validators=[DataRequired()])
    bank = StringField(_l("Bank name"), validators=[Optional(), _bank_name],
                       description=_l("The bank file questions/<name>.md of the course; an existing bank of that "
                                      "name is replaced. Empty: taken from the file name."))
    upload = FileField(_l("Question file"), validators=[FileRequired()],
                       description=_l("Moodle GIFT (.txt, .gift; UTF-8 or GBK) or Excel (.xlsx) in the template below."))


class ConfirmImportForm(RegradeFields, Form):
    """The confirmation of a previewed import: its staging's token and the
    fingerprint of the plan the preview showed (checked by the service: one
    missing or malformed publishes nothing and shows the preview again)."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    reviewed_plan = HiddenField(default="")
