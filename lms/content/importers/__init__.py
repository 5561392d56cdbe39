"""Importing question banks trainers already have (Moodle GIFT, Excel) and
exporting banks back to Excel.

An import never publishes by itself: the file is converted to
``lms.content.schema.ParsedQuestion`` objects (every error with its line, or
row and column), written as a markdown bank file into the content folder
(``serialize.bank_markdown``), and that file goes through the normal
pipeline (parse → check → plan → publish). The content folder stays the
source of truth.
"""

import contextlib

from flask import has_app_context, has_request_context


def messages_locale():
    """Problems are worded in the user's language in a request; outside one
    (``flask content import-…``, background work) in Chinese, the default UI
    language — the app's locale selector needs a request."""
    if has_app_context() and not has_request_context():
        from flask_babel import force_locale

        return force_locale("zh_CN")
    return contextlib.nullcontext()
