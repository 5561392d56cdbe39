"""The web steps of an import, the same for every import: the upload page and
its check, the preview (``imports/preview.html``, which an import's preview
extends; the upload page extends ``imports/upload.html``), the confirmation,
and the blank template files.

The file checked on upload is staged under a random token (``lms.staging``)
that belongs to the user and to this browser session; the confirmation reads
the staged file, checks it again (things may have changed since the preview)
and applies it, all or nothing. A file with refused rows is staged too, so its
uploader can download it with its problems marked row by row
(``lms.imports.problems_file``), correct it and upload it again. Views call
these steps with the import's own ``plan`` and ``apply``; they never commit.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook

from lms import clock
from lms.control_characters import uploaded_file_name
from lms.forms import EmptyForm
from lms.imports import problems_file
from lms.imports.forms import ImportConfirmForm, ImportUploadForm
from lms.imports.table import Plan, RowRefused
from lms.reports.exports import attachment, file_name
from lms.staging import StagingArea

STAGING_HOURS = 2
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ImportPages:
    """One import's place in the flow: its staging area, its session key,
    its endpoints and its two pages (the upload page and the preview)."""

    name: str  # the staging area: instance/<name>/
    session_key: str
    upload_endpoint: str
    confirm_endpoint: str
    template_endpoint: str
    problems_endpoint: str  # the uploaded file with its problems (``problems``)
    page: str
    preview: str

    @property
    def staging(self) -> StagingArea:
        return StagingArea(self.name, STAGING_HOURS)

    # --- the staged file ------------------------------------------------------------------

    def stash(self, data: bytes, filename: str, user) -> str:
        """Keep an uploaded file until it is confirmed; returns a random token.
        Stale files of abandoned previews are removed on the way."""
        token, _folder = self.staging.stage({"filename": filename, "user_id": user.id,
                                             "at": clock.now().isoformat()}, data)
        return token

    def load(self, token: str, user) -> tuple[bytes, str] | None:
        """The staged file and its name, if the token is well-formed, exists and belongs to ``user``."""
        staged = self.staging.open(token)
        if staged is None or staged.data is None or staged.meta.get("user_id") != user.id:
            return None
        return staged.data, staged.meta["filename"]

    def drop(self, token: str) -> None:
        self.staging.discard(token)

    # --- the steps ------------------------------------------------------------------------

    def upload(self, plan: Callable[[bytes, str], Plan], **page_context):
        """GET: the upload page. POST: every row checked → the preview, with a
        confirmation when the file has no problem, else the file with its problems
        to download (both by the staged file's token)."""
        form = ImportUploadForm()
        if not form.validate_on_submit():
            return render_template(self.page, form=form, pages=self, **page_context)
        upload = form.file.data
        data, filename = upload.read(), uploaded_file_name(upload.filename)
        checked = plan(data, filename)
        self.drop(session.pop(self.session_key, ""))
        token = None
        if checked.ok or checked.body is not None:
            token = self.stash(data, filename, current_user)
            session[self.session_key] = token
        return self.preview_page(checked, token)

    def confirm(self, plan: Callable[[bytes, str], Plan], apply: Callable[[Plan], object],
                done: Callable[[object, str], object]):
        """The staged file of this session checked again and applied; ``done(result,
        filename)`` answers. A problem found now (or a row the rules refuse while
        applying, ``RowRefused``) shows the preview with the problems, and nothing changes."""
        form = ImportConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        token = form.token.data
        staged = self.load(token, current_user) if token == session.get(self.session_key) else None
        if staged is None:
            flash(_("That preview has expired or belongs to another session; upload the file again."), "error")
            return redirect(url_for(self.upload_endpoint))
        if not self.staging.claim(token):
            # A second click or tab sending the same confirmation while (or after) the first applies it.
            flash(_("This file is already being imported (confirmed twice, or from another tab): it is imported "
                    "once. The page that confirmed it first shows the result."), "error")
            return redirect(url_for(self.upload_endpoint))
        data, filename = staged
        checked = plan(data, filename)  # again: things may have changed since the preview
        if checked.ok:
            try:
                result = apply(checked)
            except RowRefused as exc:
                checked.problems.append(exc.problem)
        if not checked.ok:  # the staged file stays, claimed: to download with its problems, never to confirm
            return self.preview_page(checked, token)
        self.drop(token)
        session.pop(self.session_key, None)
        return done(result, filename)

    def preview_page(self, plan: Plan, token: str | None):
        problems_href = None
        if token and plan.problems and plan.body is not None:
            problems_href = url_for(self.problems_endpoint, token=token, fmt=plan.body.fmt)
        return render_template(self.preview, plan=plan, token=token, confirm_form=EmptyForm(), pages=self,
                               problems_href=problems_href)

    def problems(self, token: str, fmt: str, plan: Callable[[bytes, str], Plan]):
        """The staged file of ``token``, checked again now, with its problems column
        (``problems_file``), in its own format: only to the user who uploaded it
        (else 404); nothing is written."""
        staged = self.load(token, current_user)
        if staged is None:
            abort(404)
        data, filename = staged
        checked = plan(data, filename)
        body = problems_file.annotated(data, checked)
        if body is None or checked.body.fmt != fmt:
            abort(404)
        mimetype = problems_file.csv_media_type(data) if fmt == "csv" else XLSX
        stem = filename.rsplit(".", 1)[0] if "." in filename else filename
        name = f"{file_name(stem, _('Problems'))}.{fmt}"
        return body, 200, {"Content-Type": mimetype, "Content-Disposition": attachment(name, f"problems.{fmt}")}


def blank_file(fmt: str, csv_body: Callable[[], bytes], xlsx_body: Callable[[], bytes], download: str,
               title: str = ""):
    """A blank template as a download: ``<title>.csv`` or ``<title>.xlsx`` in the page's
    language (``<download>.<fmt>`` for clients without RFC 5987), else 404."""
    if fmt == "csv":
        body, mimetype = csv_body(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mimetype = xlsx_body(), XLSX
    else:
        abort(404)
    return body, 200, {"Content-Type": mimetype,
                       "Content-Disposition": attachment(f"{title or download}.{fmt}", f"{download}.{fmt}")}


def blank_csv(headers) -> bytes:
    """The header row as a CSV Excel opens (UTF-8 with BOM)."""
    out = io.StringIO()
    csv.writer(out).writerow(headers)
    return out.getvalue().encode("utf-8-sig")


def blank_xlsx(headers, sheet_title: str, widths, text_columns=()) -> bytes:
    """The header row as a one-sheet workbook, columns ``widths`` wide, frozen; the
    columns named in ``text_columns`` (工号) formatted as text, so a number typed
    there keeps its leading zeros."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(list(headers))
    sheet.freeze_panes = "A2"
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(ord("A") + number - 1)].width = width
    for number, header in enumerate(headers, start=1):
        if header in text_columns:
            for row in range(2, 1002):
                sheet.cell(row=row, column=number).number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
