"""The audit log in words for the notification channels (``lms.audit.labels``),
registered from ``lms.notify.setup``."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms import punctuation
from lms.audit import labels
from lms.notify.channels import CHANNEL_LABELS
from lms.notify.kinds import KINDS

EVENTS = {
    "notify.channel_changed": _l("%(actor)s changed what the channel %(object)s sends"),
}


def channel_name(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


def channel_choice(value) -> str:
    """{"enabled": True, "kinds": ["overdue", ...]} → "on: Overdue、…"."""
    if not isinstance(value, dict):
        return labels.plain(value)
    state = _l("on") if value.get("enabled") else _l("off")
    kinds = punctuation.listing(str(KINDS[k].label) if k in KINDS else k for k in value.get("kinds") or []) or "—"
    return punctuation.labelled(state, kinds)


def register(app: Flask) -> None:
    labels.register(app, events=EVENTS, objects={"channel": channel_name},
                    values={("notify.channel_changed", "before"): channel_choice,
                            ("notify.channel_changed", "after"): channel_choice})
