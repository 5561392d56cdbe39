"""How the mentoring domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing yet."""
