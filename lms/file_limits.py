"""How many files a signed-in user may have made, or have checked, in a minute.

A register as CSV or XLSX, a person's evidence pack and the sample
certificate are built on every request (a year's roster is seconds of the
database and of a worker; a PDF is rendered anew), and an uploaded file (a
people or pairing list, a course zip, a question workbook) is read and
checked in full before its preview: a script or a held-down key sending them
in a loop ties up the app for everyone. Each user may have
``DOWNLOADS_PER_MINUTE`` files made (``LMS_DOWNLOADS_PER_MINUTE``, 30) and
``UPLOADS_PER_MINUTE`` uploads checked (``LMS_UPLOADS_PER_MINUTE``, 10) a
minute — more than a person clicks — counted in the database like the
sign-in limit (``lms.auth.limits``: every process together, in a window that
slides with the clock); past it the answer is 429 before anything is built
or read.

Which addresses make a file is read from the app's routes: an address that
ends in a file type (``.pdf``, ``.csv``, ``.xlsx``, ``.txt``) or in the
format a view chooses (``.<fmt>``), so a new download is counted without a
line here. A stored file (a certificate's PDF, a lesson's image) is not made
on request and not counted. An upload is a signed-in POST that carries a
file. The public verification page has its own limit per address."""
from __future__ import annotations

import os
import re

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from lms.auth import limits

_MADE_FILE = re.compile(r"\.(pdf|csv|xlsx|txt|<fmt>)$")
_ENDPOINTS_KEY = "lms.file_limits"


def made_file_endpoints(app: Flask) -> frozenset[str]:
    """The endpoints whose addresses make a file (read once from the app's routes)."""
    endpoints = app.extensions.get(_ENDPOINTS_KEY)
    if endpoints is None:
        endpoints = app.extensions[_ENDPOINTS_KEY] = frozenset(
            rule.endpoint for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and _MADE_FILE.search(rule.rule))
    return endpoints


def _is_upload() -> bool:
    return (request.method == "POST" and request.mimetype == "multipart/form-data"
            and any(storage.filename for storage in request.files.values()))


def hold_files_in_a_loop():
    """Before the view: a signed-in user past an allowance gets 429, nothing built or read."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return None
    if request.endpoint in made_file_endpoints(current_app):
        what, setting = "made-file", "DOWNLOADS_PER_MINUTE"
    elif request.method == "POST" and request.mimetype == "multipart/form-data":
        what, setting = "upload", "UPLOADS_PER_MINUTE"
    else:
        return None
    if not current_user.is_authenticated or (what == "upload" and not _is_upload()):
        return None
    allowed = int(config[setting])
    if limits.hit(what, f"user:{current_user.id}", limit=allowed, per_seconds=60):
        return None
    if what == "made-file":
        title = _("Too many downloads")
        message = ngettext(
            "You can download at most %(num)d file a minute, and you have reached that. Nothing was "
            "made: wait a minute and download it again.",
            "You can download at most %(num)d files a minute, and you have reached that. Nothing was "
            "made: wait a minute and download it again.", allowed)
    else:
        title = _("Too many uploads")
        message = ngettext(
            "You can upload at most %(num)d file a minute, and you have reached that. Nothing was checked or "
            "saved: wait a minute and upload it again.",
            "You can upload at most %(num)d files a minute, and you have reached that. Nothing was checked or "
            "saved: wait a minute and upload it again.", allowed)
    html = render_template("errors/error.html", status=429, title=title, message=message)
    return html, 429, {"Retry-After": "60"}


def init_app(app: Flask) -> None:
    app.config.setdefault("DOWNLOADS_PER_MINUTE", int(os.environ.get("LMS_DOWNLOADS_PER_MINUTE", "30")))
    app.config.setdefault("UPLOADS_PER_MINUTE", int(os.environ.get("LMS_UPLOADS_PER_MINUTE", "10")))
    app.before_request(hold_files_in_a_loop)
