"""Trainer side of results: the essay grading queue, an attempt as a trainer
sees it, and score overrides. Thin: parse the form, call
``lms.exams.trainer_services``, choose page or partial."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lms import questions as question_types
from lms.content.models import Exam
from lms.content.rendering import render_markdown
from lms.content.source.links import course_link_resolver
from lms.exams import trainer_services as services
from lms.exams.forms import GradeForm, OverrideForm
from lms.exams.models import AttemptItem
from lms.extensions import db
from lms.org.models import User
from lms.punctuation import aside
from lms.scores import score
from lms.text_search import search_text
from lms.web import is_htmx, render_page_or_partial, roles_required

bp = Blueprint("grading", __name__, url_prefix="/grading")


# --- rendering helpers shared by the queue and the attempt page ---------------

def rubrics(item: AttemptItem) -> list[tuple[str, Markup]]:
    """The rubric(s) of an item, rendered from trainer markdown: an essay's own,
    or those of a case's essay parts (labelled by part)."""

    version = item.question_version
    qtype = question_types.get(version.type)
    resolve = course_link_resolver(version.course_slug) if version.course_slug else None
    own = qtype.rubric(version.data)
    out = [("", render_markdown(own, resolve))] if own is not None else []
    for part in qtype.parts(version.data):
        rubric = question_types.get(part["type"]).rubric(part.get("data", {}))
        if rubric is not None:
            out.append((part["id"], render_markdown(rubric, resolve)))
    return out


def review_html(item: AttemptItem) -> Markup:
    """The item with the learner's answer (labelled as theirs, not the
    trainer's) and the key, through the question type's own review template."""

    version = item.question_version
    qtype = question_types.get(version.type)
    data = version.data
    # The automatic grade kept at submission (per case part too; an open attempt
    # has none yet), with the points as they stand after grading and overrides.
    grade = dict(item.grade or question_types.grade(version.type, data, item.answer,
                                                     partial_credit=item.attempt.scored_with_partial_credit).to_dict())
    if item.awarded is not None and item.points:
        grade["fraction"] = item.awarded / item.points
    return qtype.render(name=f"item-{item.id}", data=data, answer=item.answer, order=item.option_order,
                        stem_html=version.stem_html, review=True, explanation_html=version.explanation_html,
                        grade=grade, points=item.points, course_slug=version.course_slug, own=False)


def _exam_filter() -> int | None:
    value = request.values.get("exam", type=int)
    return value or None


def _grader():
    return current_user._get_current_object()


def _refused(err: services.OwnAttempt):
    """403 with the reason: one's own attempt is graded by somebody else."""
    return render_template("errors/error.html", status=403, title=_("Not allowed"), message=err.message), 403


def _queue_context(exam_id: int | None, current=None, errors=None, values=None, notice: str = ""):
    grader = _grader()
    queue = services.grading_queue(exam_id, grader=grader)
    if current is None and queue:
        selected = request.args.get("item", type=int)
        current = next((i for i in queue if i.id == selected), None) if selected else None
        if current is None and selected:
            current = services.waiting_item(selected, grader=grader)
        current = current or queue[0]
    return {"queue": queue, "current": current, "total": services.queue_size(exam_id, grader=grader),
            "exam_id": exam_id, "exams": services.exams_with_waiting_answers(grader=grader),
            "errors": errors or {}, "values": values or {},
            "notice": notice, "rubrics": rubrics, "review_html": review_html, "MAX_COMMENT": services.MAX_COMMENT}


@bp.get("/")
@roles_required("trainer")
def queue():
    """Essay answers waiting for a trainer, across exams, oldest first."""
    return render_page_or_partial("grading/queue.html", "grading/_queue.html", **_queue_context(_exam_filter()))


@bp.post("/items/<int:item_id>")
@roles_required("trainer")
def grade(item_id: int):
    """Grade one answer; the next one is swapped in (htmx) or shown after a
    redirect (no JavaScript)."""
    exam_id = _exam_filter()
    found = db.session.get(AttemptItem, item_id)
    if found is None:
        abort(404)
    try:
        services.refuse_own(found.attempt, _grader())
    except services.OwnAttempt as err:
        return _refused(err)
    item = services.waiting_item(item_id)
    if item is None:
        return _graded_already(exam_id, item_id)
    form = GradeForm()
    try:
        _refuse_invalid(form)
        services.grade_essay(item, form.points.data, form.comment.data, _grader())
    except services.OwnAttempt as err:
        return _refused(err)
    except services.AlreadyGraded:  # graded by another trainer since the check above
        return _graded_already(exam_id, item_id)
    except services.GradingError as err:
        item = services.waiting_item(item_id)
        context = _queue_context(exam_id, current=item, errors={err.field: err.message}, values=form.data)
        return render_page_or_partial("grading/queue.html", "grading/_queue.html", **context)
    notice = _("Graded. The next answer is shown.")
    if is_htmx():
        return render_template("grading/_queue.html", **_queue_context(exam_id, notice=notice)), 200, \
            {"Vary": "HX-Request"}
    flash(_("Graded."), "success")
    return redirect(url_for("grading.queue", exam=exam_id))


def _graded_already(exam_id: int | None, item_id: int):
    """The queue as it is now, and the grader told who graded the answer (a
    colleague, or they themselves from another tab or by sending the form twice)
    and with what points: theirs are not put on the next answer's form."""
    item = db.session.get(AttemptItem, item_id)
    grader = db.session.get(User, item.grader_id) if item.grader_id else None
    points = {"points": score(item.awarded) if item.awarded is not None else "—", "max": score(item.points)}
    if grader is not None and grader.id == current_user.id:
        notice = _("You graded this answer already: %(points)s of %(max)s points.", **points)
    elif grader is not None:
        notice = _("%(name)s graded this answer already: %(points)s of %(max)s points.",
                   name=grader.name + aside(grader.employee_no), **points)
    else:
        notice = _("That answer was already graded by someone else.")
    if is_htmx():
        return render_template("grading/_queue.html", **_queue_context(exam_id, notice=notice)), 200, \
            {"Vary": "HX-Request"}
    flash(notice, "warning")
    return redirect(url_for("grading.queue", exam=exam_id))


def _refuse_invalid(form) -> None:
    """The rules every form has (lms.forms.Form: no text-direction character
    in a text field) before the service's, at the field they name."""
    if not form.validate():
        field, messages = next(iter(form.errors.items()))
        raise services.GradingError(field, str(messages[0]))


# --- an attempt, as a trainer sees it ---------------------------------------

def _detail_or_404(attempt_id: int):
    detail = services.attempt_detail(attempt_id)
    if detail is None:
        abort(404)
    return detail


@bp.get("/attempts/<int:attempt_id>")
@roles_required("trainer")
def attempt(attempt_id: int):
    """Every item with the answer, the key and the points; integrity events;
    a form per item to override its points (with a reason). Not one's own
    attempt: its key would bypass the exam's review policy."""
    detail = _detail_or_404(attempt_id)
    try:
        services.refuse_own(detail.attempt, _grader())
    except services.OwnAttempt as err:
        return _refused(err)
    return render_template("grading/attempt.html", detail=detail, review_html=review_html, rubrics=rubrics,
                           points_seen=services.points_seen,
                           errors={}, values={}, error_item=None)


@bp.post("/attempts/<int:attempt_id>/items/<int:item_id>/override")
@roles_required("trainer")
def override(attempt_id: int, item_id: int):
    item = db.session.get(AttemptItem, item_id)
    if item is None or item.attempt_id != attempt_id:
        abort(404)
    form = OverrideForm()
    try:
        _refuse_invalid(form)
        services.override_score(item, form.points.data, form.reason.data, _grader(), seen=form.seen.data)
    except services.OwnAttempt as err:
        return _refused(err)
    except services.GradingError as err:
        detail = _detail_or_404(attempt_id)
        context = {"detail": detail, "review_html": review_html, "rubrics": rubrics,
                   "points_seen": services.points_seen, "errors": {err.field: err.message}, "values": form.data,
                   "error_item": item_id}
        if is_htmx():
            item = next(i for i in detail.items if i.id == item_id)
            return render_template("grading/_override_form.html", item=item, **context), 200, {"Vary": "HX-Request"}
        return render_template("grading/attempt.html", **context), 200
    flash(_("The points were changed and the result recomputed."), "success")
    if is_htmx():
        # The whole page changes (the item, the total, maybe the pass): reload it.
        return "", 200, {"HX-Redirect": url_for("grading.attempt", attempt_id=attempt_id, _anchor=f"item-{item_id}")}
    return redirect(url_for("grading.attempt", attempt_id=attempt_id, _anchor=f"item-{item_id}"))


@bp.get("/exams/<int:exam_id>/attempts")
@roles_required("trainer")
def exam_attempts(exam_id: int):
    """An exam's attempts, searchable by learner, each linking to its detail."""
    exam = db.session.get(Exam, exam_id) or abort(404)
    q = search_text()
    page = max(request.args.get("page", 1, type=int), 1)
    attempts, has_next = services.exam_attempts(exam.id, q, page)
    return render_page_or_partial("grading/attempts.html", "grading/_attempt_rows.html",
                                  exam=exam, attempts=attempts, q=q, page=page, has_next=has_next)
