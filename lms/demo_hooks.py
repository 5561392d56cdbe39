"""Domains that add to the demo register a function here from their
``init_app``; ``flask demo`` runs them in order after the organisation exists."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

EXTENSION_KEY = "lms.demo_hooks"


def add(app: Flask, order: int, fn: Callable[[str], None]) -> None:
    app.extensions.setdefault(EXTENSION_KEY, []).append((order, fn))


def run_hooks(password: str) -> None:
    for _order, fn in sorted(current_app.extensions.get(EXTENSION_KEY, []), key=lambda h: h[0]):
        fn(password)
