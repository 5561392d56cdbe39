"""Error pages. A 500 rolls the session back so the next request starts clean."""
from __future__ import annotations

import errno

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError

from lms.auth.session_check import SignInEnded
from lms.control_characters import ADDRESS, FILE_NAME, QUERY, ControlCharacterRefused
from lms.extensions import db
from lms.form_limits import over_the_upload_limit
from lms.numbers import reading_number
from lms.query_dates import EARLIEST, LATEST, BadQueryDate
from lms.staging import NotStaged
from lms.text_search import SEARCH_MAX, SearchTooLong
from lms.web import needs_sign_in, send_to_sign_in

NUMERIC_VALUE_OUT_OF_RANGE = "22003"  # PostgreSQL's SQLSTATE


def init_app(app: Flask) -> None:
    def page(status: int, title: str, message: str):
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(CSRFError)
    def _csrf(err):
        if not current_user.is_authenticated and needs_sign_in(request.endpoint):
            # Signed out in another tab (the sign-out clears the session and its token):
            # a form or an autosave sent from a page still open is asked to sign in again,
            # not answered with a bad request htmx would not show.
            return send_to_sign_in()
        return page(400, _("The form expired"), _("Reload the page and try again. (%(reason)s)", reason=err.description))

    @app.errorhandler(ControlCharacterRefused)
    def _control_character(err):
        # Refused before any view ran (lms/control_characters.py): nothing was stored.
        if err.where == ADDRESS:
            message = _("The address contains a control character (such as NUL, \\x00). Check it and try again.")
        elif err.where == QUERY:
            message = _("The address's parameter “%(field)s” contains a control character (such as NUL, \\x00). "
                        "Remove it and try again.", field=err.field)
        elif err.where == FILE_NAME:
            message = _("The name of the file sent as “%(field)s” contains a control character (such as NUL, "
                        "\\x00). Rename the file and send it again.", field=err.field)
        else:
            message = _("The field “%(field)s” contains a control character (such as NUL, \\x00), which no field "
                        "accepts. Remove it and send again; nothing was saved.", field=err.field)
        return page(400, _("Bad request"), message)

    @app.errorhandler(SearchTooLong)
    def _search_too_long(err):
        return page(400, _("Search too long"),
                    _("The search “%(field)s” is %(length)s characters long; a search holds at most %(limit)s. "
                      "Shorten it and try again.", field=err.field, length=reading_number(err.length),
                      limit=reading_number(SEARCH_MAX)))

    @app.errorhandler(BadQueryDate)
    def _bad_query_date(err):
        if err.out_of_range:
            message = _("The date “%(field)s” (%(value)s) lies outside %(first)s to %(last)s. Choose a day in "
                        "between and try again.", field=err.field, value=err.value, first=EARLIEST.isoformat(),
                        last=LATEST.isoformat())
        else:
            message = _("The date “%(field)s” (“%(value)s”) is not a day of the calendar. Write it as YYYY-MM-DD, "
                        "for example 2026-03-31, and try again.", field=err.field, value=err.value)
        return page(400, _("Not a date"), message)

    @app.errorhandler(400)
    def _bad_request(_err):
        return page(400, _("Bad request"), _("The request could not be understood."))

    # A download made in the view (an XLSX is written whole first) whose sign-in ended meanwhile
    # (``lms.auth.session_check``): nothing was sent; the sign-in page, or "not allowed" if the role went.
    @app.errorhandler(SignInEnded)
    def _sign_in_ended(err):
        db.session.rollback()
        if err.signed_out:
            return send_to_sign_in()
        return page(403, _("Not allowed"), _("Your roles do not give access to this page."))

    @app.errorhandler(403)
    def _forbidden(_err):
        return page(403, _("Not allowed"), _("Your roles do not give access to this page."))

    @app.errorhandler(404)
    def _not_found(_err):
        return page(404, _("Not found"), _("There is nothing at this address, or it is not yours to see."))

    def _out_of_range():
        db.session.rollback()
        return page(404, _("Not found"), _("There is nothing at this address, or it is not yours to see."))

    # A number in the address beyond what the database stores (an id or a page of 20
    # digits) names nothing; it is not a server error. SQLite cannot bind it
    # (OverflowError); PostgreSQL refuses it as out of range (SQLSTATE 22003).
    @app.errorhandler(OverflowError)
    def _overflow(_err):
        return _out_of_range()

    # A NUL character (\x00) that reached the database anyway (the request's fields and
    # address are refused before any view by lms/control_characters.py): PostgreSQL cannot
    # store it in text and psycopg refuses it before sending. Answer what it is.
    @app.errorhandler(DataError)
    def _data_error(err):
        if getattr(err.orig, "sqlstate", None) == NUMERIC_VALUE_OUT_OF_RANGE:
            return _out_of_range()
        if "NUL (0x00)" in str(err.orig):
            db.session.rollback()
            return page(400, _("Bad request"), _("The request contains a NUL character (\\x00), which no field "
                                                 "accepts. Remove it and send again."))
        raise err

    @app.errorhandler(405)
    def _method(_err):
        return page(405, _("Method not allowed"), _("This address does not accept that kind of request."))

    @app.errorhandler(413)
    def _too_large(_err):
        # The body was refused before any view read it: the form never ran, nothing changed.
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if not over_the_upload_limit(request):
            # Flask's limits on a form: its text (MAX_FORM_MEMORY_SIZE) or its fields (MAX_FORM_PARTS).
            return page(413, _("Form too large"), _(
                "The form sent holds more than the server reads from one form (%(kb)s kB of text, %(n)s fields). "
                "Nothing was saved: go back, shorten what you typed or pasted and send it again.",
                kb=f"{(request.max_form_memory_size or 0) // 1000:,}", n=f"{request.max_form_parts or 0:,}"))
        if not limit:
            return page(413, _("File too large"), _("The upload is larger than the server accepts."))
        return page(413, _("File too large"), _(
            "What was sent is larger than %(mb)s MB, the most this server accepts in one upload. Nothing was "
            "saved: go back, choose a smaller file (or split it) and send it again.",
            mb=f"{limit / 2**20:g}"))

    @app.errorhandler(NotStaged)
    def _not_staged(err):
        db.session.rollback()
        app.logger.error("an upload could not be staged: %s", err)
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            return page(507, _("The server's disk is full"), _(
                "The file you sent could not be kept: the server's disk is full. Nothing was saved or changed. "
                "Ask the administrator to free space on the server, then send the file again."))
        return page(507, _("The file could not be kept"), _(
            "The file you sent could not be kept on the server (%(why)s). Nothing was saved or changed. "
            "Tell the administrator, then send the file again.", why=err.strerror or err))

    @app.errorhandler(429)
    def _too_many(_err):
        return page(429, _("Too many requests"), _("Slow down and try again in a minute."))

    @app.errorhandler(500)
    def _server_error(_err):
        db.session.rollback()
        return page(500, _("Something went wrong"), _("The error was logged. Try again; if it persists, tell the administrator."))
