"""HR's forms: a manual issue and a revocation, each with its required reason; a bulk renewal."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from lms.forms import Form
from lms.ids import db_int
from lms.org.employee_numbers import for_lookup


class ManualIssueForm(Form):
    employee_no = StringField(_l("Employee number"), filters=[for_lookup], validators=[DataRequired(), Length(max=32)])
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


class CertificateIds(Field):
    """Certificate ids sent as one field repeated (the list's checkboxes, the confirmation's hidden inputs):
    whole numbers in the database's range, each once, in the order sent."""

    def process_formdata(self, valuelist):
        ids = []
        for value in valuelist:
            try:
                number = db_int(value)
            except ValueError:
                self.data = []
                raise ValueError(_l("“%(value)s” is not a certificate number.", value=value[:20])) from None
            if number not in ids:
                ids.append(number)
        self.data = ids

    def _value(self):
        return ""


class RenewalSelectionForm(Form):
    """The expiry list's selection: the certificates ticked, or every one the list's filter shows."""
    certificate = CertificateIds(default=list)
    matching = BooleanField()  # "every certificate the filter shows", not only those ticked
    within = IntegerField(validators=[Optional()])
    branch = IntegerField(validators=[Optional()])
    certification = IntegerField(validators=[Optional()])
    position = StringField(validators=[Optional(), Length(max=32)])
    # Chosen on the register (its filter: search, branch, certification, names that will not print) rather
    # than on the expiry list; "every one the filter shows" is then every expired one it shows.
    source = HiddenField()
    q = StringField(validators=[Optional(), Length(max=100)])
    name = StringField(validators=[Optional(), Length(max=20)])


class BulkRenewalForm(Form):
    """The confirmation: the certificates to renew, HR's reason, and whether to renew those whose holder
    does not meet every requirement."""
    certificate = CertificateIds(default=list)
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=255)],
                           description=_l("Required; kept with each new certificate and in the audit log."))
    # The batch: the confirmation's token, sent back with it; its outcome is kept under it (renewal_batches),
    # and a second send of the same confirmation renews nothing again.
    batch = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{22}$")])
    source = HiddenField()
    include_unmet = BooleanField(_l("Renew these too; their unmet requirements are kept in the evidence of each "
                                    "new certificate"))
