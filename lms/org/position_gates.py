"""Gates on position changes, registered by other domains from their
``init_app`` (e.g. job-entry eligibility, 准入), so that org never imports
them. A gate is a function (person, target position) → a list of
(rule title, unmet conditions in words); a rule with no unmet condition lets
the person in. ``lms.org.services.change_position`` asks every gate and
refuses a move that one of them stops, unless HR gives an override reason."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import pgettext

EXTENSION_KEY = "lms.position_gates"

# (person or None for someone not yet created, position) → [(rule title, unmet conditions)]
Gate = Callable[[object, str], list[tuple[str, list[str]]]]


@dataclass(frozen=True)
class Check:
    """One rule's answer about a move: its title and what is not met."""

    rule: str
    unmet: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.unmet


def add(app: Flask, gate: Gate) -> None:
    app.extensions.setdefault(EXTENSION_KEY, []).append(gate)


def checks(person, position: str) -> list[Check]:
    """Every rule that gates ``position``, with what ``person`` does not meet."""
    out = []
    for gate in current_app.extensions.get(EXTENSION_KEY, []):
        out.extend(Check(rule, tuple(unmet)) for rule, unmet in gate(person, position))
    return out


def refusals(person, position: str) -> list[Check]:
    """The rules that stop ``person`` from entering ``position`` (empty: free to move)."""
    return [c for c in checks(person, position) if not c.passed]


def describe(refused: list[Check]) -> str:
    """The unmet conditions in one line, rule by rule."""
    between = pgettext("between conditions", "; ")  # "；" in Chinese
    return between.join(_("%(rule)s: %(conditions)s", rule=c.rule, conditions=between.join(c.unmet))
                        for c in refused)
