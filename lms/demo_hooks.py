"""Domains that add to the demo register a function here, run in order after
the organisation exists."""
from __future__ import annotations

from collections.abc import Callable

HOOKS: list[tuple[int, Callable[[str], None]]] = []


def register(order: int):
    def decorator(fn):
        HOOKS.append((order, fn))
        return fn

    return decorator


def run_hooks(password: str) -> None:
    for _order, fn in sorted(HOOKS, key=lambda h: h[0]):
        fn(password)
