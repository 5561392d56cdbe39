"""Gates on position changes, registered by other domains from their
``init_app`` (e.g. job-entry eligibility, 准入), so that org never imports
them. A gate is a function (person, target position) → a list of
(rule title, unmet conditions in words); a rule with no unmet condition lets
the person in. ``lms.org.services.change_position`` asks every gate and
refuses a move that one of them stops, unless HR gives an override reason.
A gate may also come with a way to answer for many people at once
(``prepare``): the people import asks about every row of a file, and reads
what the rules need for all of them in a few statements, not per row."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import pgettext

EXTENSION_KEY = "lms.position_gates"

# (person or None for someone not yet created, position) → [(rule title, unmet conditions)]
Gate = Callable[[object, str], list[tuple[str, list[str]]]]
# (the people, the positions they may move into) → a gate that answers about them from what it read once.
Prepare = Callable[[list, set[str]], Gate]


@dataclass(frozen=True)
class Check:
    """One rule's answer about a move: its title and what is not met."""

    rule: str
    unmet: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.unmet


def add(app: Flask, gate: Gate, prepare: Prepare | None = None) -> None:
    app.extensions.setdefault(EXTENSION_KEY, []).append((gate, prepare))


class Gates:
    """Gates asked about one move after another: ``checks`` and ``refusals``
    as the functions of this module give them."""

    def __init__(self, gates: list[Gate]):
        self._gates = gates

    def checks(self, person, position: str) -> list[Check]:
        out = []
        for gate in self._gates:
            out.extend(Check(rule, tuple(unmet)) for rule, unmet in gate(person, position))
        return out

    def refusals(self, person, position: str) -> list[Check]:
        return [c for c in self.checks(person, position) if not c.passed]


def _registered() -> list[tuple[Gate, Prepare | None]]:
    return current_app.extensions.get(EXTENSION_KEY, [])


def prepare(people, positions) -> Gates:
    """Every gate, ready to answer about ``people`` (existing persons; None,
    someone not yet created, needs nothing read) moving into any of
    ``positions``: what the rules need is read once for all of them. A move
    of anyone else, or into another position, is still answered, one by one."""
    people, positions = [p for p in people if p is not None], set(positions)
    return Gates([ready(people, positions) if ready is not None else gate for gate, ready in _registered()])


def checks(person, position: str) -> list[Check]:
    """Every rule that gates ``position``, with what ``person`` does not meet."""
    return Gates([gate for gate, _ready in _registered()]).checks(person, position)


def refusals(person, position: str) -> list[Check]:
    """The rules that stop ``person`` from entering ``position`` (empty: free to move)."""
    return [c for c in checks(person, position) if not c.passed]


def describe(refused: list[Check]) -> str:
    """The unmet conditions in one line, rule by rule."""
    between = pgettext("between conditions", "; ")  # "；" in Chinese
    return between.join(_("%(rule)s: %(conditions)s", rule=c.rule, conditions=between.join(c.unmet))
                        for c in refused)
