"""HR's forms: a manual issue and a revocation, each with its required reason."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.forms import Form


class ManualIssueForm(Form):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=32)])
    certification_id = SelectField(_l("Certification"), coerce=int, validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=255)],
                           description=_l("Required; kept with the certificate and in the audit log."))


class RevokeForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=255)],
                           description=_l("Required; the holder is told, the public page shows only the date."))
    # The certificate's state as the page showed it (valid, superseded, expired): a revocation
    # sent from a page opened before it changed is refused (revoking.revoke).
    seen = HiddenField()


class KeepForm(Form):
    """HR keeps a certificate whose sign-off (出师评价) was withdrawn."""
    reason = TextAreaField(_l("Why it stays valid"), validators=[DataRequired(), Length(max=255)],
                           description=_l("Required; kept in the audit log."))
