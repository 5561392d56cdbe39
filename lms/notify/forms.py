from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import Form, options
from lms.notify.kinds import KINDS


class ReadForm(Form):
    """Mark one notification read; with ``open`` set, then go to its page."""

    open = HiddenField(default="")


class ReadAllForm(Form):
    """Mark every notification read that the page showed: ``through`` is the
    newest notification id when the page was drawn, so that one arriving
    between drawing the page and the click stays unread ("" marks all)."""

    through = HiddenField(default="")

    def through_id(self) -> int | None:
        value = (self.through.data or "").strip()
        return int(value) if value.isdecimal() and len(value) <= 18 else None  # ² is a digit, not a decimal


class ChannelForm(Form):
    """An administrator's choice for one channel: on or off, and which kinds go out on it."""

    enabled = BooleanField(_l("Send on this channel"))
    kinds = SelectMultipleField(_l("What goes out"), choices=[], widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds.choices = options((code, kind.label) for code, kind in KINDS.items())
