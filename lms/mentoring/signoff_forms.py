"""The sign-off form, one score and one comment per dimension HR configured,
and HR's withdrawal form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from lms.forms import Form, options
from lms.mentoring.signoff import MAX_COMMENT, RECOMMENDATION_LABELS, SCORES, dimension_label


class SignOffFormBase(Form):
    recommendation = RadioField(_l("Overall recommendation"), choices=[],
                                validators=[InputRequired(_l("Choose a recommendation."))])
    comment = TextAreaField(_l("Overall comment (optional)"), validators=[Length(max=MAX_COMMENT)],
                            render_kw={"rows": 3})

    dimension_keys: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendation.choices = options((code.value, label) for code, label in RECOMMENDATION_LABELS.items())

    def dimension_fields(self):
        """(score field, comment field) per dimension, in HR's order."""
        return [(self[f"score_{key}"], self[f"comment_{key}"]) for key in self.dimension_keys]

    def scores(self) -> dict:
        return {key: (self[f"score_{key}"].data, self[f"comment_{key}"].data) for key in self.dimension_keys}


def signoff_form(dimensions, **kwargs) -> SignOffFormBase:
    """A form with a 1–5 score and a required comment for each of ``dimensions``."""

    class SignOffForm(SignOffFormBase):
        pass

    for dimension in dimensions:
        label = dimension_label(dimension)
        setattr(SignOffForm, f"score_{dimension.key}", RadioField(
            label, choices=options((str(n), str(n)) for n in SCORES),
            validators=[InputRequired(_l("Give a score from 1 to 5."))]))
        setattr(SignOffForm, f"comment_{dimension.key}", TextAreaField(
            _l("Comment on %(dimension)s", dimension=label), render_kw={"rows": 2},
            validators=[DataRequired(_l("Say in a comment why.")), Length(max=MAX_COMMENT)]))
    SignOffForm.dimension_keys = [d.key for d in dimensions]
    return SignOffForm(**kwargs)


class WithdrawForm(Form):
    reason = TextAreaField(_l("Why is the sign-off withdrawn?"), render_kw={"rows": 2},
                           validators=[DataRequired(_l("Say why the sign-off is withdrawn.")), Length(max=255)])
