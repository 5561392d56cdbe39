"""Sections other domains add to HR's person page (e.g. the training record
of ``lms.programmes``), registered from their ``init_app`` so that org never
imports them. A section is (template, context function of (person, viewer))."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION_KEY = "lms.person_sections"


@dataclass
class PersonSection:
    template: str
    context: Callable[[object, object], dict]
    order: int = 100


def add(app: Flask, template: str, context: Callable[[object, object], dict], order: int = 100) -> None:
    app.extensions.setdefault(EXTENSION_KEY, []).append(PersonSection(template, context, order))


def sections_for(person, viewer) -> list[tuple[str, dict]]:
    sections = sorted(current_app.extensions.get(EXTENSION_KEY, []), key=lambda s: s.order)
    return [(s.template, s.context(person, viewer)) for s in sections]
