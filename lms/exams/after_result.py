"""What a result leads to, told on the learner's result page by the domain it
concerns (certificates: the certificate now held, or what is still missing and
who issues it). Each domain registers a note from its ``init_app``, so the exam
engine imports none of them (as ``lms.main.panels`` does for the home page)."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

KEY = "lms.exams.after_result"


def add(app: Flask, template: str, context_of: Callable[[object, object], dict | None]) -> None:
    """``context_of(user, exam)`` returns the context of ``template``, or None
    when the exam concerns nothing of that domain."""
    app.extensions.setdefault(KEY, []).append((template, context_of))


def notes(user, exam) -> list[tuple[str, dict]]:
    out = []
    for template, context_of in current_app.extensions.get(KEY, []):
        context = context_of(user, exam)
        if context:
            out.append((template, context))
    return out
