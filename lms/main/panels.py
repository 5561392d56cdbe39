"""The home page is made of panels, one per role the user holds; each domain
adds what its roles see first from its ``init_app`` (the panels belong to the
app, not to the module). A panel is (template, context function)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION_KEY = "lms.panels"


@dataclass
class Panel:
    role: str
    template: str
    context: Callable[[object], dict]
    order: int = 100


def add(app: Flask, role: str, template: str, context: Callable[[object], dict], order: int = 100) -> None:
    app.extensions.setdefault(EXTENSION_KEY, []).append(Panel(role, template, context, order))


def panels_for(user) -> list[tuple[str, dict]]:
    mine = user.roles
    panels = current_app.extensions.get(EXTENSION_KEY, [])
    chosen = [p for p in panels if p.role in mine or ("admin" in mine and p.role == "admin")]
    return [(p.template, p.context(user)) for p in sorted(chosen, key=lambda p: p.order)]
