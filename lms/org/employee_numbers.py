"""工号 (employee numbers), written one way on every path that makes or looks
one up: the new-person form, the people import, ``flask create-admin``,
sign-in and every lookup by 工号 (``lms.org.models.user_by_employee_no``).
A form or file that names someone by 工号 reads it with :func:`for_lookup`,
which also leaves out the spaces inside it (E 1001, a space copied from a
cell): no 工号 holds one, so it can only be that person's.

A 工号 typed with a Chinese input method in full-width mode (Ｅ１００１) is the
same as E1001 (NFKC), so it finds that person and is not a second one. Any
other character beyond visible ASCII is refused: a Cyrillic Е or a Greek Ο
looks exactly like a Latin letter, and two people whose 工号 read the same on
a register, a certificate or the audit log are two people HR cannot tell
apart (the wrong one revoked, a look-alike account made to pass as another).
Nor is a new 工号 the same as an existing one but for upper and lower case
(e1001 beside E1001: ``lms.org.services.employee_no_taken``). A bank that has both
from before that rule keeps them, but nothing finds one of them by 工号 until HR merges the
two records or renames one (``twins_problem``; ``flask people case-twins`` lists them,
``flask people renumber`` renames)."""
from __future__ import annotations

import unicodedata

from flask_babel import gettext as _

from lms import punctuation


def normalise(typed: str | None) -> str:
    """The 工号 as stored: full-width letters and digits made ASCII (NFKC), outer spaces gone."""
    return unicodedata.normalize("NFKC", typed or "").strip()


def for_lookup(typed: str | None) -> str:
    """The 工号 of someone to find: ``normalise``, and no space anywhere (E 1001 and Ｅ　１００１ are E1001).
    Every lookup by 工号 reads it so: the forms that take one, sign-in and its failure count, the pairing
    import, the search boxes (``lms.text_search.as_code``)."""
    return "".join(normalise(typed).split())


def problem(employee_no: str) -> str | None:
    """Why ``employee_no`` (normalised) cannot be a 工号, or None: a character beyond visible ASCII."""
    for ch in employee_no:
        if not "!" <= ch <= "~":
            return _("“%(value)s” holds %(char)s (U+%(code)s), which is not a letter, digit or sign of an employee "
                     "number: type it with the keyboard in English mode (e.g. E1001).",
                     value=_shown(employee_no), char=_shown(ch), code="%04X" % ord(ch))
    return None


def _shown(text: str) -> str:
    """``text`` with a control character (a NUL from a broken file) written out (\\x00), not sent as it is."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def twins_problem(typed: str, people) -> str:
    """Why ``typed`` finds nobody: ``people`` (two or more) hold it but for upper and lower case."""
    return _("“%(value)s” could be any of %(people)s: their employee numbers differ only in upper and lower case. "
             "Merge their records or give one of them another employee number first (an administrator lists them "
             "with the command flask people case-twins and changes one with flask people renumber), then try again.",
             value=_shown(typed),
             people=punctuation.listing(f"{p.name}{punctuation.aside(p.employee_no)}" for p in people))
