"""The audit log in words for publishing and importing the curriculum
(``lms.audit.labels``), registered from ``lms.content.setup``."""
from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms import punctuation
from lms.audit import labels
from lms.content.console.queries import CHANGE_LABELS, KIND_LABELS
from lms.content.models import ContentRelease, Course
from lms.content.publishing.wording import settings_text
from lms.extensions import db
from lms.numbers import reading_number

EVENTS = {
    "content.published": _l("%(actor)s published the curriculum (%(object)s)"),
    "content.imported": _l("%(actor)s imported the question bank %(object)s"),
}
DETAILS = {
    "scope": _l("What was published"),
    "source": _l("Published from"),
    "changes": _l("What changed"),
    "course": _l("Course"),
    "questions": _l("Questions"),
    "release": _l("Release"),
    "exam_settings": _l("Exam settings changed"),
    "regrade": _l("Corrected keys and submitted attempts"),
    "open_attempts": _l("Corrected questions and attempts in progress"),
}
WHOLE_FOLDER = "the whole content folder"  # lms.content.schema: PublishScope.describe()


def release_name(release_id) -> str:
    release = db.session.get(ContentRelease, int(release_id)) if str(release_id).isdigit() else None
    return _("release %(n)s", n=release_id) if release is None else _("release %(n)s", n=release.id)


def scope(value) -> str:
    if value == WHOLE_FOLDER:
        return _("the whole content folder")
    return labels.plain(value)


def changes(value) -> str:
    """{"question": {"added": 3}, ...} → "Question: added 3"."""
    if not isinstance(value, dict) or not value:
        return labels.plain(value)
    parts = []
    for kind, counts in value.items():
        done = punctuation.listing(f"{CHANGE_LABELS.get(change, change)} {n}" for change, n in counts.items())
        parts.append(punctuation.labelled(KIND_LABELS.get(kind, kind), done))
    return punctuation.statements(parts)


def exam_settings(value) -> str:
    """{"exam-x": {"pass_mark": [60, 90]}} → "exam-x: Pass mark 60% → 90%"."""
    if not isinstance(value, dict):
        return labels.plain(value)
    return punctuation.statements(punctuation.labelled(slug, settings_text(settings))
                                  for slug, settings in value.items() if isinstance(settings, dict))


def regrade(value) -> str:
    """The trainer's decision on the submitted attempts a corrected key changes."""
    if not isinstance(value, dict):
        return labels.plain(value)
    if value.get("choice") == "regrade":
        text = _("%(n)s submitted attempts re-graded; reason: %(reason)s", n=value.get("regraded", 0),
                 reason=value.get("reason", ""))
    else:
        text = _("%(n)s submitted attempts left as they were; reason: %(reason)s", n=value.get("attempts", 0),
                 reason=value.get("reason", ""))
    parts = [text]
    if value.get("to_fail"):
        parts.append(_("passed → failed: %(people)s", people=punctuation.listing(value["to_fail"])))
    if value.get("to_pass"):
        parts.append(_("failed → passed: %(people)s", people=punctuation.listing(value["to_pass"])))
    return punctuation.statements(parts)


def open_attempts(value) -> str:
    """What a publish did to the open attempts that drew an earlier version."""
    if not isinstance(value, dict):
        return labels.plain(value)
    text = _("answers moved to the new version (same question, corrected key): %(moved)s; attempts that keep the "
             "text they were shown: %(kept)s", moved=reading_number(value.get("moved", 0)),
             kept=reading_number(value.get("kept", 0)))
    if value.get("kept") and value.get("regrade_at_submit"):
        text = punctuation.statements([text, _("they are re-graded when submitted")])
    return text


def course(slug) -> str:
    found = db.session.scalar(select(Course).where(Course.slug == str(slug)))
    return found.title if found else labels.plain(slug)


def register(app: Flask) -> None:
    labels.register(app, events=EVENTS, details=DETAILS,
                    objects={"contentrelease": release_name, "bank": lambda path: path},
                    values={(None, "scope"): scope, (None, "source"): scope, (None, "changes"): changes,
                            ("content.published", "exam_settings"): exam_settings,
                            ("content.published", "regrade"): regrade,
                            ("content.published", "open_attempts"): open_attempts,
                            ("content.imported", "course"): course, (None, "release"): release_name})
