from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


class EmptyForm(FlaskForm):
    """For bare POST buttons: carries the CSRF token and nothing else."""


def options(pairs) -> list[SelectChoice]:
    """A select's (or radio/checkbox list's) choices from (value, label)
    pairs — SelectChoice, the form WTForms 3.3 keeps (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]
