"""Lessons (every signed-in user) and the trainer console (trainer and admin).

The world gets its own small content folder (CONTENT_DIR points at a copy),
published, so that the console's writes land in a temporary folder."""
import tempfile
from pathlib import Path

from flask import current_app

from lms.content.console import editor
from lms.content.console.editor import normalise, text_hash
from lms.content.models import Asset, Course, Exam, Lesson, Programme, Question
from lms.extensions import db
from tests.access import Row, only, signed_in
from tests.content.console_samples import publish_folder, write_sample_content

LESSON_FILE = "courses/products/lessons/01-deposits.md"


def setup(world):
    root = write_sample_content(Path(tempfile.mkdtemp(prefix="lms-access-content-")))
    current_app.config["CONTENT_DIR"] = str(root)
    publish_folder(root)
    world.content_root = root
    world.course = db.session.scalar(db.select(Course).where(Course.slug == "products"))
    world.lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == "deposits"))
    world.asset = db.session.scalar(db.select(Asset).where(Asset.path == "images/flow.png"))
    world.question = db.session.scalar(db.select(Question).where(Question.slug == "dep-001"))
    world.exam = db.session.scalar(db.select(Exam))
    world.programme = db.session.scalar(db.select(Programme))


def _edit(w, text_change=True):
    original = (w.content_root / LESSON_FILE).read_text(encoding="utf-8")
    text = original.replace("minutes: 20", "minutes: 25") if text_change else original
    return {"path": LESSON_FILE, "base_hash": text_hash(original.encode("utf-8")), "text": text,
            "reviewed_hash": text_hash(normalise(text))}


def _reviewed_edit(w):
    """The edit as Publish posts it after the review: with the fingerprint of the plan the trainer was shown."""
    data = _edit(w)
    data["reviewed_plan"] = editor.review(data["path"], data["text"]).plan.fingerprint
    return data


ROWS = {
    ("content.courses", "GET"): Row(lambda w: "/courses", signed_in()),
    ("content.course", "GET"): Row(lambda w: "/courses/products", signed_in()),
    ("content.lesson", "GET"): Row(lambda w: f"/lessons/{w.lesson.id}", signed_in()),
    ("content.mark_read", "POST"): Row(lambda w: f"/lessons/{w.lesson.id}/read", signed_in(302)),
    ("content.lesson_by_slug", "GET"): Row(lambda w: "/courses/products/lessons/deposits", signed_in(302)),
    ("content.asset", "GET"): Row(lambda w: "/assets/products/images/flow.png", signed_in()),
    ("content.console_home", "GET"): Row(lambda w: "/console/", only("trainer")),
    ("content.console_course", "GET"): Row(lambda w: "/console/courses/products", only("trainer")),
    ("content.console_question", "GET"): Row(lambda w: "/console/questions/dep-001", only("trainer")),
    ("content.console_exams", "GET"): Row(lambda w: "/console/exams", only("trainer")),
    ("content.console_exam", "GET"): Row(lambda w: f"/console/exams/{w.exam.slug}", only("trainer")),
    ("content.console_exam_preview", "GET"): Row(lambda w: f"/console/exams/{w.exam.slug}/preview", only("trainer")),
    ("content.console_programmes", "GET"): Row(lambda w: "/console/programmes", only("trainer")),
    ("content.console_programme", "GET"): Row(lambda w: f"/console/programmes/{w.programme.slug}", only("trainer")),
    ("content.console_releases", "GET"): Row(lambda w: "/console/releases", only("trainer")),
    ("content.edit", "GET"): Row(lambda w: f"/console/edit?path={LESSON_FILE}", only("trainer")),
    ("content.new_file", "GET"): Row(lambda w: "/console/courses/products/new?kind=bank&name=loans",
                                     only("trainer")),
    ("content.preview", "POST"): Row(lambda w: "/console/preview", only("trainer"), data=_edit,
                                     ),
    ("content.review", "POST"): Row(lambda w: "/console/review", only("trainer"), data=_edit),
    ("content.publish", "POST"): Row(lambda w: "/console/publish", only("trainer", ok=302), data=_reviewed_edit),
    ("content.upload", "GET"): Row(lambda w: "/console/upload", only("trainer")),
    # No file: the form comes back with its error.
    ("content.upload", "POST"): Row(lambda w: "/console/upload", only("trainer", ok=400), data=lambda w: {}),
    # An unknown (or someone else's) staged upload: refused, nothing changes.
    ("content.confirm_upload", "POST"): Row(lambda w: "/console/upload/confirm", only("trainer", ok=409),
                                            data=lambda w: {"token": "x" * 32}),
}

