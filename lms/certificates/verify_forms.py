"""Forms of the public verification page and the certificate settings."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from lms.certificates.institution import NAME_MAX
from lms.forms import Form


class VerifyUploadForm(Form):
    pdf = FileField(_l("Certificate PDF"), validators=[FileRequired(_l("Choose the PDF file of a certificate."))])


class InstitutionForm(Form):
    name = StringField(_l("Institution name printed on certificates"),
                       validators=[DataRequired(), Length(max=NAME_MAX)])
    logo = FileField(_l("Logo (PNG)"))
    default_logo = BooleanField(_l("Print the shipped logo again"))
