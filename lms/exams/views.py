"""The learner's exam pages: intro, the exam itself (autosave per answer,
flags, focus reports), the review before submit, submit, the result.

Views stay thin: load the attempt *and* check it is the learner's (404
otherwise) in one place, let the services apply the rules, choose page or
fragment. Nothing here shows a key, a correctness flag or an explanation
before the attempt is finalised: the exam page renders questions through
``QuestionType.render(review=False)``, which only passes public data on.
"""
from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lms import clock
from lms.auth import session_check
from lms.content.models import Exam, ProgrammeItem, QuestionVersion
from lms.content.rendering import render_inline, render_markdown
from lms.content.source.links import course_link_resolver
from lms import questions as question_types
from lms.exams import (
    after_result,
    answers as exam_answers,
    attempts as exam_attempts,
    disclosure,
    errors as exam_errors,
    regrade as exam_regrade,
    results as exam_results,
    retakes as exam_retakes,
)
from lms.exams.forms import AnswerForm, FlagForm, FocusForm, PageForm, StartForm, SubmitForm
from lms.exams.models import Attempt, AttemptItem
from lms.exams.navigator import navigator_oob
from lms.extensions import db, limiter, not_rate_limited, signed_in_user_or_address
from lms.form_limits import large_form
from lms.forms import EmptyForm
from lms.questions.fill import stem_summary
from lms.web import is_htmx, render_fragment, roles_required

bp = Blueprint("exams", __name__)


def inline_md_filter(text, course_slug: str | None = None):
    """An option's markdown; ``course_slug``: its question's course, whose
    images its relative links show (``render_inline``)."""
    return render_inline(text or "", course_slug)


def stem_summary_filter(stem_md, limit: int = 80):
    """A stem on one line for lists, blanks shown as （1） (``fill.stem_summary``)."""

    return stem_summary(stem_md, limit)


def md_filter(text, course_slug: str | None = None):
    return render_markdown(text or "", course_link_resolver(course_slug) if course_slug else None)


# --- loading with access checks --------------------------------------------

def get_exam(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404)
    return exam


def get_attempt(attempt_id: int) -> Attempt:
    """The signed-in learner's attempt, finalised first if its time ran out
    while nobody was looking; anybody else's → 404."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return exam_attempts.expire_if_due(attempt)


def get_item(attempt: Attempt, item_id: int) -> AttemptItem:
    item = db.session.get(AttemptItem, item_id)
    if item is None or item.attempt_id != attempt.id:
        abort(404)
    return item


def field_name(item: AttemptItem) -> str:
    return f"a-{item.id}"


def render_question(item: AttemptItem, *, review: bool, with_autosave: bool = True, own: bool = True):
    """One question: the widget (public data only) or, after finalising, the
    review; ``own`` False when someone other than the learner reads it."""
    version = item.question_version
    qtype = question_types.get(version.type)
    return qtype.render(
        name=field_name(item), data=version.data, answer=item.answer, order=item.option_order,
        stem_html=version.stem_html or render_markdown(version.stem_md), review=review,
        explanation_html=version.explanation_html if review else "", grade=item.grade if review else None,
        points=item.points, course_slug=version.course_slug,
        autosave_url=url_for("exams.autosave", attempt_id=item.attempt_id, item_id=item.id) if with_autosave else None,
        saved_target=f"#saved-{item.id}", values=None if review else exam_answers.option_values(item.attempt),
        own=own,
    )


def review_of(items, held: dict[int, str] | None = None, *, own: bool = True) -> dict[int, Markup]:
    """The review of each item (item id → HTML): the answer with the key and
    the explanation; for an item in ``held`` (another exam still protects its
    key: ``shared_keys.held_back_items``) only the answer as it was given, read
    only — the question as the exam page showed it, without key or explanation.
    ``own`` False: a mentor or HR reads it, and the answer is the learner's, not theirs."""
    held = held or {}
    return {item.id: Markup('<fieldset class="answer-only" disabled>%s</fieldset>')
            % render_question(item, review=False, with_autosave=False, own=own) if item.id in held
            else render_question(item, review=True, with_autosave=False, own=own) for item in items}


def read_only_attempt(viewer, person, attempt_id: int) -> dict:
    """What a page showing ``person``'s attempt to someone else (their mentor, HR) renders:
    a finished attempt of that person's only (404 otherwise), with the review ``viewer`` may see."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != person.id or attempt.state == "open":
        abort(404)
    shown = disclosure.review_for(viewer, attempt)
    items = list(attempt.items)
    reviews = review_of(items, shown.held, own=False) if shown.shown else {}
    return dict(person=person, attempt=attempt, exam=attempt.exam, items=items, show_review=shown.shown,
                reviews=reviews, held=shown.held, withheld=shown.withheld, outcomes=shown.outcomes)


def needs_calculator(version: QuestionVersion) -> bool:
    """Calculation questions get the built-in calculator (the type decides)."""
    return question_types.get(version.type).needs_calculator(version.data)


def is_answered(item: AttemptItem) -> bool:
    return question_types.get(item.question_version.type).is_answered(item.answer)


def _time_up(attempt: Attempt, item: AttemptItem | None = None, message: str | None = None):
    """409: the time is up (or the attempt closed elsewhere); the learner is
    told so and pointed to the result."""
    if message is None:  # what ended it: the clock, or a submit (another tab, the integrity limit)
        message = (_("Time is up. Your answers saved before the deadline were submitted.")
                   if attempt.end_reason in (None, "timeout") else str(exam_errors.AttemptClosed(attempt)))
    if is_htmx():
        html = render_template("exams/_time_up.html", attempt=attempt, item=item, message=message)
        return html, 409, {"Vary": "HX-Request"}
    return render_template("exams/time_up.html", attempt=attempt, message=message), 409


def _rejected(attempt: Attempt, item: AttemptItem | None, err: exam_errors.AnswerRefused):
    """422: this answer was refused (nothing saved); the exam goes on."""
    if is_htmx():
        return render_template("exams/_rejected.html", item=item, message=str(err)), 422, {"Vary": "HX-Request"}
    flash(str(err), "error")
    return redirect(url_for("exams.attempt_page", attempt_id=attempt.id)), 303


def _closed(attempt: Attempt, item: AttemptItem | None, err: exam_errors.ExamError):
    return _time_up(attempt, item, str(err))


# --- intro and start --------------------------------------------------------

@bp.get("/exams/<int:exam_id>")
@roles_required("learner")
def intro(exam_id: int):
    exam = get_exam(exam_id)
    user = current_user._get_current_object()
    for attempt in exam_results.attempts_of(user, exam):
        exam_attempts.expire_if_due(attempt)
    return _intro_page(exam, user, exam_retakes.eligibility(user, exam))


def _intro_page(exam: Exam, user, verdict: exam_retakes.Eligibility):
    """The exam's page. 403 when the exam is not the learner's to take (not in
    a programme with it, or its week has not opened), with the reason and no
    start button: the exam's existence is no secret (programme pages list it),
    but who may take it, and from when, is the answer the learner needs."""
    item_id = request.args.get("item", type=int)
    html = render_template(
        "exams/intro.html", exam=exam, attempts=exam_results.attempts_of(user, exam), verdict=verdict,
        result=exam_results.exam_result(user, exam), form=StartForm(item=item_id),
        question_count=_planned_count(exam),
    )
    return html, 403 if verdict.forbidden else 200


def _planned_count(exam: Exam) -> int:
    return sum(len(rule["questions"]) if "questions" in rule else int(rule.get("count", 0)) for rule in exam.draw)


@bp.post("/exams/<int:exam_id>/start")
@roles_required("learner")
def start(exam_id: int):
    exam = get_exam(exam_id)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    item = None
    if form.item.data:
        item = db.session.get(ProgrammeItem, form.item.data)
        if item is None or item.exam_id != exam.id:
            item = None
    user = current_user._get_current_object()
    try:
        attempt = exam_attempts.start_attempt(user, exam, programme_item=item)
    except exam_errors.ExamForbidden:
        return _intro_page(exam, user, exam_retakes.eligibility(user, exam))
    except exam_errors.ExamError as err:
        flash(str(err), "error")
        return redirect(url_for("exams.intro", exam_id=exam.id))
    return redirect(url_for("exams.attempt_page", attempt_id=attempt.id))


# --- the exam page ------------------------------------------------------------

def versions_of(items) -> list[QuestionVersion]:
    """Every item's question version in one query (their tags in one more),
    not two queries per question as each item's version is first touched.
    Keep the list while the items are read: the session holds its objects
    weakly, and ``item.question_version`` finds them there."""
    return db.session.scalars(select(QuestionVersion).where(
        QuestionVersion.id.in_({i.question_version_id for i in items}))).all()


def _page_context(attempt: Attempt, position: int | None = None) -> dict:
    items = list(attempt.items)
    versions = versions_of(items)  # noqa: F841 - held while read
    layout = attempt.exam.layout
    if layout == "per_question":
        position = min(max(position or 1, 1), len(items))
        shown = [items[position - 1]]
    else:
        position = None
        shown = items
    return {
        "attempt": attempt, "exam": attempt.exam, "items": items, "shown": shown, "position": position,
        "layout": layout, "widgets": {i.id: render_question(i, review=False) for i in shown},
        "answered": {i.id for i in items if is_answered(i)}, "flagged": {i.id for i in items if i.flagged},
        "calculator": {i.id for i in shown if needs_calculator(i.question_version)},
        "now": clock.now(), "form": EmptyForm(),
        "remaining_minutes": max(int((attempt.deadline - clock.now()).total_seconds() // 60), 0),
    }


@bp.get("/attempts/<int:attempt_id>")
@roles_required("learner")
def attempt_page(attempt_id: int):
    attempt = get_attempt(attempt_id)
    if attempt.state != "open":
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    return render_template("exams/take.html", **_page_context(attempt, request.args.get("q", type=int)))


@bp.post("/attempts/<int:attempt_id>/items/<int:item_id>")
@not_rate_limited  # an autosave per answer change; each is one conditional UPDATE of the learner's own row
@roles_required("learner")
def autosave(attempt_id: int, item_id: int):
    """One answer as it changes (htmx): "saved at HH:MM:SS", sent once the
    answer is committed, with the navigator when the question's answered
    state changed. Without JavaScript, back to the exam page."""
    now = clock.now()
    # CSRFProtect checked this POST before the view; the form only hands the answers over
    # (without making a CSRF token of its own for a field no page will show).
    answers = AnswerForm(meta={"csrf": False}).answers
    try:
        saved = exam_answers.autosave(
            current_user, attempt_id, item_id,
            lambda qtype, data, field, values: qtype.answer_from_form(data, answers, field, values), now)
    except exam_errors.NotYourItem:
        abort(404)
    except exam_errors.ExamError as err:
        attempt = get_attempt(attempt_id)
        item = get_item(attempt, item_id)
        if isinstance(err, exam_errors.AnswerRefused):  # too long, or a choice the page never offered
            return _rejected(attempt, item, err)
        return _time_up(attempt, item, str(err))  # finalised: out of time, or submitted in another tab
    if not is_htmx():
        return redirect(url_for("exams.attempt_page", attempt_id=attempt_id))
    fragment = SimpleNamespace(id=item_id, saved_at=now)
    if saved.answered == saved.was_answered:  # still typing: the navigator has not changed
        html = render_fragment("exams/_saved.html", item=fragment)
    else:
        html = navigator_oob(attempt_id, SimpleNamespace(id=item_id, position=saved.position),
                             "exams/_saved.html", answered=saved.answered, item=fragment)
    return html, 200, {"Vary": "HX-Request"}



@bp.post("/attempts/<int:attempt_id>/save")
@large_form  # every answer on the page, essays too (lms/form_limits.py)
@roles_required("learner")
def save_all(attempt_id: int):
    """Without JavaScript: the whole form at once, then on to where the
    learner asked (next/previous question, the review, or submit at time-out)."""
    sign_in = session_check.for_this_request()  # as the request was signed in, before any save commits
    attempt = get_attempt(attempt_id)
    form = PageForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt.state != "open":
        return _time_up(attempt)
    by_id = {item.id: item for item in attempt.items}
    shown = [by_id[i] for i in form.shown_ids() if i in by_id]
    try:
        answers = {item.id: exam_answers.answer_from_form(attempt, item, form.answers, field_name(item)) for item in shown}
        exam_answers.save_answers(attempt, answers, clock.now())
        for item in shown:
            flagged = form.flagged(item.id)
            if flagged != item.flagged:
                exam_attempts.set_flag(attempt, item, flagged)
    except exam_errors.AnswerRefused as err:
        return _rejected(attempt, None, err)
    except exam_errors.ExamError as err:
        return _closed(attempt, None, err)
    go = form.go.data or ""
    if go == "review":
        return redirect(url_for("exams.review", attempt_id=attempt.id))
    if go == "submit":  # the countdown reached zero in the browser
        return _do_submit(attempt, sign_in)
    if go.isdecimal() and len(go) <= 9:  # a question's number (², ፩ are digits to isdigit, not to int)
        return redirect(url_for("exams.attempt_page", attempt_id=attempt.id, q=int(go)))
    flash(_("Your answers were saved."), "success")
    return redirect(url_for("exams.attempt_page", attempt_id=attempt.id))


@bp.post("/attempts/<int:attempt_id>/flag/<int:item_id>")
@roles_required("learner")
def flag(attempt_id: int, item_id: int):
    """Mark a question to come back to (the checkbox ``flag-<item id>``)."""
    attempt = get_attempt(attempt_id)
    item = get_item(attempt, item_id)
    if attempt.state != "open":
        return _time_up(attempt)
    form = FlagForm()
    flagged = form.flagged(item.id)
    html = None
    if is_htmx():  # rendered before the commit, sent after it (see autosave)
        html = navigator_oob(attempt.id, item, "exams/_flag.html", flagged=flagged,
                             item=SimpleNamespace(id=item.id, flagged=flagged))
    try:
        exam_attempts.set_flag(attempt, item, flagged)
    except exam_errors.ExamError as err:
        return _closed(attempt, None, err)
    if html is None:
        return redirect(url_for("exams.review", attempt_id=attempt_id)
                        if form.back.data == "review" else
                        url_for("exams.attempt_page", attempt_id=attempt_id))
    return html, 200, {"Vary": "HX-Request"}


@bp.post("/attempts/<int:attempt_id>/focus")
@roles_required("learner")
# A page hidden more than once a second for a minute is a broken or forged
# client: without a limit on the exam, every report would be one more row.
@limiter.limit("60 per minute", key_func=signed_in_user_or_address)
def focus(attempt_id: int):
    """The page reports that it was hidden; past the exam's limit the attempt
    is submitted and the browser sent to the result."""
    attempt = get_attempt(attempt_id)
    if attempt.state != "open":
        return _time_up(attempt)
    try:
        attempt = exam_attempts.report_focus_loss(attempt, FocusForm().kind.data)
    except exam_errors.ExamError as err:
        return _closed(attempt, None, err)
    result_url = url_for("exams.result", attempt_id=attempt.id)
    if attempt.state != "open":
        if not is_htmx():
            return redirect(result_url)
        return "", 200, {"HX-Redirect": result_url, "Vary": "HX-Request"}
    if not is_htmx():
        return redirect(url_for("exams.attempt_page", attempt_id=attempt.id))
    return render_template("exams/_integrity.html", attempt=attempt), 200, {"Vary": "HX-Request"}


# --- review, submit, result -----------------------------------------------------

@bp.get("/attempts/<int:attempt_id>/review")
@roles_required("learner")
def review(attempt_id: int):
    """Before submitting: which questions are unanswered or flagged."""
    attempt = get_attempt(attempt_id)
    if attempt.state != "open":
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    items = list(attempt.items)
    versions = versions_of(items)  # noqa: F841 - held while read
    return render_template("exams/review.html", attempt=attempt, exam=attempt.exam, items=items,
                           answered={i.id for i in items if is_answered(i)}, form=SubmitForm(),
                           remaining_minutes=max(int((attempt.deadline - clock.now()).total_seconds() // 60), 0),
                           now=clock.now())


@bp.post("/attempts/<int:attempt_id>/submit")
@roles_required("learner")
def submit(attempt_id: int):
    sign_in = session_check.for_this_request()
    attempt = get_attempt(attempt_id)
    if not SubmitForm().validate_on_submit():
        abort(400)
    return _do_submit(attempt, sign_in)


def _do_submit(attempt: Attempt, sign_in: session_check.SignInCheck | None):
    if attempt.state == "open":
        try:
            attempt = exam_attempts.submit(attempt, current_user._get_current_object(), sign_in=sign_in)
        except exam_errors.TimeUp as err:
            return _time_up(err.attempt)
        except session_check.SignInEnded as ended:  # the error page: the sign-in page, or "not allowed"
            flash(_("Your sign-in ended before the exam was submitted: the attempt was not submitted.")
                  if ended.signed_out else _("You no longer hold the learner role: the attempt was not submitted."),
                  "error")
            raise
    # Submitted here, in another tab or by the timer: every request ends on the same result.
    target = url_for("exams.result", attempt_id=attempt.id)
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target)


@bp.get("/attempts/<int:attempt_id>/result")
@roles_required("learner")
def result(attempt_id: int):
    attempt = get_attempt(attempt_id)
    if attempt.state == "open":
        return redirect(url_for("exams.attempt_page", attempt_id=attempt.id))
    user = current_user._get_current_object()
    items = list(attempt.items)
    versions = versions_of(items)  # noqa: F841 - held while read
    shown = disclosure.review_for(user, attempt)
    reviews = review_of(items, shown.held) if shown.shown else {}
    return render_template("exams/result.html", attempt=attempt, exam=attempt.exam, items=items,
                           show_review=shown.shown, reviews=reviews, withheld=shown.withheld, held=shown.held,
                           regrades=exam_regrade.regrades_of(attempt.id),
                           exam_result=exam_results.exam_result(user, attempt.exam),
                           attempts_taken=len(exam_results.attempts_of(user, attempt.exam)),
                           after=after_result.notes(user, attempt.exam) if attempt.state == "finalised" else [],
                           verdict=exam_retakes.eligibility(user, attempt.exam))
