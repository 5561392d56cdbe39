"""Forms of the exam pages and the notebook. Answers are read by each question
type from the submitted fields (they depend on the drawn questions), handed
over by ``AnswerForm``; the fixed parts are WTForms fields. Every POST carries
the CSRF token (Flask-WTF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l, lazy_pgettext as _lp
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from lms.forms import Form


class StartForm(Form):
    """Start or continue an exam; ``item`` names the programme week it belongs to."""

    item = IntegerField(validators=[Optional()], widget=HiddenInput())


class SubmitForm(Form):
    """The final submit on the review page."""

    confirm = HiddenField(default="1")


class AnswerForm(Form):
    """A form that carries answers. Its answer fields depend on the drawn
    questions, so they are not WTForms fields: each question type reads its own
    (``answer_from_form(data, form.answers, name)``) from ``answers``, the
    submitted fields as they came. Subclasses declare the fixed fields."""

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        # The submitted fields (None before a submit: then there are no answers).
        self.answers = self.meta.wrap_formdata(self, formdata) or MultiDict()
        super().process(formdata, obj, data, extra_filters, **kwargs)

    def flagged(self, item_id: int) -> bool:
        """The checkbox ``flag-<item id>`` of a question is ticked."""
        return bool(self.answers.get(f"flag-{item_id}"))


class PageForm(AnswerForm):
    """The whole exam page without JavaScript: the questions it showed
    (``shown``, ids separated by commas) and where to go next (``go``: a
    question's number, ``review``, or ``submit`` when the countdown ended)."""

    shown = HiddenField(default="")
    go = HiddenField(default="")

    def shown_ids(self) -> list[int]:
        # isdecimal: int() refuses what isdigit() also takes (², ፩) — a hand-made form names no question
        return [int(part) for part in (self.shown.data or "").split(",") if part.strip().isdecimal()]


class FlagForm(AnswerForm):
    """Flag a question (``flag-<item id>``); ``back=review`` returns to the review."""

    back = HiddenField(default="")


class FocusForm(Form):
    """The page reports that it was hidden (``kind``, ``hidden`` by default)."""

    kind = HiddenField(default="hidden")


class GradeForm(Form):
    """A trainer grades an essay answer: points and an optional comment. The
    rules (range, length) are the service's, which names the field at fault."""

    points = StringField(_lp("scored", "Points"), default="")
    comment = StringField(_l("Comment"), default="")


class OverrideForm(Form):
    """A trainer changes an item's points, giving the reason (checked by the service)."""

    points = StringField(_lp("scored", "Points"), default="")
    reason = StringField(_l("Reason"), default="")
    # The item's points as the page showed them (trainer_services.points_seen); None from a page without it.
    seen = HiddenField(default=None)
