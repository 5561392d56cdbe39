"""Scheduling in the browser: a trainer edits a programme (audience, start,
weeks, bulletins) or an exam's settings and draw rules in a form; the console
writes the YAML file (round trip: comments and unknown keys survive), checks
the whole content tree with it, previews it (the calendar, or the settings and
a sample draw), shows the diff against the file as published, and publishes
that file (audited). Invalid input and a stale form change nothing."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lms.content.console.editor import EditRefused, text_hash
from lms.content.console.queries import plan_line
from lms.content.models import REVIEW_POLICY_LABELS, Exam, Programme
from lms.content.publishing.publish import PlanChanged
from lms.content.publishing.wording import not_reviewed_message
from lms.content.schema import Problem
from lms.extensions import db
from lms.schedule import files, forms, preview, services, writer
from lms.web import roles_required

bp = Blueprint("schedule", __name__, url_prefix="/console/schedule")
ROLES = ("trainer",)  # admin passes every role check
KINDS = {"programme": (Programme, "content.console_programme"), "exam": (Exam, "content.console_exam")}


def _open(kind: str, name: str) -> files.ScheduleFile:
    found = files.locate(kind, name)
    if found is None or not found.exists:
        abort(404)
    return found


def _load(found: files.ScheduleFile):
    try:
        return writer.load(found.text)
    except writer.Unreadable:
        return None


@bp.get("/programmes/<name>")
@roles_required(*ROLES)
def programme(name):
    found = _open("programme", name)
    doc = _load(found)
    if doc is None:
        return _unreadable(found)
    data = services.programme_form_data(doc) | {"base_hash": found.hash}
    shift = preview.published_shift(found.text, found.path)
    adopted = bool(shift) and request.args.get("adopt") == "published"
    if adopted:
        data = services.shift_dates(data, shift)
    form = services.programme_form(data=data)
    return _page(form, found, shift=shift, adopted=adopted)


@bp.post("/programmes/<name>")
@roles_required(*ROLES)
def programme_save(name):
    return _save(_open("programme", name), services.programme_form(formdata=True))


@bp.route("/new-programme", methods=["GET", "POST"])
@roles_required(*ROLES)
def new_programme():
    return _new("programme")


@bp.get("/exams/<name>")
@roles_required(*ROLES)
def exam(name):
    found = _open("exam", name)
    doc = _load(found)
    if doc is None:
        return _unreadable(found)
    form = services.exam_form(data=services.exam_form_data(doc) | {"base_hash": found.hash})
    return _page(form, found)


@bp.post("/exams/<name>")
@roles_required(*ROLES)
def exam_save(name):
    return _save(_open("exam", name), services.exam_form(formdata=True))


@bp.route("/new-exam", methods=["GET", "POST"])
@roles_required(*ROLES)
def new_exam():
    return _new("exam")


@bp.get("/files/<kind>/<slug>")
@roles_required(*ROLES)
def open_by_id(kind, slug):
    """From the console's programme or exam page: the file that holds it."""
    if kind not in files.FOLDERS:
        abort(404)
    found = files.file_of(kind, slug)
    if found is None:
        abort(404)
    return redirect(url_for(f"schedule.{kind}", name=found.name))


# --- the form's life -----------------------------------------------------------------

def _new(kind: str):
    make = services.programme_form if kind == "programme" else services.exam_form
    if not _posted():
        data = {"weeks": [{"order": 1}]} if kind == "programme" else {
            "time_limit": 30, "pass_mark": 80, "cooldown": 0, "shuffle_options": True, "draw": [{"order": 1}]}
        return _page(make(data=data | {"base_hash": ""}), None, kind=kind)
    form = make(formdata=True)
    slug = (form.id.data or "").strip()
    found = None
    if form.id.validate(form) and slug:
        found = files.locate(kind, slug)
        model = KINDS[kind][0]
        taken = (found is None or found.exists or slug in files.ids_in_files(kind)
                 or db.session.scalar(select(model.id).where(model.slug == slug)) is not None)
        if taken:
            form.id.errors = [*form.id.errors, _("This id is taken: choose another.")]
            found = None
    elif not slug and not (form.action.data or "").startswith("add-"):
        form.id.errors = [*form.id.errors, _("A new file needs its id.")]
    if found is None:
        if (form.action.data or "").startswith("add-"):
            services.add_row(form, _rows_name(form.action.data))
            return _page(form, None, kind=kind)
        # Every field's problem at once: the trainer who left the id empty
        # learnt of a Tuesday start only after correcting the id.
        id_errors = list(form.id.errors)
        form.validate()
        form.id.errors = list(dict.fromkeys([*form.id.errors, *id_errors]))
        return _page(form, None, kind=kind, status=422, refusal=_("Nothing was changed: correct the marked fields."))
    return _save(found, form)


def _posted() -> bool:
    return request.method == "POST"


def _rows_name(action: str) -> str:
    return {"add-week": "weeks", "add-bulletin": "bulletins", "add-rule": "draw"}.get(action, "weeks")


def _save(found: files.ScheduleFile, form):
    action = form.action.data or "review"
    if action.startswith("add-"):
        services.add_row(form, _rows_name(action))
        return _page(form, found)
    if not form.validate():
        return _page(form, found, status=422, refusal=_("Nothing was changed: correct the marked fields."))
    values = services.programme_values(form, found.text) if found.kind == "programme" else services.exam_values(form)
    if found.kind == "programme":
        values.values["removed"] = services.removed_items(
            values.values["id"] or services.programme_slug(found.text, found.path, found.name))
    try:
        text = (writer.write_programme if found.kind == "programme" else writer.write_exam)(found.text, values.values)
    except writer.Unreadable:
        return _unreadable(found)
    stale = found.hash != (form.base_hash.data or "")
    if action == "publish" and not stale:
        if not form.reviewed_plan.data:
            # A page opened before the fingerprint existed, or a request made by hand: shown, never published unseen.
            return _reviewed(form, found, text, values, status=409, refusal=not_reviewed_message())
        if text_hash(text) != (form.reviewed_hash.data or ""):
            return _reviewed(form, found, text, values, status=409,
                             refusal=_("The form changed after the review: check the changes again, then publish."))
        try:
            result = files.publish_file(found, text, form.base_hash.data or "", current_user._get_current_object(),
                                        reviewed=form.reviewed_plan.data or None)
        except PlanChanged:
            return _reviewed(form, found, text, values, status=409, refusal=_(
                "What publishing changes is no longer what you reviewed: the published content changed since. "
                "Nothing was published. Check the changes below, then publish."))
        except EditRefused as refused:
            return _reviewed(form, found, text, values, status=422 if refused.problems else 409,
                             refusal=refused.message)
        flash(_("Published %(path)s: %(summary)s", path=found.path, summary=plan_line(result) or _("no changes")),
              "success")
        slug = writer.load(text).get("id") or found.name
        return redirect(url_for(KINDS[found.kind][1], slug=slug))
    refusal = _("%(path)s was changed by someone else since you opened it. "
                "Copy your text, reload the editor and apply your changes again.", path=found.path) if stale else None
    return _reviewed(form, found, text, values, status=409 if stale else 200, refusal=refusal)


def _reviewed(form, found, text, values, *, status=200, refusal=None):
    """The form with its review: each problem once (at its form field, or in
    the review's list when no field holds it; with file:line), the preview,
    what publishing changes and the diff of the file."""
    review = files.review(found, text)
    named, at_fields = [], 0
    for problem in review.problems:
        field, row = (None, None)
        if problem.source.path == found.path:
            field, row = services.field_for_line(text, found.path, problem.source.line, form, values.rows)
        if field is None and row is not None:  # a problem of the whole week: under its title (or a rule's count)
            field = getattr(values.rows[row[0]][row[1]].form, "title", None) or values.rows[row[0]][row[1]].form.count
        words = services.in_form_words(problem.message, *([values.rows[row[0]][row[1]].form] if row else []), form)
        if field is not None:
            # Said once, at the field the trainer corrects (in its row: the week is plain), with its file:line.
            field.errors = [*(field.errors or []), Markup("<code>{}</code> {}").format(problem.source, words)]
            at_fields += 1
        else:
            named.append(Problem(problem.source, words))
    form.reviewed_hash.data = text_hash(text) if not review.problems else ""
    form.reviewed_plan.data = review.plan.fingerprint if review.plan is not None else ""
    shown = preview.calendar(text, found.path) if found.kind == "programme" else preview.exam_preview(text, found.path)
    return _page(form, found, review=review, named=named, at_fields=at_fields, shown=shown,
                 status=status if not review.problems else max(status, 422), refusal=refusal)


def _page(form, found, *, kind=None, review=None, named=(), at_fields=0, shown=None, status=200, refusal=None,
          shift=None, adopted=False):
    kind = found.kind if found is not None else kind
    template = "schedule/programme_form.html" if kind == "programme" else "schedule/exam_form.html"
    if found is not None and found.exists:
        action = url_for(f"schedule.{kind}_save", name=found.name)
    else:
        action = url_for(f"schedule.new_{kind}")
    return render_template(template, form=form, file=found, action=action, review=review,
                           refused_fields=services.refused_fields(form) if refusal and not review else [],
                           named=list(named), at_fields=at_fields, shown=shown, refusal=refusal, is_new=not (found and found.exists),
                           REVIEW_POLICY_LABELS=REVIEW_POLICY_LABELS, SCORING_LABELS=forms.SCORING_LABELS,
                           LAYOUT_LABELS=forms.LAYOUT_LABELS, shift=shift, adopted=adopted,
                           has_exams=kind != "programme" or bool(services.exam_choices())), \
        status


def _unreadable(found):
    flash(_("%(path)s is not YAML the form can read: fix it in the file first (flask content check names the line).",
            path=found.path), "error")
    return redirect(url_for("content.console_home"))
