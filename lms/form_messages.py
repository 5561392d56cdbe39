"""WTForms' own messages ("This field is required.", "Not a valid choice." …) in the
reader's language, from the app's main catalogue.

Flask-WTF would read them from the catalogue WTForms ships, whose Chinese leaves some
in English (fuzzy or missing: "'x' is not a valid choice for this field.", the date
ranges) and says others wrongly (“数值必须大于 5” for "at least 5"). Every form of the
app (``lms.forms.Form``) asks :data:`translations` instead: the same msgids, translated
in ``lms/main/translations``, where ``flask i18n update`` finds them listed below and
tests/test_form_messages.py checks that every message of the installed WTForms is there.
A field with a message of its own (``Regexp(..., message=...)``) keeps it."""
from __future__ import annotations

from flask_babel import get_translations


def N_(message: str) -> str:
    """Marks a msgid for ``flask i18n update``; WTForms translates it when it shows it."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Marks a singular and plural msgid for ``flask i18n update``."""
    return singular, plural


MESSAGES = (
    N_("Invalid field name '%s'."),
    N_("Field must be equal to %(other_name)s."),
    N_plural("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
    N_plural("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
    N_plural("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid IP address."),
    N_("Invalid Mac address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Invalid CSRF Token."),
    N_("CSRF token missing."),
    N_("CSRF failed."),
    N_("CSRF token expired."),
    N_("Invalid Choice: could not coerce."),
    N_("Choices cannot be None."),
    N_("Not a valid choice."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_plural("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field."),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid week value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
)


class _FormTranslations:
    """What WTForms asks of a translations object; WTForms fills in the values itself
    (so not Flask-Babel's ``gettext``, which would apply ``%`` a second time)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


translations = _FormTranslations()
