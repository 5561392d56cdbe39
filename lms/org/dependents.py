"""What hangs on a person's account and roles in other domains (e.g. the
mentoring pairings of a mentor), registered from their ``init_app`` so that
org never imports them — like ``position_gates``.

When HR deactivates someone or takes a role away, the person page lists what
the change leaves without someone to act (``affected``) and HR chooses, in
the same step, to end it (``end_all``, in the same transaction, with HR's
reason) or to leave it for later (each domain then flags it, e.g. 需处理)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION_KEY = "lms.org.dependents"
REASON_MAX = 255  # a pairing's end reason


@dataclass(frozen=True)
class Dependents:
    """One domain's answer: a heading, its lines in words, and what ending them does."""

    heading: str
    lines: tuple[str, ...]
    ending: str


# (person, roles after the change, active after the change) → Dependents or None
Listing = Callable[[object, set, bool], "Dependents | None"]
# (person, roles after, active after, reason, actor) → how many were ended
Ending = Callable[[object, set, bool, str, object], int]


def add(app: Flask, listing: Listing, ending: Ending) -> None:
    app.extensions.setdefault(EXTENSION_KEY, []).append((listing, ending))


def affected(person, *, roles_after: set, active_after: bool) -> list[Dependents]:
    """What the change would leave without someone to act, domain by domain."""
    found = []
    for listing, _ending in current_app.extensions.get(EXTENSION_KEY, []):
        answer = listing(person, set(roles_after), active_after)
        if answer is not None and answer.lines:
            found.append(answer)
    return found


def end_all(person, *, roles_after: set, active_after: bool, reason: str, actor) -> int:
    """End what ``affected`` lists, in the caller's transaction; returns how many."""
    return sum(ending(person, set(roles_after), active_after, reason, actor)
               for _listing, ending in current_app.extensions.get(EXTENSION_KEY, []))
