"""The base of every form of the app, and small helpers for forms.

``Form`` (and ``RowForm`` for the rows of a list inside a form) is what every
form of the app derives from, instead of Flask-WTF's ``FlaskForm``: each text
field it binds (StringField, TextAreaField, HiddenField and the other
subclasses; not passwords, which nobody reads) refuses the text-direction
controls of ``lms.control_characters.TEXT_DIRECTION`` with a message naming
the field. One place, so no form forgets it; tests/test_forms_text_direction.py
posts U+202E into every text field of every form of the app. WTForms' own
messages ("This field is required.") come in the reader's language from the
app's catalogue (``lms.form_messages``)."""
import wtforms
from flask import has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import PasswordField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from lms import form_messages
from lms.control_characters import invisible_character, shown_direction_characters, text_direction_character
from lms.query_dates import EARLIEST, LATEST


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


class _ErrorsDescribedMeta:
    def render_field(self, field, render_kw):
        """A field refused by validation says so to a screen reader: ``aria-invalid`` and its error
        text (``field_errors``, id ``<field id>-error``) named in ``aria-describedby``, after any
        description the template gave it."""
        if field.errors and isinstance(field.errors, list | tuple):
            described = [*str(render_kw.get("aria-describedby") or "").split(), error_id(field)]
            render_kw = {**render_kw, "aria-invalid": "true", "aria-describedby": " ".join(described)}
        return super().render_field(field, render_kw)


class _MessagesTranslatedMeta:
    def get_translations(self, form):
        """WTForms' own messages from the app's catalogue (``lms.form_messages``)."""
        return form_messages.translations


class _FormBodyOnlyMeta:
    def wrap_formdata(self, form, formdata):
        """A form reads a form's body, never JSON: Flask-WTF takes a JSON body for the form when
        none is sent, which handed text fields numbers and lists (a server error). A JSON body is
        an empty form, refused by validation like any other; data a view passes in stays."""
        if (not hasattr(formdata, "getlist") and has_request_context() and request.is_json
                and request.method in SUBMIT_METHODS):
            return ImmutableMultiDict()
        return super().wrap_formdata(form, formdata)


SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Form(FlaskForm):
    """The base of every form of the app (see the module's docstring)."""

    class Meta(_FormBodyOnlyMeta, _ErrorsDescribedMeta, _TextDirectionMeta, _MessagesTranslatedMeta):
        pass


def error_id(field) -> str:
    return f"{field.id}-error"


def field_errors(field) -> Markup:
    """A field's error messages where the page shows them, in the element its ``aria-describedby``
    names (``{{ form.x|field_errors }}``)."""
    errors = field.errors if isinstance(field.errors, list | tuple) else ()  # a FormField's are a dict
    messages = [m for m in errors if not isinstance(m, dict | list | tuple)]  # a message may be a lazy string
    if not messages:
        return Markup("")
    inner = Markup("").join(Markup('<small class="error">{}</small>').format(m) for m in messages)
    return Markup('<span class="field-errors" id="{}">{}</span>').format(error_id(field), inner)


class RowForm(Form):
    """One row of a list inside a form (``FieldList(FormField(...))``): the
    page's form carries the CSRF token."""

    class Meta:
        csrf = False


class EmptyForm(Form):
    """For bare POST buttons: carries the CSRF token and nothing else."""


class DateField(wtforms.DateField):
    """A date as the browser's date input sends it, YYYY-MM-DD. One typed wrong (2026-13-45) is
    refused as not a date, with the format to write, whatever validators follow: WTForms'
    DataRequired would replace that with "This field is required." Every date field of the app is
    this one (tests/test_form_dates.py)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            typed = " ".join(valuelist or ()).strip()
            if not typed:
                raise  # nothing typed: the field's Optional or required validator decides
            raise ValueError(_("“%(value)s” is not a valid date: write it as YYYY-MM-DD, for example 2026-03-01.",
                               value=shown_direction_characters(typed[:40]))) from None
        if self.data is not None and not EARLIEST <= self.data <= LATEST:
            day, self.data = self.data, None
            raise ValueError(_("%(day)s is outside the dates the app reckons with (%(earliest)s to %(latest)s).",
                               day=day.isoformat(), earliest=EARLIEST.isoformat(), latest=LATEST.isoformat()))

    def pre_validate(self, form):
        if self.process_errors and " ".join(self.raw_data or ()).strip():
            raise StopValidation()  # keeps the message above, which a required validator would clear


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
