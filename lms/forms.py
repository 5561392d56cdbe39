"""The base of every form of the app, and small helpers for forms.

``Form`` (and ``RowForm`` for the rows of a list inside a form) is what every
form of the app derives from, instead of Flask-WTF's ``FlaskForm``: each text
field it binds (StringField, TextAreaField, HiddenField and the other
subclasses; not passwords, which nobody reads) refuses the text-direction
controls of ``lms.control_characters.TEXT_DIRECTION`` with a message naming
the field. One place, so no form forgets it; tests/test_forms_text_direction.py
posts U+202E into every text field of every form of the app."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from lms.control_characters import invisible_character, text_direction_character


def no_text_direction(form, field) -> None:
    """Added to every text field by ``Form``: no text-direction control."""
    code = text_direction_character(field.data)
    if code:
        raise ValidationError(_l("“%(field)s” contains a text-direction character (%(code)s) that would show the "
                                 "text reversed or out of order to its readers. Remove it and send again.",
                                 field=field.label.text, code=code))


class ReportedAtItsLine:
    """On a text field whose service reports text-direction characters itself,
    at their line and column: a content file in the editor
    (``lms.content.source.fields.read_text``), where a refusal of the whole
    form could not say where in 2,000 lines the invisible character is."""

    field_flags = {"direction_reported_at_its_line": True}

    def __call__(self, form, field) -> None:
        pass


class _TextDirectionMeta:
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        # A name with visible_text refuses these already, with its own message.
        if isinstance(field, StringField) and not isinstance(field, PasswordField) \
                and visible_text not in field.validators and not field.flags.direction_reported_at_its_line:
            field.validators = [*field.validators, no_text_direction]
        return field


class Form(FlaskForm):
    """The base of every form of the app (see the module's docstring)."""

    class Meta(_TextDirectionMeta):
        pass


class RowForm(Form):
    """One row of a list inside a form (``FieldList(FormField(...))``): the
    page's form carries the CSRF token."""

    class Meta:
        csrf = False


class EmptyForm(Form):
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
