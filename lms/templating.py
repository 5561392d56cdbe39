"""Template filters and globals shared by every page."""
from __future__ import annotations

from datetime import timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import format_date, format_datetime, get_locale, get_translations, ngettext
from flask_login import current_user
from markupsafe import Markup

from lms.control_characters import TEXT_DIRECTION, shown_direction_characters
from lms.forms import field_errors
from lms.navigation import nav_items
from lms.org.models import LOCALES, POSITIONS, ROLES
from lms.punctuation import aside, clauses, label, listing, sentences, statements
from lms.numbers import reading_number
from lms.scores import score


def clock_time(value) -> str:
    """HH:MM:SS in the bank's zone (stored times are naive UTC). The same in
    every locale, so without Babel's formatting: this runs on every autosave."""
    if not value:
        return ""
    zone = _zone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.replace(tzinfo=timezone.utc).astimezone(zone).strftime("%H:%M:%S")


def shown(value):
    """Every ``{{ value }}`` of every page, fragment and PDF: a text-direction
    control in it (text stored before forms refused them, an exam answer) is
    written out as "[U+202E]", so it turns nothing around — not the rest of
    its sentence, a table row or an attribute. Rendered markdown (Markup) too:
    the replacement holds no HTML."""
    if isinstance(value, str) and TEXT_DIRECTION.search(value):
        written = shown_direction_characters(value)
        return Markup(written) if isinstance(value, Markup) else written
    return value


def group_counts(app: Flask) -> None:
    """Counts a page prints through ``ngettext`` ("20,000 people", "1,204
    certificates") in the reader's digit grouping (README, Languages): every
    ``%(num)d`` of a template's plural message is written by Babel's
    format_number. Installed over Flask-Babel's, whose own callables print
    the bare int ("20000 people")."""

    def ngettext(singular, plural, n):
        text = get_translations().ungettext(singular, plural, n)
        return text.replace("%(num)d", reading_number(n)) if isinstance(n, int) and abs(n) >= 1000 else text

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: get_translations().ugettext(s), ngettext=ngettext, newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n))


def init_app(app: Flask) -> None:
    app.jinja_env.finalize = shown
    group_counts(app)  # after Flask-Babel (create_app initialises the extensions first)

    @app.template_filter("localtime")
    def _localtime(value, fmt: str = "yyyy-MM-dd HH:mm"):
        # Stored times are naive UTC; Flask-Babel shows them in the bank's zone.
        return format_datetime(value, fmt) if value else ""

    app.template_filter("clock_time")(clock_time)
    app.template_filter("field_errors")(field_errors)
    app.template_filter("label")(label)
    app.template_filter("aside")(aside)
    app.template_filter("listing")(listing)
    app.template_filter("clauses")(clauses)
    app.template_filter("statements")(statements)
    app.template_filter("sentences")(sentences)
    # Scores, points and percentages: at most one decimal (lms.scores).
    app.template_filter("score")(score)

    @app.template_filter("points")
    def _points(value):
        """"1 point", "0.5 points", "2 points" (a score, lms.scores): singular for exactly one."""
        shown = score(value)
        return ngettext("%(n)s point", "%(n)s points", 1 if shown == "1" else 2, n=shown)
    # A number a person reads (a count, a total, a size): grouped as the reader's language groups digits.
    app.template_filter("number")(reading_number)

    @app.template_filter("day")
    def _day(value):
        return format_date(value, "yyyy-MM-dd") if value else ""

    @app.template_filter("position_label")
    def _position_label(code):
        return POSITIONS.get(code, code) if code else ""

    @app.template_filter("role_label")
    def _role_label(code):
        return ROLES.get(code, code)

    @app.context_processor
    def _globals():
        return {
            "ROLES": ROLES,
            "POSITIONS": POSITIONS,
            "LOCALES": LOCALES,
            "current_locale": "zh_CN" if (get_locale() is None or get_locale().language == "zh") else "en",
            "nav_items": _Lazy(lambda: nav_items(current_user) if current_user.is_authenticated else []),
        }


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class _Lazy:
    """A list built the first time a template reads it: the navigation is
    only worked out for pages that show it, not for every small fragment."""

    def __init__(self, build):
        self._build, self._items = build, None

    def _get(self) -> list:
        if self._items is None:
            self._items = list(self._build())
        return self._items

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __bool__(self) -> bool:
        return bool(self._get())

    def __getitem__(self, index):
        return self._get()[index]
