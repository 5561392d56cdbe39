"""How many made files a signed-in user may ask for in a minute.

A register as CSV or XLSX, a person's evidence pack and the sample
certificate are built on every request (a year's roster is seconds of the
database and of a worker; a PDF is rendered anew), so a script or a held-down
key asking for them in a loop ties up the app for everyone. Each user may
ask for ``DOWNLOADS_PER_MINUTE`` of them a minute (``LMS_DOWNLOADS_PER_MINUTE``,
30 by default: more than a person clicks), counted in the database like the
sign-in limit (``lms.auth.limits``: every process together, in a window that
slides with the clock); past it the answer is 429 before anything is built.

Which addresses make a file is read from the app's routes: an address that
ends in a file type (``.pdf``, ``.csv``, ``.xlsx``, ``.txt``) or in the
format a view chooses (``.<fmt>``). A new download is counted without a line
here. A stored file (a certificate's PDF, a lesson's image) is not made on
request and not counted."""
from __future__ import annotations

import os
import re

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from lms.auth import limits

_MADE_FILE = re.compile(r"\.(pdf|csv|xlsx|txt|<fmt>)$")
_ENDPOINTS_KEY = "lms.download_limits"


def made_file_endpoints(app: Flask) -> frozenset[str]:
    """The endpoints whose addresses make a file (read once from the app's routes)."""
    endpoints = app.extensions.get(_ENDPOINTS_KEY)
    if endpoints is None:
        endpoints = app.extensions[_ENDPOINTS_KEY] = frozenset(
            rule.endpoint for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and _MADE_FILE.search(rule.rule))
    return endpoints


def hold_made_files_in_a_loop():
    """Before the view: a signed-in user past the allowance gets 429, nothing built."""
    config = current_app.config
    if (request.endpoint not in made_file_endpoints(current_app) or not config.get("RATELIMIT_ENABLED", True)
            or not current_user.is_authenticated):
        return None
    allowed = int(config["DOWNLOADS_PER_MINUTE"])
    if limits.hit("made-file", f"user:{current_user.id}", limit=allowed, per_seconds=60):
        return None
    message = ngettext("You can download at most %(num)d file a minute, and you have reached that. Nothing was "
                       "made: wait a minute and download it again.",
                       "You can download at most %(num)d files a minute, and you have reached that. Nothing was "
                       "made: wait a minute and download it again.", allowed)
    html = render_template("errors/error.html", status=429, title=_("Too many downloads"), message=message)
    return html, 429, {"Retry-After": "60"}


def init_app(app: Flask) -> None:
    app.config.setdefault("DOWNLOADS_PER_MINUTE", int(os.environ.get("LMS_DOWNLOADS_PER_MINUTE", "30")))
    app.before_request(hold_made_files_in_a_loop)
