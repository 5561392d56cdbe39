"""Which channels an administrator switched on, and which kinds go out on
each. Stored as system settings (``SystemSetting``: ``notify.<channel>`` =
``on|off`` and the kinds), every change audited as ``notify.channel_changed``. The
channels' addresses and secrets are not settings: they come from the
environment (``lms.notify.channels``)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from lms.audit import services as audit
from lms.database import transaction
from lms.extensions import db
from lms.notify import channels
from lms.notify.kinds import ALERT, KINDS
from lms.org.models import SystemSetting, User

CHANNELS = (channels.EMAIL, channels.WECOM, channels.DINGTALK)


@dataclass
class ChannelSetting:
    enabled: bool
    kinds: list[str]


def _default(channel: str) -> ChannelSetting:
    # E-mail is personal: every kind. A group robot: the alerts about learners.
    if channel == channels.EMAIL:
        return ChannelSetting(False, list(KINDS))
    return ChannelSetting(False, [code for code, kind in KINDS.items() if kind.audience == ALERT])


def _key(channel: str) -> str:
    return f"notify.{channel}"


def _parse(value: str) -> ChannelSetting:
    state, _sep, kinds = value.partition(":")
    return ChannelSetting(state == "on", [k for k in kinds.split(",") if k in KINDS])


def channel_setting(channel: str) -> ChannelSetting:
    row = db.session.get(SystemSetting, _key(channel))
    return _default(channel) if row is None else _parse(row.value)


def all_settings() -> dict[str, ChannelSetting]:
    return {channel: channel_setting(channel) for channel in CHANNELS}


def active_channels(kind: str) -> list[str]:
    """The channels a notification of ``kind`` goes out on: switched on,
    with the kind chosen, and configured in the environment."""
    available = channels.configured(current_app.config)
    return [name for name, setting in all_settings().items()
            if setting.enabled and kind in setting.kinds and name in available]


@transaction(immediate=True)
def save_channel(channel: str, enabled: bool, kinds: list[str], *, actor: User) -> bool:
    """An administrator's choice for one channel (the caller checks the role);
    returns whether it changed."""
    if channel not in CHANNELS:
        raise ValueError(channel)
    before = channel_setting(channel)
    after = ChannelSetting(bool(enabled), [k for k in KINDS if k in set(kinds)])
    if (before.enabled, before.kinds) == (after.enabled, after.kinds):
        return False
    value = ("on:" if after.enabled else "off:") + ",".join(after.kinds)
    SystemSetting.store(_key(channel), value, actor)
    db.session.flush()
    audit.record("notify.channel_changed", object_type="channel", object_id=channel, actor=actor,
                 before={"enabled": before.enabled, "kinds": before.kinds},
                 after={"enabled": after.enabled, "kinds": after.kinds})
    return True
