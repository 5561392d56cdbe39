"""The question import page of the trainer console: upload a GIFT or Excel
file for a course → preview (questions with keys, or every problem) →
confirm → published. Downloads: the template, the examples, a course's bank
as Excel."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.content.importers import bank_names, services, xlsx_export
from lms.content.importers.examples import example_questions
from lms.content.importers.forms import ConfirmImportForm, ImportForm
from lms.content.publishing.wording import regraded_text
from lms.control_characters import uploaded_file_name
from lms.forms import options
from lms.numbers import counted, reading_number
from lms.punctuation import sentences
from lms.web import render_page_or_partial, roles_required

bp = Blueprint("content_import", __name__, url_prefix="/console/import")

ROLES = ("trainer",)  # admin passes every role check
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_GIFT = Path(__file__).resolve().parents[3] / "examples" / "rm-banking.gift.txt"


def _form() -> ImportForm:
    form = ImportForm()
    form.course.choices = options((cid, f"{title} ({cid})") for cid, title in services.courses())
    return form


def _page(form: ImportForm, preview=None, refused=None, status=200):
    # The confirmation carries the plan this page shows (never one a refused confirmation posted).
    confirm_form = ConfirmImportForm(formdata=None, token=preview.token if preview else "",
                                     reviewed_plan=preview.plan.fingerprint if preview and preview.plan else "")
    html, _status, headers = render_page_or_partial(
        "content/import/page.html", "content/import/_result.html", form=form, preview=preview, refused=refused,
        confirm_form=confirm_form, courses=services.courses(), kinds=services.KINDS)
    return html, status, headers


@bp.get("/")
@roles_required(*ROLES)
def page():
    form = _form()
    if request.args.get("course"):
        form.course.data = request.args["course"]
    return _page(form)


@bp.post("/")
@roles_required(*ROLES)
def preview():
    form = _form()
    if not form.validate_on_submit():
        return _page(form)
    upload = form.upload.data
    filename = uploaded_file_name(upload.filename)
    named = bank_names.BankName(form.bank.data) if form.bank.data else \
        services.default_bank(filename, form.course.data)
    bank = named.name
    result = services.prepare(upload.read(), filename, form.course.data, bank, current_user, named.note)
    form.bank.data = bank
    return _page(form, preview=result)


@bp.post("/confirm")
@roles_required(*ROLES)
def confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        if form.token.errors:
            return _page(_form(), refused=services.ImportRefused(services.expired_message()), status=400)
        # A reason longer than the form allows: said beside the preview, nothing published.
        return _again(form.token.data, sentences(str(m) for messages in form.errors.values() for m in messages), 422)
    try:
        done = services.confirm(form.token.data, current_user, form.decision(), reviewed=form.reviewed_plan.data)
    except services.ImportRefused as refused:
        return _page(_form(), refused=refused)
    except services.ImportChanged as changed:
        return _again(form.token.data, changed.message, 409)
    counts = done.counts
    flash(_("Imported and published: %(added)s added, %(changed)s changed, %(retired)s retired, %(unchanged)s "
            "unchanged.", added=counted("%(num)s question", "%(num)s questions", counts["added"]),
            changed=reading_number(counts["changed"]), retired=reading_number(counts["retired"]),
            unchanged=reading_number(counts["unchanged"])), "success")
    if getattr(done.plan, "regraded", 0):
        flash(regraded_text(done.plan.regraded), "success")
    return redirect(url_for("content.console_course", slug=done.course_id))


def _again(token: str, message: str, status: int):
    """The preview of now with why nothing was published; its confirmation publishes what it shows."""
    preview = services.preview_again(token, current_user)
    if preview is None:
        return _page(_form(), refused=services.ImportRefused(services.expired_message()), status=status)
    form = _form()
    form.course.data, form.bank.data = preview.course_id, preview.bank
    return _page(form, preview=preview, refused=services.ImportRefused(message), status=status)


@bp.get("/template.xlsx")
@roles_required(*ROLES)
def template():
    return _xlsx(xlsx_export.template_xlsx(), "题库导入模板.xlsx")


@bp.get("/example.xlsx")
@roles_required(*ROLES)
def example_xlsx():
    return _xlsx(xlsx_export.export_xlsx(example_questions()), "题库示例.xlsx")


@bp.get("/example.gift.txt")
@roles_required(*ROLES)
def example_gift():
    return send_file(EXAMPLE_GIFT, mimetype="text/plain; charset=utf-8", as_attachment=True,
                     download_name="rm-banking.gift.txt")


@bp.get("/export/<course>.xlsx")
@roles_required(*ROLES)
def export(course):
    data = services.export_course(course, request.args.get("bank") or None)
    if data is None:
        abort(404)
    return _xlsx(data, f"{course}-questions.xlsx")


def _xlsx(data: bytes, name: str):
    import io

    return send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True, download_name=name)
