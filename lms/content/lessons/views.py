"""The learner's pages: courses, a lesson (by id or by its course and lesson ids), marking it read, assets."""
from __future__ import annotations

import io
import re

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.content.blueprint import bp
from lms.content.lessons import queries
from lms.forms import EmptyForm
from lms.security import SERVED_FILE_CSP
from lms.web import is_htmx


@bp.get("/courses")
@login_required
def courses():
    catalogue = queries.catalogue()
    read = queries.read_lesson_ids(current_user, [lesson for _c, lessons in catalogue for lesson in lessons])
    return render_template("content/courses.html", catalogue=catalogue, read=read)


@bp.get("/courses/<slug>")
@login_required
def course(slug):
    found = queries.live_course(current_user, slug)
    if found is None:
        abort(404)
    lessons = queries.live_lessons(found)
    return render_template("content/course.html", course=found, lessons=lessons,
                           read=queries.read_lesson_ids(current_user, lessons))


def _withdrawn(lesson_id: int):
    """A lesson (or its course) retired while its page was open: still 404, but
    saying so (the plain 404 read as a wrong address, and marking it read from
    the page opened before did nothing visible); an id that never was a lesson: the plain 404."""
    if queries.lesson_exists(lesson_id):
        return render_template("errors/error.html", status=404, title=_("Lesson withdrawn"), message=_(
            "This lesson has been withdrawn by the trainers; it is no longer shown or counted. The courses page "
            "lists the lessons in force.")), 404
    abort(404)


@bp.get("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id):
    found = queries.live_lesson(current_user, lesson_id)
    if found is None:
        return _withdrawn(lesson_id)
    previous, following = queries.neighbours(found)
    return render_template("content/lesson.html", lesson=found, previous=previous, following=following,
                           view=queries.lesson_view(current_user, found), form=EmptyForm())


@bp.post("/lessons/<int:lesson_id>/read")
@login_required
def mark_read(lesson_id):
    found = queries.live_lesson(current_user, lesson_id)
    if found is None:
        return _withdrawn(lesson_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    view = queries.mark_lesson_read(current_user, found)
    if is_htmx():
        return render_template("content/_lesson_read.html", lesson=found, view=view, form=form)
    flash(_("Marked as read."), "success")
    return redirect(url_for("content.lesson", lesson_id=found.id))


@bp.get("/courses/<course_slug>/lessons/<lesson_slug>")
@login_required
def lesson_by_slug(course_slug, lesson_slug):
    """Where links between lessons point (content/FORMAT.md): the lesson's page
    (the browser keeps the #heading)."""
    found = queries.live_lesson_by_slug(current_user, course_slug, lesson_slug)
    if found is None:
        abort(404)
    return redirect(url_for("content.lesson", lesson_id=found.id))


@bp.get("/assets/<course_slug>/<path:path>")
@login_required
def asset(course_slug, path):
    found = queries.find_asset(current_user, course_slug, path)
    if found is None:
        abort(404)
    # send_file writes the file name as RFC 6266 filename* when it is not ASCII (流程图.png).
    response = send_file(io.BytesIO(found.data), mimetype=found.mimetype,
                         as_attachment=not queries.is_inline_image(found.mimetype),
                         download_name=_download_name(path), etag=found.content_hash, conditional=True,
                         max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SERVED_FILE_CSP
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# Control characters (a CR in a header is refused: a server error) and the
# bidirectional controls that make "x\u202egnp.exe" read as "xexe.png" in a
# download bar.
_NOT_IN_NAME = re.compile("[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _download_name(path: str) -> str:
    """The file's name, as Content-Disposition carries it (werkzeug quotes it, RFC 6266)."""
    return _NOT_IN_NAME.sub("", path.rsplit("/", 1)[-1]) or "file"
