"""错题本 for learners: their own wrong answers, grouped by knowledge point, and
practice one question at a time. Every entry is loaded through
``notebook.entry_for`` (another learner's entry is a 404)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import questions as question_types
from lms.exams import notebook
from lms.exams.forms import AnswerForm
from lms.extensions import db
from lms.web import is_htmx, render_page_or_partial, roles_required

bp = Blueprint("notebook", __name__, url_prefix="/notebook")
# The last practice answer, kept across the redirect after a form post
# (without JavaScript) so that the feedback shows once on the next GET.
FEEDBACK_KEY = "notebook_feedback"


def _tag_arg() -> str | None:
    tag = request.values.get("tag")
    return None if tag is None else tag[:80]


def _own_entry(entry_id: int):
    entry = notebook.entry_for(current_user, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.get("/")
@roles_required("learner")
def index():
    """The learner's wrong answers, by knowledge point, with counts; an entry
    whose exam keeps the key back says when it may be practised instead of
    offering practice."""
    tag = _tag_arg()
    to_practise, cleared = notebook.counts(current_user)
    rows = notebook.entries(current_user, tag, include_cleared=request.args.get("cleared") == "1")
    # One judgement of what is withheld for the rows and the open entries together
    # (it reads every exam the learner can still sit): the same answer per question.
    open_ids = notebook.open_question_ids(current_user) if to_practise else []
    withheld = notebook.withheld(current_user, list({entry.question_id for entry, _version in rows} | set(open_ids)))
    return render_page_or_partial(
        "notebook/index.html", "notebook/_entries.html",
        points=notebook.knowledge_points(current_user), tag=tag, rows=rows,
        retired=notebook.retired_questions(entry.question_id for entry, _version in rows),
        withheld=withheld, show_cleared=request.args.get("cleared") == "1", to_practise=to_practise,
        cleared=cleared, waiting=notebook.waiting(current_user, open_ids, withheld) if to_practise else 0,
        in_grading=notebook.awaiting_grading(current_user))


@bp.get("/practice")
@roles_required("learner")
def practice_next():
    """Start (or continue) practice: the next open entry that may be
    practised, of one knowledge point if ``tag`` is given."""
    tag = _tag_arg()
    entry = notebook.next_entry(current_user, tag, after_id=request.args.get("after", type=int))
    if entry is None:
        left = [e.question_id for e, _v in notebook.entries(current_user, tag, live_only=True)]
        if notebook.withheld(current_user, left):  # open entries are left, but their exams keep the key back
            flash(_("The questions left here can be practised once their exams show the answers: "
                    "each one below says when."), "warning")
            return redirect(url_for("notebook.index", tag=tag))
        flash(_("Nothing left to practise here. Well done!"), "success")
        return redirect(url_for("notebook.index"))
    return redirect(url_for("notebook.practice", entry_id=entry.id, tag=tag))


def _question_html(entry, version, answer=None, review=False, grade=None):

    qtype = question_types.get(version.type)
    return qtype.render(name="answer", data=version.data, answer=answer, order=None, stem_html=version.stem_html,
                        review=review, explanation_html=version.explanation_html if review else "",
                        grade=grade if review else None, points=version.points,
                        course_slug=version.course_slug)


def _practice_context(entry, feedback: dict | None, practised=None):
    """``practised``: the ``PracticeResult`` of the answer just graded; the
    service has judged the entry open to practice inside its transaction, so
    the page does not ask the rules (a dozen statements) a second time."""
    if practised is not None:
        version, withheld, retired, in_exam = practised.version, None, False, None
    else:
        version = notebook.practice_version(entry)
        withheld = notebook.withheld_for(current_user, entry)
        retired = notebook.is_retired(entry)
        in_exam = notebook.open_exam_with(current_user, entry.question_id)
    if withheld is not None or (retired and in_exam is not None):
        # practice refused: no question to answer, no feedback, no key
        html, feedback = "", None
    elif retired:  # history: the question as last published, with its key; nothing to answer
        html, feedback = _question_html(entry, version, review=True), None
    elif feedback is not None:
        html = _question_html(entry, version, feedback["answer"], review=True, grade=feedback["grade"])
    else:
        html = _question_html(entry, version)
    return {"entry": entry, "version": version, "question_html": html, "feedback": feedback, "tag": _tag_arg(),
            "remaining": notebook.counts(current_user)[0], "withheld": withheld, "retired": retired,
            "in_exam": in_exam}


def _refused(entry):
    """Practice refused (an exam open with the question, or its key withheld):
    the card that says why (htmx), or the practice page, which says it too."""
    if is_htmx():
        return render_template("notebook/_practice_card.html", **_practice_context(entry, None)), 200, \
            {"Vary": "HX-Request"}
    return redirect(url_for("notebook.practice", entry_id=entry.id, tag=_tag_arg()))


@bp.get("/practice/<int:entry_id>")
@roles_required("learner")
def practice(entry_id: int):
    """One question, current version, no key until it is answered."""
    entry = _own_entry(entry_id)
    feedback = session.get(FEEDBACK_KEY)
    if feedback and feedback.get("entry_id") == entry.id:
        session.pop(FEEDBACK_KEY, None)
    else:
        feedback = None
    return render_template("notebook/practice.html", **_practice_context(entry, feedback))


@bp.post("/practice/<int:entry_id>")
@roles_required("learner")
def answer(entry_id: int):
    """Grade the practice answer on the spot; the feedback (key and
    explanation) replaces the question."""

    entry = _own_entry(entry_id)
    version = notebook.practice_version(entry)
    given = question_types.get(version.type).answer_from_form(version.data, AnswerForm().answers, "answer")
    # ``practise`` refuses an entry that is retired (no longer asked), in an exam
    # open in another tab (grading would say which answer to give there) or whose
    # exam keeps the key back ("right" to one of A, B, C would give it away); an
    # empty answer is asked here first, so that a refused entry says why, not
    # "answer first".
    if given is None and (notebook.is_retired(entry)
                          or notebook.open_exam_with(current_user, entry.question_id) is not None
                          or notebook.withheld_for(current_user, entry) is not None):
        return _refused(entry)
    if given is None:
        if is_htmx():
            context = _practice_context(entry, None)
            context["error"] = _("Answer the question first.")
            return render_template("notebook/_practice_card.html", **context), 200, {"Vary": "HX-Request"}
        flash(_("Answer the question first."), "error")
        return redirect(url_for("notebook.practice", entry_id=entry.id, tag=_tag_arg()))
    try:
        result = notebook.practise(current_user, entry, given)
    except (notebook.QuestionInExam, notebook.PracticeWithheld, notebook.QuestionRetired):
        return _refused(entry)
    feedback = {"entry_id": entry.id, "answer": given, "grade": result.grade,
                "fraction": result.fraction, "correct": result.correct, "cleared": result.cleared}
    if is_htmx():
        return render_template("notebook/_practice_card.html", **_practice_context(entry, feedback, result)), 200, \
            {"Vary": "HX-Request"}
    session[FEEDBACK_KEY] = feedback
    return redirect(url_for("notebook.practice", entry_id=entry.id, tag=_tag_arg()))


@bp.post("/entries/<int:entry_id>/reviewed")
@roles_required("learner")
def reviewed(entry_id: int):
    """Clear an entry by hand (essays, which are not graded on the spot)."""
    entry = _own_entry(entry_id)
    try:
        notebook.mark_reviewed(current_user, entry)
    except (notebook.PracticeWithheld, notebook.QuestionRetired):  # the practice page says why
        return redirect(url_for("notebook.practice", entry_id=entry.id, tag=_tag_arg()))
    flash(_("Removed from your notebook."), "success")
    return redirect(url_for("notebook.practice_next", tag=_tag_arg(), after=entry.id))
