"""The mentor's check-in form: date, form, topics, notes, new agreed actions
and the open actions of earlier check-ins to mark done. The rules (date
range, known topics, due dates) are the service's (``lms.mentoring.checkins``);
the form parses and shows their messages at the field they name."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import DateField, Form, RowForm, options
from lms.mentoring.checkin_labels import FORM_LABELS

ACTION_ROWS = 3
MAX_ACTION_ROWS = 10


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionRow(RowForm):
    """One new agreed action (a row left empty is ignored)."""

    text = StringField(_l("Agreed action"), validators=[Optional(), Length(max=500)])
    due_on = DateField(_l("Due"), validators=[Optional()])


class CheckInRecordForm(Form):
    held_on = DateField(_l("Date of the check-in"), validators=[InputRequired(message=_l("Enter the date of the check-in."))])
    form = RadioField(_l("Form"), choices=options(FORM_LABELS.items()),
                      validators=[InputRequired(message=_l("Choose how the check-in was held."))])
    # Checked by the service against the curriculum's tags, so the message names the unknown ones.
    topics = SelectMultipleField(_l("Knowledge points"), choices=[], validate_choice=False,
                                 description=_l("The curriculum's knowledge points; the apprentice's weak points first."))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5_000)],
                          description=_l("Markdown: **bold**, lists, links."))
    actions = FieldList(FormField(ActionRow), label=_l("New agreed actions"), min_entries=ACTION_ROWS,
                        max_entries=MAX_ACTION_ROWS)
    done_actions = CheckboxesField(_l("Open actions: done since the last check-in"), choices=[], coerce=int,
                                   validate_choice=False)

    def set_choices(self, tags: list[str], open_actions) -> None:
        self.topics.choices = options((t, t) for t in tags)
        self.done_actions.choices = options((a.id, a.text) for a in open_actions)


class CorrectionForm(Form):
    """The mentor's correction of their own check-in."""

    text = TextAreaField(_l("Correction"), validators=[InputRequired(_l("Write the correction.")), Length(max=2_000)],
                         render_kw={"rows": 3})
