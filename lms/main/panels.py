"""The home page is made of panels, one per role the user holds; each domain
registers what its roles see first. A panel is (template, context function)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Panel:
    role: str
    template: str
    context: Callable[[object], dict]
    order: int = 100


PANELS: list[Panel] = []


def register(role: str, template: str, order: int = 100):
    def decorator(fn):
        PANELS.append(Panel(role, template, fn, order))
        return fn

    return decorator


def panels_for(user) -> list[tuple[str, dict]]:
    mine = user.roles
    chosen = [p for p in PANELS if p.role in mine or ("admin" in mine and p.role == "admin")]
    return [(p.template, p.context(user)) for p in sorted(chosen, key=lambda p: p.order)]
