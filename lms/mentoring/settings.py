"""What HR configures for mentoring: the rule a mentor must meet, the
default capacity and per-mentor overrides, and the dimensions of the
sign-off (出师评价). HR and administrators change them; every change is audited.

The rule and the default capacity are rows of ``system_setting`` (keys
``mentoring.*``); a missing row means the default. The sign-off dimensions
start as the five defaults: until HR first changes one, the table is empty
and ``dimensions()`` answers the defaults (nothing is written on a read); HR's
first change writes the five defaults and then applies the change, in one
transaction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms import clock
from lms.audit import services as audit
from lms.content.models import Certification
from lms.database import transaction
from lms.extensions import db
from lms.mentoring.models import MentorCapacity, SignOffDimension
from lms.org.models import POSITIONS, SystemSetting, User

MIN_POSITION, MIN_MONTHS, CERTIFICATION, DEFAULT_CAPACITY = (
    "mentoring.min_position", "mentoring.min_months", "mentoring.certification", "mentoring.default_capacity")
DEFAULTS: dict[str, object] = {MIN_POSITION: "rm_senior", MIN_MONTHS: 24, CERTIFICATION: "", DEFAULT_CAPACITY: 3}
SETTING_LABELS = {
    MIN_POSITION: _l("Mentor rule: lowest position"),
    MIN_MONTHS: _l("Mentor rule: months at or above that position"),
    CERTIFICATION: _l("Mentor rule: certification required"),
    DEFAULT_CAPACITY: _l("Default mentor capacity"),
}
# The grades a mentor rule may start from ("at or above" in POSITIONS order).
RULE_POSITIONS = [p for p in POSITIONS if p not in ("intern", "teller")]
MAX_CAPACITY = 20

# (key, Chinese label, English label) of the sign-off's default dimensions.
DEFAULT_DIMENSIONS = [
    ("product_knowledge", "产品知识", "Product knowledge"),
    ("credit_analysis", "信贷分析", "Credit analysis"),
    ("risk_awareness", "风险意识", "Risk awareness"),
    ("compliance", "合规意识", "Compliance"),
    ("client_communication", "客户沟通", "Client communication"),
]


class SettingsError(ValueError):
    """A change HR asked for that cannot be made; the message says why."""


@dataclass(frozen=True)
class MentorRule:
    min_position: str
    min_months: int
    certification: str  # a Certification slug, "" for none

    @property
    def positions(self) -> list[str]:
        """The positions that count: the minimum and every one above it."""
        order = list(POSITIONS)
        return order[order.index(self.min_position):] if self.min_position in order else []


# --- the rule and the default capacity --------------------------------------------

def _stored(key: str) -> str | None:
    row = db.session.get(SystemSetting, key)
    return None if row is None else row.value


def _value(key: str):
    raw = _stored(key)
    default = DEFAULTS[key]
    if raw is None:
        return default
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            return default
    return raw


def mentor_rule() -> MentorRule:
    position = _value(MIN_POSITION)
    return MentorRule(position if position in RULE_POSITIONS else DEFAULTS[MIN_POSITION], _value(MIN_MONTHS),
                      _value(CERTIFICATION))


def describe_rule(rule: MentorRule | None = None) -> str:
    """HR's mentor rule in one sentence, in the reader's language."""
    rule = rule or mentor_rule()
    text = _("%(position)s or above, at least %(months)d months at or above it", position=POSITIONS[rule.min_position],
             months=rule.min_months)
    if rule.certification:
        text += _("; holding a valid “%(certification)s”", certification=certification_title(rule.certification))
    return text


def default_capacity() -> int:
    return _value(DEFAULT_CAPACITY)


def capacity_of(mentor: User | int) -> int:
    """The mentor's capacity: HR's override for them, or the default."""
    mentor_id = mentor if isinstance(mentor, int) else mentor.id
    row = db.session.get(MentorCapacity, mentor_id)
    return row.capacity if row is not None else default_capacity()


def capacity_overrides() -> dict[int, int]:
    return dict(db.session.execute(select(MentorCapacity.mentor_id, MentorCapacity.capacity)).tuples().all())


def certification_choices() -> list[tuple[str, str]]:
    """Published, not retired certifications (slug, title)."""
    rows = db.session.execute(select(Certification.slug, Certification.title)
                              .where(Certification.retired.is_(False))
                              .order_by(Certification.title, Certification.slug)).tuples()
    return [(slug, title) for slug, title in rows]


def certification_title(slug: str) -> str:
    if not slug:
        return ""
    title = db.session.scalar(select(Certification.title).where(Certification.slug == slug))
    return title or slug


@transaction(immediate=True)
def set_rule(*, min_position: str, min_months: int, certification: str, capacity: int, actor: User) -> int:
    """Change the mentor rule and the default capacity; returns how many
    settings changed (each change is an audit event with before and after)."""
    if min_position not in RULE_POSITIONS:
        raise SettingsError(_("Choose a position from Junior RM up."))
    if not 0 <= min_months <= 600:
        raise SettingsError(_("The months must be between 0 and 600."))
    if not 1 <= capacity <= MAX_CAPACITY:
        raise SettingsError(_("A capacity is between 1 and %(n)d.", n=MAX_CAPACITY))
    if certification and certification not in dict(certification_choices()):
        raise SettingsError(_("“%(slug)s” is not a published certification.", slug=certification))
    wanted = {MIN_POSITION: min_position, MIN_MONTHS: min_months, CERTIFICATION: certification,
              DEFAULT_CAPACITY: capacity}
    changed = 0
    for key, after in wanted.items():
        before = _value(key)
        if before == after:
            continue
        SystemSetting.store(key, str(after), actor)
        db.session.flush()
        audit.record("mentoring.setting_changed", object_type="mentoring_setting", object_id=key, actor=actor,
                     before=before, after=after)
        changed += 1
    return changed


@transaction(immediate=True)
def set_capacity(mentor: User, capacity: int | None, *, actor: User) -> bool:
    """Give one mentor a capacity of their own (``None``: back to the default)."""
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise SettingsError(_("A capacity is between 1 and %(n)d.", n=MAX_CAPACITY))
    row = db.session.get(MentorCapacity, mentor.id)
    before = row.capacity if row is not None else None
    if before == capacity:
        return False
    if capacity is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(MentorCapacity(mentor_id=mentor.id, capacity=capacity, changed_by_id=actor.id))
    else:
        row.capacity, row.changed_at, row.changed_by_id = capacity, clock.now(), actor.id
    db.session.flush()
    audit.record("mentoring.capacity_set", object_type="user", object_id=mentor.id, actor=actor,
                 before=before, after=capacity)
    return True


# --- sign-off dimensions ----------------------------------------------------------

def _default_rows() -> list[SignOffDimension]:
    return [SignOffDimension(key=key, label_zh=zh, label_en=en, position=i, active=True)
            for i, (key, zh, en) in enumerate(DEFAULT_DIMENSIONS, start=1)]


def dimensions() -> list[SignOffDimension]:
    """Every dimension, active first, in HR's order (the defaults, unsaved,
    until HR first changes one)."""
    rows = list(db.session.scalars(select(SignOffDimension)))
    if not rows:
        return _default_rows()
    return sorted(rows, key=lambda d: (not d.active, d.position, d.key))


def active_dimensions() -> list[SignOffDimension]:
    """The dimensions a mentor scores now, in order (what the sign-off form shows)."""
    return [d for d in dimensions() if d.active]


def dimension_label(dimension: SignOffDimension, locale: str | None = None) -> str:
    locale = locale or str(get_locale() or "zh_CN")
    return dimension.label_en if locale.startswith("en") else dimension.label_zh


def _materialise() -> None:
    """Write the defaults if the table is empty (within the caller's transaction)."""
    if not db.session.scalar(select(func.count()).select_from(SignOffDimension)):
        db.session.add_all(_default_rows())
        db.session.flush()


def _snapshot(d: SignOffDimension) -> dict:
    return {"label_zh": d.label_zh, "label_en": d.label_en, "position": d.position, "active": d.active}


def _names(d: SignOffDimension) -> dict:
    """The dimension's names as HR entered them, for its audit events (the
    event's object is its key; the log shows the name of the reader's language)."""
    return {"zh": d.label_zh, "en": d.label_en}


def _check_labels(label_zh: str, label_en: str, key: str | None) -> tuple[str, str]:
    label_zh, label_en = (label_zh or "").strip(), (label_en or "").strip()
    if not label_zh or not label_en:
        raise SettingsError(_("A dimension needs a Chinese and an English label."))
    if len(label_zh) > 80 or len(label_en) > 80:
        raise SettingsError(_("A label has at most %(n)d characters.", n=80))
    for other in db.session.scalars(select(SignOffDimension).where(SignOffDimension.key != (key or ""))):
        if other.label_zh == label_zh or other.label_en.lower() == label_en.lower():
            raise SettingsError(_("Another dimension is called “%(label)s” already.", label=other.label_zh))
    return label_zh, label_en


def _new_key(label_en: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", label_en.lower()).strip("_")[:32] or "dimension"
    key, n = base, 1
    while db.session.get(SignOffDimension, key) is not None:
        n += 1
        key = f"{base[:30]}_{n}"
    return key


@transaction(immediate=True)
def add_dimension(label_zh: str, label_en: str, *, actor: User) -> SignOffDimension:
    _materialise()
    label_zh, label_en = _check_labels(label_zh, label_en, None)
    last = db.session.scalar(select(func.max(SignOffDimension.position))) or 0
    dimension = SignOffDimension(key=_new_key(label_en), label_zh=label_zh, label_en=label_en, position=last + 1,
                                 active=True)
    db.session.add(dimension)
    db.session.flush()
    audit.record("mentoring.dimension_added", object_type="signoff_dimension", object_id=dimension.key, actor=actor,
                 name=_names(dimension))
    return dimension


@transaction(immediate=True)
def change_dimension(key: str, *, actor: User, label_zh: str | None = None, label_en: str | None = None,
                     move: int = 0, active: bool | None = None) -> bool:
    """Rename, move up (-1) or down (+1), retire (active=False) or bring back a dimension."""
    _materialise()
    dimension = db.session.get(SignOffDimension, key)
    if dimension is None:
        raise SettingsError(_("There is no such dimension."))
    before = _snapshot(dimension)
    if label_zh is not None or label_en is not None:
        dimension.label_zh, dimension.label_en = _check_labels(
            label_zh if label_zh is not None else dimension.label_zh,
            label_en if label_en is not None else dimension.label_en, key)
    if active is not None:
        if not active and dimension.active and len([d for d in dimensions() if d.active]) <= 1:
            raise SettingsError(_("At least one dimension must stay in use."))
        dimension.active = active
    if move:
        ordered = [d for d in dimensions() if d.active == dimension.active]
        for i, d in enumerate(ordered, start=1):
            d.position = i
        index = ordered.index(dimension)
        other = index + (1 if move > 0 else -1)
        if 0 <= other < len(ordered):
            ordered[index].position, ordered[other].position = ordered[other].position, ordered[index].position
    db.session.flush()
    after = _snapshot(dimension)
    if before == after:
        return False
    action = ("mentoring.dimension_retired" if before["active"] and not after["active"]
              else "mentoring.dimension_restored" if not before["active"] and after["active"]
              else "mentoring.dimension_changed")
    changes = {k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]}
    audit.record(action, object_type="signoff_dimension", object_id=key, actor=actor, name=_names(dimension),
                 **{f"{k}_change": v for k, v in changes.items() if k in ("label_zh", "label_en", "position")})
    return True
