from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from lms.control_characters import invisible_character


class EmptyForm(FlaskForm):
    """For bare POST buttons: carries the CSRF token and nothing else."""


def options(pairs) -> list[SelectChoice]:
    """A select's (or radio/checkbox list's) choices from (value, label)
    pairs — SelectChoice, the form WTForms 3.3 keeps (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def visible_text(form, field) -> None:
    """A name others read holds no invisible character or text-direction mark
    (``lms.control_characters.INVISIBLE``): refused, with the character named."""
    code = invisible_character(field.data)
    if code:
        raise ValidationError(_l("It contains an invisible character or a text-direction mark (%(code)s). "
                                 "Type it again without it.", code=code))
