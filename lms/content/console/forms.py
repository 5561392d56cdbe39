"""Forms of the trainer console. Content itself is text in files: the forms
carry a file's path, its new text and the hash of what the editor opened."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from lms.exams.regrade import KEEP, MAX_REASON, REGRADE, Decision
from lms.forms import Form, ReportedAtItsLine

FILE_NAME = r"^[a-z0-9][a-z0-9-]{0,79}$"


class RegradeFields:
    """The trainer's decision when a corrected key changes the score of
    submitted attempts (``lms.exams.regrade``): shown only then, beside the
    plan that names them, and posted with the form that publishes."""

    regrade = RadioField(_l("Submitted attempts whose score the corrected key changes"), choices=[
        SelectChoice(REGRADE, _l("Re-grade them with the corrected key (learners whose result changes are notified)")),
        SelectChoice(KEEP, _l("Leave their results as they are"))], validators=[Optional()])
    regrade_reason = TextAreaField(_l("Reason"), validators=[Length(max=MAX_REASON)])

    def decision(self) -> Decision | None:
        choice = self.regrade.data
        return Decision(choice, (self.regrade_reason.data or "")[:MAX_REASON]) if choice in (REGRADE, KEEP) else None


class RegradeForm(RegradeFields, Form):
    """Posted with the editor form (which carries the CSRF token)."""

    class Meta:
        csrf = False


class EditForm(Form):
    """One content file being edited: ``base_hash`` is the hash of the file as
    the editor opened it ("" for a new file), so that a stale edit is refused."""

    path = HiddenField(validators=[DataRequired(), Length(max=500)])
    base_hash = HiddenField()
    text = TextAreaField(_l("Text"), validators=[Length(max=2_000_000), ReportedAtItsLine()])


class ReviewedForm(Form):
    """Sent with Publish beside the editor form: the hash of the text the
    trainer reviewed and the fingerprint of the plan they were shown (the
    editor form, posted with it, carries the CSRF token)."""

    reviewed_hash = HiddenField(default="")
    reviewed_plan = HiddenField(default="", validators=[Optional(), Regexp(r"^[0-9a-f]{64}$")])

    class Meta:
        csrf = False


class NewFileForm(Form):
    kind = RadioField(_l("New"), choices=[SelectChoice("lesson", _l("Lesson")), SelectChoice("bank", _l("Question bank"))],
                      default="lesson", validators=[DataRequired()])
    name = StringField(_l("File name"), validators=[
        DataRequired(), Regexp(FILE_NAME, message=_l("Lower-case letters, digits and -, e.g. 05-large-cd."))],
        description=_l("Without .md; lessons are read in file-name order (05-large-cd)."))

    class Meta:
        csrf = False  # a GET form: it only opens the editor


class UploadForm(Form):
    archive = FileField(_l("Zipped course folder"), validators=[FileRequired()],
                        description=_l("A .zip holding course.md (at the top or in one folder), lessons/, questions/ and images."))


class ConfirmUploadForm(RegradeFields, Form):
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
