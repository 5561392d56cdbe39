"""How the certificates domain is wired into the app: ``init_app`` (called by ``create_app``)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The PDF, the public verification page and the evidence pack (``pdf_setup``)."""
    from lms.certificates import pdf_setup

    pdf_setup.init_app(app)
