"""The trainer console: read the curriculum, edit a content file in the browser,
upload a course folder. The learner's pages are in lms/content/lessons/views.py."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.content.blueprint import bp
from lms.content.console import editor, queries as console
from lms.content.console import upload as uploads
from lms.content.console.forms import (
    ConfirmUploadForm, EditForm, NewFileForm, RegradeForm, ReviewedForm, UploadForm,
)
from lms.content.publishing.publish import PlanChanged
from lms.content.publishing.wording import describe as describe_effect, not_reviewed_message, regraded_text
from lms.content.models import LAYOUT_LABELS, REVIEW_POLICY_LABELS, SCORING_LABELS
from lms.content.source import windows_names
from lms.control_characters import uploaded_file_name
from lms.exams.preview import sample_paper
from lms.form_limits import large_form
from lms.programmes.audience import rule_in_words
from lms.punctuation import sentences
from lms.web import roles_required

CONSOLE_ROLES = ("trainer",)  # admin passes every role check


def labels():
    """The console's labels and plan helpers, for every template (added by ``lms.content.setup.init_app``)."""
    return {"TRACK_LABELS": console.TRACK_LABELS, "TYPE_LABELS": console.TYPE_LABELS,
            "DIFFICULTY_LABELS": console.DIFFICULTY_LABELS, "CHANGE_LABELS": console.CHANGE_LABELS,
            "KIND_LABELS": console.KIND_LABELS, "LAYOUT_LABELS": LAYOUT_LABELS,
            "REVIEW_POLICY_LABELS": REVIEW_POLICY_LABELS, "SCORING_LABELS": SCORING_LABELS,
            "plan_rows": console.plan_rows, "plan_unchanged": console.plan_unchanged,
            "describe_effect": describe_effect,
            "course_slug_of_folder": console.course_slug_of_folder}


# --- the console: reading ---------------------------------------------------

@bp.get("/console/")
@roles_required(*CONSOLE_ROLES)
def console_home():
    return render_template("content/console/index.html", courses=console.console_courses(),
                           exams=console.exams(), programmes=console.programmes(),
                           last_release=console.last_release())


@bp.get("/console/courses/<slug>")
@roles_required(*CONSOLE_ROLES)
def console_course(slug):
    found = console.course_by_slug(slug)
    if found is None:
        abort(404)
    questions = console.course_questions(found)
    return render_template("content/console/course.html", course=found, lessons=found.lessons,
                           banks=console.banks_of(questions), files=editor.course_files(found.slug),
                           new_form=NewFileForm(formdata=None))


@bp.get("/console/questions/<slug>")
@roles_required(*CONSOLE_ROLES)
def console_question(slug):
    found = console.question_by_slug(slug)
    if found is None:
        abort(404)
    shown = [(v, console.show_version(v)) for v in reversed(found.versions)]
    return render_template("content/console/question.html", question=found, shown=shown,
                           diffs=console.version_diffs(found))


@bp.get("/console/exams")
@roles_required(*CONSOLE_ROLES)
def console_exams():
    return render_template("content/console/exams.html", exams=console.exams())


@bp.get("/console/exams/<slug>")
@roles_required(*CONSOLE_ROLES)
def console_exam(slug):
    found = console.exam_by_slug(slug)
    if found is None:
        abort(404)
    rules = [(rule, console.draw_pool_size(rule, found.course)) for rule in found.draw]
    return render_template("content/console/exam.html", exam=found, rules=rules,
                           course_titles=console.course_titles(rule.get("course") for rule, _pool in rules))


@bp.get("/console/exams/<slug>/preview")
@roles_required(*CONSOLE_ROLES)
def console_exam_preview(slug):
    """A sample paper with keys, drawn by the exam's rules; no attempt is
    created (trainers may not start exams that are not theirs to take)."""
    found = console.exam_by_slug(slug)
    if found is None:
        abort(404)
    return render_template("content/console/exam_preview.html", exam=found, paper=sample_paper(found))


@bp.get("/console/programmes")
@roles_required(*CONSOLE_ROLES)
def console_programmes():
    return render_template("content/console/programmes.html", programmes=console.programmes())


@bp.get("/console/programmes/<slug>")
@roles_required(*CONSOLE_ROLES)
def console_programme(slug):
    found = console.programme_by_slug(slug)
    if found is None:
        abort(404)
    return render_template("content/console/programme.html", programme=found,
                           rule_lines=rule_in_words(found),
                           audience_size=None if found.retired else console.audience_size(found))


@bp.get("/console/releases")
@roles_required(*CONSOLE_ROLES)
def console_releases():
    rows = console.releases()
    return render_template("content/console/releases.html", releases=rows, actors=console.release_actors(rows),
                           summary_line=console.summary_line)


# --- the console: editing a file ---------------------------------------------

def _editor_page(form, file, *, review=None, status=200, refusal=None, refused_problems=()):
    """The editor: the text, its rendering and problems (also without
    JavaScript), and after "review changes" what publishing would change."""

    text = form.text.data or ""
    shown, problems, warnings = editor.preview(file.path, text)
    reviewed_hash = editor.text_hash(editor.normalise(text)) if review else ""
    # Each fault once: the edited file's in the preview (beside the text, following it as the trainer types);
    # the review and a refusal list only what the preview cannot see (the rest of the course).
    return render_template("content/console/editor.html", form=form, file=file, review=review, refusal=refusal,
                           shown=shown, problems=problems, warnings=warnings, reviewed_hash=reviewed_hash,
                           regrade_form=RegradeForm(),
                           review_problems=_not_in(review.problems, problems) if review else [],
                           review_warnings=_not_in(review.warnings, warnings) if review else [],
                           refused_problems=_not_in(refused_problems, problems)), status


def _not_in(problems, shown) -> list:
    """``problems`` less those ``shown`` already says: the same place and words, or the same fault (an id
    written twice is said at the edited file by the preview, at either file by the course's check)."""
    said = {(str(p.source), p.message) for p in shown}
    faults = {p.fault for p in shown if p.fault}
    return [p for p in problems if (str(p.source), p.message) not in said and not (p.fault and p.fault in faults)]


@bp.get("/console/edit")
@roles_required(*CONSOLE_ROLES)
def edit():

    file = editor.open_file(request.args.get("path", ""))
    if file is None or not file.exists:
        abort(404)
    form = EditForm(formdata=None, path=file.path, base_hash=file.hash, text=file.text)
    return _editor_page(form, file)


@bp.get("/console/courses/<slug>/new")
@roles_required(*CONSOLE_ROLES)
def new_file(slug):

    if console.course_by_slug(slug) is None:
        abort(404)
    choice = NewFileForm(request.args)
    if not choice.validate():
        flash(_("Choose lesson or question bank, and a file name of lower-case letters, digits and -."), "error")
        return redirect(url_for("content.console_course", slug=slug))
    if windows_names.device_name(choice.name.data):
        flash(_("“%(name)s” is the name of a device on Windows: the content folder could not be checked out there. "
                "Choose another file name.", name=choice.name.data), "error")
        return redirect(url_for("content.console_course", slug=slug))
    file = editor.new_file(slug, choice.kind.data, choice.name.data)
    if file is None:
        abort(404)
    if file.exists:
        flash(_("%(path)s exists already: it is opened for editing.", path=file.path), "warning")
    form = EditForm(formdata=None, path=file.path, base_hash=file.hash, text=file.text)
    return _editor_page(form, file)


def _posted_edit():
    """The editor form of a preview, review or publish, and the content file
    it names (400 on a bad form, 404 on a path outside the content folder)."""
    form = EditForm()
    if not form.validate():
        abort(400)
    file = editor.open_file(form.path.data)
    if file is None:
        abort(404)
    return form, file


@bp.post("/console/preview")
@large_form  # a whole content file (lms/form_limits.py)
@roles_required(*CONSOLE_ROLES)
def preview():
    """The live preview: the sanitised rendering and the checks, as a fragment."""

    form, file = _posted_edit()
    shown, problems, warnings = editor.preview(file.path, form.text.data or "")
    return render_template("content/console/_preview.html", file=file, shown=shown, problems=problems,
                           warnings=warnings), 200


@bp.post("/console/review")
@large_form  # a whole content file (lms/form_limits.py)
@roles_required(*CONSOLE_ROLES)
def review():
    """What publishing the edit would change: per item added/changed/retired,
    a diff of the file, and every problem with its line."""

    form, file = _posted_edit()
    stale = file.hash != (form.base_hash.data or "")
    result = editor.review(file.path, form.text.data or "")
    refusal = _stale_message(file.path) if stale else None
    return _editor_page(form, file, review=result, refusal=refusal, status=409 if stale else 200)


def _stale_message(path):
    return _("%(path)s was changed by someone else since you opened it. "
             "Copy your text, reload the editor and apply your changes again.", path=path)


@bp.post("/console/publish")
@large_form  # a whole content file (lms/form_limits.py)
@roles_required(*CONSOLE_ROLES)
def publish():

    form, file = _posted_edit()
    text = form.text.data or ""
    reviewed = ReviewedForm()
    if not reviewed.reviewed_plan.data:
        # A page opened before the fingerprint existed, or a request made by hand: shown, never published unseen.
        shown = editor.review(file.path, text)
        return _editor_page(form, file, review=shown, status=422 if shown.problems else 409,
                            refusal=not_reviewed_message())
    if editor.text_hash(editor.normalise(text)) != reviewed.reviewed_hash.data or not reviewed.validate():
        # Only what the trainer reviewed is published.
        return _editor_page(form, file, review=editor.review(file.path, text), status=409,
                            refusal=_("The text changed after the review: check the changes again, then publish."))
    regrade = RegradeForm()
    if not regrade.validate():
        # Its reason goes to the audit log and the learners' notices: the rules of every form (lms.forms.Form).
        return _editor_page(form, file, review=editor.review(file.path, text), status=422,
                            refusal=sentences(str(m) for messages in regrade.errors.values() for m in messages))
    # Publish sent twice (double click): the first one already wrote this very text.
    repeated = file.hash != (form.base_hash.data or "") and file.hash == editor.text_hash(editor.normalise(text))
    try:
        result = editor.publish_edit(file.path, text, form.base_hash.data or "", current_user._get_current_object(),
                                     regrade.decision(), reviewed=reviewed.reviewed_plan.data or None)
    except PlanChanged as changed:
        # The plan of now, computed by the publish that was refused: shown, not planned a second time.
        review = editor.Review(file=file, problems=[], plan=changed.plan,
                               file_diff=console.unified_diff(file.text, editor.normalise(text), f"a/{file.path}",
                                                              f"b/{file.path}"))
        return _editor_page(form, file, review=review, status=409, refusal=_plan_changed_message())
    except editor.EditRefused as refused:
        return _editor_page(form, file, refusal=refused.message, refused_problems=refused.problems,
                            status=422 if refused.problems else 409)
    if repeated and not result.has_changes:
        flash(_("%(path)s is already published with this text (Publish was sent twice); nothing more changed.",
                path=file.path), "success")
    else:
        flash(_("Published %(path)s: %(summary)s", path=file.path, summary=_plan_line(result)), "success")
    slug = console.course_slug_of_folder(file.folder)
    return redirect(url_for("content.console_course", slug=slug) if slug else url_for("content.console_home"))


def _plan_changed_message(upload: bool = False) -> str:
    if upload:
        return _("What publishing changes is no longer what you reviewed: the published content changed since the "
                 "upload was checked. Nothing was published. Check the changes below, then publish again.")
    return _("What publishing changes is no longer what you reviewed: other files of the course or the published "
             "content changed since. Nothing was published. Check the changes below, review again, then publish.")


def _plan_line(result) -> str:
    line = console.plan_line(result) or _("no changes")
    if getattr(result, "regraded", 0):
        line = sentences([line, regraded_text(result.regraded)])
    return line


# --- the console: uploading a course ------------------------------------------

@bp.route("/console/upload", methods=["GET", "POST"])
@roles_required(*CONSOLE_ROLES)
def upload():

    form = UploadForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("content/console/upload.html", form=form, staged=None), status
    archive = form.archive.data
    staged = uploads.stage(archive.stream, uploaded_file_name(archive.filename, "upload.zip"), current_user.id)
    confirm_form = ConfirmUploadForm(formdata=None, token=staged.token)
    return render_template("content/console/upload.html", form=form, staged=staged, confirm_form=confirm_form), \
        200 if staged.ok else 422


@bp.post("/console/upload/confirm")
@roles_required(*CONSOLE_ROLES)
def confirm_upload():

    form = ConfirmUploadForm()
    if not form.validate():
        abort(400)
    try:
        course_slug, result = uploads.confirm(form.token.data, current_user._get_current_object(), form.decision())
    except uploads.ChangedSinceReview as changed:
        flash(changed.reason or (_plan_changed_message(upload=True) if changed.reviewed else not_reviewed_message()),
              "error")
        return render_template("content/console/upload.html", form=UploadForm(formdata=None), staged=changed.staged,
                               confirm_form=ConfirmUploadForm(formdata=None, token=changed.staged.token)), 409
    except editor.EditRefused as refused:
        flash(refused.message, "error")
        return render_template("content/console/upload.html", form=UploadForm(formdata=None), staged=None,
                               refused=refused), 409
    flash(_("The course was published: %(summary)s", summary=_plan_line(result)), "success")
    return redirect(url_for("content.console_course", slug=course_slug))
