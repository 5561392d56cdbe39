"""Tenure (任职年限) in words, one sentence for every page that says how far a
person is from a tenure requirement: the position gate and HR's eligibility
register (``lms.eligibility.engine``) and the learner's 我的证书
(``lms.certificates.requirements``). When the months are not yet served and
the person holds one of the positions now, the sentence gives the day they
will be — what a learner and HR can plan with."""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from flask_babel import gettext as _

from lms.org.models import add_months, whole_months


class Stint(NamedTuple):
    position: str
    start: date
    end: date | None


def stints_of(person) -> list[Stint]:
    """A person's position records as stints, by start date."""
    return sorted((Stint(p.position, p.start_date, p.end_date) for p in person.positions), key=lambda s: s.start)


def reached_on(stints, positions, needed: int, served: int, on: date) -> date | None:
    """The day ``needed`` months are served if the person stays in the
    position they hold now (one of ``positions``): what HR can plan with.
    None when they hold none of them now (no date to promise)."""
    current = [s for s in stints if s.position in positions and s.end is None and s.start <= on]
    if not current:
        return None
    stint = current[-1]
    before = served - whole_months(stint.start, on)  # from the stints already ended
    return add_months(stint.start, needed - before)


def served_words() -> str:
    """"Months as %(positions)s: %(served)d (%(months)d needed)", translated: served may pass needed."""
    return _("Months as %(positions)s: %(served)d (%(months)d needed)")


def reached_words() -> str:
    """The same, with the day the months will be served."""
    return _("Months as %(positions)s: %(served)d (%(months)d needed, reached on %(day)s)")


def describe(served: int, months: int, positions: str, reached: str | None = None) -> str:
    """The tenure sentence; ``reached`` (ISO day) when not yet served and known."""
    values = {"served": served, "months": months, "positions": positions}
    if reached and served < months:
        return reached_words() % {**values, "day": reached}
    return served_words() % values
