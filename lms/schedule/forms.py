"""The scheduling forms: a programme (audience, start, weeks, bulletins) and
an exam's settings with its draw rules. Every select shows labels, never the
codes the files hold. Rows of weeks, bulletins and rules carry ``origin`` (their
index in the file, so that what the form does not manage survives) and
``order`` (to reorder them without JavaScript)."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField, DecimalField, FieldList, FormField, HiddenField, IntegerField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.content.console.queries import DIFFICULTY_LABELS, TYPE_LABELS
from lms.content.models import (DIFFICULTIES, LAYOUTS, QUESTION_TYPES, REVIEW_POLICIES, REVIEW_POLICY_LABELS,
                                REVIEW_POLICY_SETTING, SCORING)
from lms.content.source.parser import POSITIONS, ROLES
from lms.forms import DateField, Form, RowForm
from lms.org.models import POSITIONS as POSITION_LABELS, ROLES as ROLE_LABELS

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
ID_MESSAGE = _l("Lower-case letters, digits and -, at most 80 (e.g. rm-foundation-2027).")
LAYOUT_LABELS = {"one_page": _l("All questions on one page"), "per_question": _l("One question a page")}
SCORING_LABELS = {"best": _l("The best attempt counts"), "latest": _l("The latest attempt counts")}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _labelled(codes, labels) -> list[SelectChoice]:
    return [SelectChoice(code, labels.get(code, code)) for code in codes]


class _Row(RowForm):
    """One row of a list in the file."""

    origin = HiddenField()
    order = IntegerField(_l("Order"), validators=[Optional()])
    remove = BooleanField(_l("Remove"))

    def origin_index(self) -> int | None:
        value = (self.origin.data or "").strip()
        return int(value) if value.isdecimal() else None  # int() refuses ², ፩


class WeekForm(_Row):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    lessons = SelectMultipleField(_l("Lessons"), choices=[])
    exam = SelectField(_l("Exam"), choices=[])
    opens = DateField(_l("Opens"), validators=[Optional()],
                      description=_l("Empty: its Monday, or the Monday after the week before is due"))
    due = DateField(_l("Due"), validators=[Optional()], description=_l("Empty: the Sunday of its first week"))


class BulletinForm(_Row):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    lesson = SelectField(_l("Lesson"), choices=[])
    exam = SelectField(_l("Check"), choices=[])
    opens = DateField(_l("Opens"), validators=[Optional()])
    due = DateField(_l("Due"), validators=[Optional()])


class ScheduleForm(Form):
    """What every scheduling form carries: the hash of the file as the form
    opened it ("" for a new file), the hash of the YAML the trainer reviewed
    and the fingerprint of the plan they were shown."""

    base_hash = HiddenField()
    reviewed_hash = HiddenField()
    reviewed_plan = HiddenField()
    action = StringField()  # the button pressed (not a hidden field: the buttons carry it): review | publish | add-week | add-bulletin | add-rule


class ProgrammeForm(ScheduleForm):
    id = StringField(_l("Id"), validators=[Optional(), Regexp(ID_PATTERN, message=ID_MESSAGE)],
                     description=_l("The file's name and the programme's stable id: lower-case letters, digits and - "
                                     "(e.g. rm-foundation-2027); it cannot change later."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)])
    branches = SelectMultipleField(_l("Branches"), choices=[],
                                   description=_l("None chosen: every branch. A branch includes its sub-branches."))
    positions = CheckboxesField(_l("Positions"), choices=_labelled(POSITIONS, POSITION_LABELS),
                                description=_l("None chosen: every position."))
    roles = CheckboxesField(_l("Roles"), choices=_labelled(ROLES, ROLE_LABELS),
                            description=_l("None chosen: every role."))
    start = DateField(_l("Start (Monday of week 1)"), validators=[Optional()])
    weeks = FieldList(FormField(WeekForm), min_entries=0)
    bulletins = FieldList(FormField(BulletinForm), min_entries=0)

    def validate_start(self, field):
        if field.data and field.data.weekday() != 0:
            monday = field.data - timedelta(days=field.data.weekday())
            raise ValidationError(_("%(day)s is a %(weekday)s: choose a Monday (%(before)s or %(after)s), a week "
                                    "opens on its Monday.", day=field.data.isoformat(),
                                    weekday=format_date(field.data, "EEEE"), before=monday.isoformat(),
                                    after=(monday + timedelta(days=7)).isoformat()))


class RuleForm(_Row):
    fixed = StringField(_l("Fixed questions"), validators=[Length(max=2000)],
                        description=_l("Question ids separated by commas; then count and filters do not apply."))
    count = IntegerField(_l("Count"), validators=[Optional(), NumberRange(min=1, max=500)])
    type = SelectField(_l("Question type"), choices=[SelectChoice("", _l("Any type"))] + _labelled(QUESTION_TYPES, TYPE_LABELS))
    difficulty = SelectField(_l("Difficulty"),
                             choices=[SelectChoice("", _l("Any difficulty"))] + _labelled(DIFFICULTIES, DIFFICULTY_LABELS))
    tags = StringField(_l("Knowledge points"), validators=[Length(max=1000)],
                       description=_l("Any of these, separated by commas or 、"))
    course = SelectField(_l("Course"), choices=[])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.remove.data and self.count.data is None and not (self.fixed.data or "").strip() \
                and not self.count.errors:
            self.count.errors = [*self.count.errors, _l("Give a count, or fixed questions.")]
            return False
        return valid


class ExamForm(ScheduleForm):
    id = StringField(_l("Id"), validators=[Optional(), Regexp(ID_PATTERN, message=ID_MESSAGE)],
                     description=_l("The file's name and the exam's stable id: lower-case letters, digits and - "
                                     "(e.g. exam-week-01); it cannot change later."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    course = SelectField(_l("Course"), choices=[], description=_l("Where the rules draw from unless they name one"))
    time_limit = IntegerField(_l("Time limit (minutes)"), validators=[InputRequired(), NumberRange(min=1, max=600)])
    pass_mark = DecimalField(_l("Pass mark (%)"), places=None,
                             validators=[InputRequired(), NumberRange(min=1, max=100)])
    attempts = IntegerField(_l("Attempts"), validators=[Optional(), NumberRange(min=1, max=100)],
                            description=_l("Empty: unlimited (weekly exams: everybody passes)"))
    cooldown = IntegerField(_l("Cooldown between attempts (minutes)"),
                            validators=[Optional(), NumberRange(min=0, max=10080)], default=0)
    review = SelectField(REVIEW_POLICY_SETTING, choices=_labelled(REVIEW_POLICIES, REVIEW_POLICY_LABELS))
    scoring = SelectField(_l("Which attempt counts"), choices=_labelled(SCORING, SCORING_LABELS))
    layout = SelectField(_l("Layout"), choices=_labelled(LAYOUTS, LAYOUT_LABELS))
    shuffle_options = BooleanField(_l("Shuffle the options"))
    partial_credit = BooleanField(_l("Partial credit for multiple choice"))
    open_to_all = BooleanField(_l("Open to every learner at any time"))
    focus_loss_limit = IntegerField(_l("Tab-switch limit"), validators=[Optional(), NumberRange(min=1, max=100)],
                                    description=_l("Empty: no limit; past it the attempt is submitted"))
    closes_at = StringField(_l("Closes (Asia/Shanghai)"), validators=[
        Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$", message=_l("Like 2026-12-31 18:00"))],
        description=_l("Empty: never closes"))
    draw = FieldList(FormField(RuleForm), min_entries=0)
