from __future__ import annotations

from flask_babel import lazy_gettext as _l, lazy_pgettext
from wtforms import (BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms import clock
from lms.forms import DateField, Form, options, visible_text
from lms.org import branches as org_branches
from lms.org import employee_numbers, services
from lms.org.models import EMAIL_PATTERN, LOCALES, POSITIONS, ROLES


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _not_in_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError(_l("The date cannot be in the future."))


class PersonForm(Form):
    """The facts HR edits about a person."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80), visible_text])
    branch_id = SelectField(_l("Branch"), coerce=int)
    hire_date = DateField(_l("Hire date"), validators=[Optional(), _not_in_future])
    email = StringField(_l("E-mail"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                        validators=[Optional(), Length(max=255),
                                    Regexp(EMAIL_PATTERN, message=_l("Not an e-mail address (name@bank.com)."))])
    locale = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.branch_id.choices = options(org_branches.branch_choices())
        self.locale.choices = options(LOCALES.items())


class EditPersonForm(PersonForm):
    """The edit page: ``seen`` keeps the facts it showed (lms/org/stale_edit.py)."""

    seen = HiddenField()


class NewPersonForm(PersonForm):
    employee_no = StringField(_l("Employee number"), filters=[employee_numbers.normalise], validators=[
        DataRequired(), Length(max=32),
        Regexp(r"^\S+$", message=_l("No spaces in an employee number.")), visible_text])
    position = SelectField(_l("Position"), choices=[])
    override_reason = TextAreaField(_l("Reason to override the eligibility rule"),
                                    validators=[Optional(), Length(max=500)])
    roles = CheckboxesField(_l("Roles"), choices=[], default=["learner"])

    field_order = ("employee_no", "name", "branch_id", "hire_date", "position", "override_reason", "roles", "email",
                   "locale")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.position.choices = options(POSITIONS.items())
        self.roles.choices = options(ROLES.items())

    def validate_employee_no(self, field):
        if field.data and (problem := employee_numbers.problem(field.data)):
            raise ValidationError(problem)
        taken = services.employee_no_taken(field.data) if field.data else None
        if taken == field.data:
            raise ValidationError(_l("This employee number is taken already."))
        if taken:
            raise ValidationError(_l("This employee number is taken already, written %(existing)s: employee numbers "
                                     "that differ only in upper and lower case would be mistaken for each other.",
                                     existing=taken))

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))

    def ordered(self):
        return [self[name] for name in self.field_order]


# What HR does, in the same step, with what a deactivation or a removed role
# leaves without someone to act (``lms.org.dependents``): shown only when there is any.
DEPENDENTS_CHOICES = (("end", _l("End them now")),
                      ("keep", _l("Leave them open for now; they stay flagged for HR until someone acts")))


class RolesForm(Form):
    roles = CheckboxesField(_l("Roles"), choices=[])
    dependents = RadioField(_l("What happens to them"), choices=options(DEPENDENTS_CHOICES), validators=[Optional()],
                            validate_choice=False)
    reason = StringField(_l("Reason for ending them"), validators=[Optional(), Length(max=255)])
    # The roles the page showed, separated by commas (None: a form without it); see stale_edit.roles_wanted.
    seen = HiddenField(default=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = options(ROLES.items())

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class PositionForm(Form):
    position = SelectField(_l("New position"), choices=[])
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])
    # Needed only when an eligibility rule guards the position and the person does not meet it.
    override_reason = TextAreaField(_l("Reason to override the eligibility rule"),
                                    validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.position.choices = options(POSITIONS.items())


class ReasonForm(Form):
    """Deactivation and reactivation need a reason, for the audit log."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    dependents = RadioField(_l("What happens to them"), choices=options(DEPENDENTS_CHOICES), validators=[Optional()],
                            validate_choice=False)


class BranchForm(Form):
    code = StringField(_l("Branch code"), validators=[
        DataRequired(), Length(max=32), Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Letters, digits, - and _ only."))])
    name = StringField(lazy_pgettext("a branch's", "Name"), validators=[DataRequired(), Length(max=120), visible_text])
    parent_id = SelectField(_l("Part of"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = options([(0, _l("— none (a top-level branch) —"))] + org_branches.branch_choices())


class RenameBranchForm(Form):
    name = StringField(_l("New name"), validators=[DataRequired(), Length(max=120), visible_text])


class SettingsForm(Form):
    """The administrator's system settings (``lms.org.settings``)."""

    hr_may_grant_trainer = BooleanField(_l("HR may grant and remove the trainer role"))
