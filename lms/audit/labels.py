"""What an audit event says to the person reading the log: a sentence per
kind of event ("周人事 changed the position of 李学员 (learner)") and its
details as labelled values (people by name and 工号, positions and roles by
label), in the reader's language. Never the codes the log stores.

Each domain registers the labels of the events it records, next to them
(``register`` from its ``init_app``): sentences per action, how to name its
objects, and how to show the values of its details. The log itself stays as
stored (its hash covers the codes).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from lms import punctuation
from lms.audit.models import FULL_OBJECT_ID

EXTENSION_KEY = "lms.audit_labels"

# Labels of details many events share; a domain adds its own keys.
COMMON_DETAILS: dict[str, object] = {
    "before": _l("Before"),
    "after": _l("After"),
    "reason": _l("Reason"),
    "note": _l("Note"),
    "name": _l("Name"),
    "employee_no": _l("Employee number"),
    "file": _l("File"),
}


@dataclass
class Labels:
    events: dict[str, object] = field(default_factory=dict)  # action → sentence with %(actor)s, %(object)s
    # detail key, or (action, detail key) where one action's detail means something else → label
    details: dict[str | tuple[str, str], object] = field(default_factory=lambda: dict(COMMON_DETAILS))
    objects: dict[str, Callable[[str], str]] = field(default_factory=dict)  # object_type → name of object_id
    # (action, detail key) or (None, detail key) → how to show the value
    values: dict[tuple[str | None, str], Callable[[object], str]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)  # detail keys not worth showing (internal ids)
    # object_type → names of many object ids at once ({id: name}), for ``prefetch``
    many: dict[str, Callable[[list[str]], dict[str, str]]] = field(default_factory=dict)


def labels(app: Flask | None = None) -> Labels:
    app = app or current_app
    return app.extensions.setdefault(EXTENSION_KEY, Labels())


def register(app: Flask, *, events=None, details=None, objects=None, values=None, hidden=(), many=None) -> None:
    """A domain's labels: ``events`` {action: sentence}, ``details`` {key or (action, key): label},
    ``objects`` {object_type: name(object_id)}, ``values`` {(action or None, key): show(value)},
    ``many`` {object_type: names({object ids}) → {object_id: name}} for a page of events (``prefetch``)."""
    registry = labels(app)
    registry.many.update(many or {})
    registry.events.update(events or {})
    registry.details.update(details or {})
    registry.objects.update(objects or {})
    registry.values.update(values or {})
    registry.hidden.update(hidden)


@dataclass
class Described:
    sentence: str
    details: list[tuple[str, str]]


def plain(value) -> str:
    """A stored detail value in words: yes/no, —, lists joined, before → after."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return punctuation.listing(plain(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return punctuation.statements(punctuation.labelled(plain(k), plain(v)) for k, v in value.items())
    return str(value)


def prefetch(events) -> None:
    """Name the actors and objects of a page of events in one statement per
    kind of object (where the domain registered ``many``), instead of one or
    more per event as each is shown. Memoised for the request."""
    registry, names = labels(), _names()
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.actor_id is not None:
            wanted.setdefault("user", set()).add(str(event.actor_id))
        if event.object_type and event.object_id:
            wanted.setdefault(event.object_type, set()).add(str(event.object_id))
    for object_type, ids in wanted.items():
        many = registry.many.get(object_type)
        missing = sorted(i for i in ids if (object_type, i) not in names)
        if many is not None and missing:
            found = many(missing)
            names.update({(object_type, i): found[i] for i in missing if i in found})


def _names() -> dict[tuple[str, str], str]:
    return g.setdefault("_audit_names", {})


def _name(object_type: str, object_id: str) -> str | None:
    """The object's name: from this request's prefetch, else its domain's resolver (None without one)."""
    names = _names()
    if (object_type, object_id) not in names:
        name = labels().objects.get(object_type)
        if name is None:
            return None
        names[(object_type, object_id)] = name(object_id)
    return names[(object_type, object_id)]


def actor_name(event) -> str:
    if event.actor_label == "system":
        return _("The system")
    if event.actor_label == "anonymous":
        return _("Someone not signed in")
    if event.actor_id is not None:
        name = _name("user", str(event.actor_id))
        if name is not None:
            return name
    return event.actor_label


def object_name(event) -> str:
    if not event.object_type:
        return ""
    if event.object_id and event.object_id.endswith("…"):  # cut to fit its column: the whole id is in the details
        whole = event.details_dict.get(FULL_OBJECT_ID)
        if isinstance(whole, str):
            name = _name(event.object_type, whole)
            return name if name is not None else whole
    if event.object_id:
        name = _name(event.object_type, str(event.object_id))
        if name is not None:
            return name
    return event.object_id or ""


def show_value(action: str, key: str, value) -> str:
    registry = labels()
    show = registry.values.get((action, key)) or registry.values.get((None, key))
    return show(value) if show is not None else plain(value)


def describe(event) -> Described:
    """The event as a sentence and labelled details (memoised per request)."""
    cache = g.setdefault("_audit_described", {})
    if event.seq in cache:
        return cache[event.seq]
    registry = labels()
    template = registry.events.get(event.action)
    actor, obj = actor_name(event), object_name(event)
    if template is None:  # an event recorded by a newer version: say so in words, still without the code
        sentence = _("%(actor)s: an action this version has no description for", actor=actor)
    else:
        sentence = str(template) % {"actor": actor, "object": obj}
    details = []
    for key, value in event.details_dict.items():
        if key in registry.hidden or key == FULL_OBJECT_ID:
            continue
        label = registry.details.get((event.action, key), registry.details.get(key))
        details.append((str(label) if label is not None else _("Other"), show_value(event.action, key, value)))
    cache[event.seq] = Described(sentence, details)
    return cache[event.seq]


def details_html(event) -> Markup:
    """The details as "label: value" pairs, escaped."""
    parts = [Markup("<span class=\"detail\"><span class=\"detail-label\">{}</span>{}</span>").format(
        punctuation.label(name), value) for name, value in describe(event).details]
    return punctuation.statements(parts) if parts else Markup(escape(""))


def init_app(app: Flask) -> None:
    app.add_template_filter(lambda e: describe(e).sentence, "audit_sentence")
    app.add_template_filter(details_html, "audit_details")
    app.add_template_filter(actor_name, "audit_actor")
    app.add_template_filter(object_name, "audit_object")
