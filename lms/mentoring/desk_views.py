"""The mentor's pages (the desk, an apprentice, one attempt, recording a
check-in) and the apprentice's "my mentor" page with its acknowledge button.

Every page about an apprentice loads the pairing first
(``access.pairing_as_mentor``): anyone who is not the apprentice's active
mentor — a mentor of someone else, a former mentor, HR, the apprentice —
gets 404, whatever id they put in the URL."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms import clock
from lms.exams import notebook
from lms.exams.views import read_only_attempt
from lms.extensions import db
from lms.forms import EmptyForm
from lms.mentoring import access, checkins, desk
from lms.mentoring.checkin_forms import CheckInRecordForm, CorrectionForm
from lms.mentoring.checkin_labels import FORM_LABELS
from lms.mentoring.models import Pairing, SignOff
from lms.mentoring.pairing import STATE_LABELS
from lms.programmes.record import training_record
from lms.security import background_request
from lms.web import is_htmx, render_page_or_partial, roles_required

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")


def _me():
    return current_user._get_current_object()


def _pairing(user_id: int) -> Pairing:
    pairing = access.pairing_as_mentor(_me(), user_id)
    if pairing is None:
        if access.was_mentor_of(_me(), user_id):
            # A page (a half-written check-in) opened before HR ended or reassigned the
            # pairing: still 404, nothing recorded, but saying why rather than "no such page".
            page = render_template("errors/error.html", status=404, title=_("No longer your apprentice"), message=_(
                "You are no longer this person's mentor (the pairing ended, was given to another mentor, or your "
                "mentor role was taken away), so nothing was recorded. Your desk lists your apprentices now."))
            abort(make_response(page, 404))
        abort(404)
    return pairing


@bp.get("/desk")
@roles_required("mentor")
def desk_page():
    """师傅工作台. An htmx request (the refresh button) gets the region alone."""
    past = [] if is_htmx() else access.signed_off_pairings_of(_me())
    return render_page_or_partial("mentoring/desk.html", "mentoring/_desk.html",
                                  desks=desk.desk_for(_me()), as_of=clock.now(), past=past,
                                  signoffs=signoffs_by_pairing([p.id for p in past]), states=STATE_LABELS)


def signoffs_by_pairing(pairing_ids: list[int]) -> dict[int, SignOff]:
    """{pairing id: its latest sign-off} for these pairings."""
    if not pairing_ids:
        return {}
    rows = db.session.scalars(select(SignOff).where(SignOff.pairing_id.in_(pairing_ids))
                              .order_by(SignOff.signed_at, SignOff.id))
    return {s.pairing_id: s for s in rows}


@bp.get("/desk/poll")
@roles_required("mentor")
@background_request
def desk_poll():
    """The region, asked for by the open page every two minutes: it changes
    nothing and is not the mentor's activity (an open desk alone never keeps
    a sign-in from ending after the idle minutes), like the bell's poll."""
    html = render_template("mentoring/_desk.html", desks=desk.desk_for(_me()), as_of=clock.now())
    return html, 200, {"Cache-Control": "no-store"}


@bp.get("/apprentices/<int:user_id>")
@login_required
def apprentice(user_id: int):
    if access.pairing_as_mentor(_me(), user_id) is None:
        signed = access.signed_off_pairing(_me(), user_id)
        given = signoffs_by_pairing([signed.id]).get(signed.id) if signed is not None else None
        if given is not None:
            # Their own apprentice, signed off: the page closed with the pairing, the sign-off they gave did not.
            flash(_("%(name)s was signed off on %(day)s; the apprentice's page closed with the pairing. This is the "
                    "sign-off you gave.", name=signed.apprentice.name, day=given.signed_on.isoformat()), "info")
            return redirect(url_for("mentoring_signoff.record", signoff_id=given.id))
    return _apprentice_page(_pairing(user_id))


def _apprentice_page(pairing: Pairing, correction_form: CorrectionForm | None = None, correcting: int | None = None,
                     status: int = 200):
    person = pairing.apprentice
    check_ins = checkins.check_ins_of([pairing.id])
    return render_template("mentoring/apprentice.html", pairing=pairing, person=person,
                           desk=desk.desk_of_pairing(pairing), record=training_record(person),
                           points=notebook.knowledge_points(person), notebook_counts=notebook.counts(person),
                           check_ins=check_ins, earlier_check_ins=checkins.handed_over(pairing),
                           today=clock.today(), form_labels=FORM_LABELS,
                           correctable=checkins.correctable(check_ins, _me()),
                           correction_form=correction_form or CorrectionForm(), correcting=correcting), status


@bp.post("/apprentices/<int:user_id>/check-ins/<int:check_in_id>/correction")
@login_required
def correct_check_in(user_id: int, check_in_id: int):
    """Add a correction to a check-in the mentor recorded (the check-in
    itself stays as written); only its author, within the rules of
    ``checkins.why_not_correctable`` — checked again by the service."""
    pairing = _pairing(user_id)
    check_in = checkins.authored_check_in(_me(), check_in_id)
    if check_in is None or check_in.pairing_id != pairing.id:
        abort(404)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _apprentice_page(pairing, form, check_in_id, 400)
    try:
        checkins.correct_check_in(_me(), check_in_id, form.text.data)
    except checkins.CheckInError as exc:
        form.text.errors = [*form.text.errors, *exc.errors.values()]
        return _apprentice_page(pairing, form, check_in_id, 400)
    flash(_("Correction added; the check-in shows it beside what was written."), "success")
    return redirect(url_for("mentoring.apprentice", user_id=pairing.apprentice_id) + f"#check-in-{check_in_id}")


@bp.get("/apprentices/<int:user_id>/attempts/<int:attempt_id>")
@login_required
def apprentice_attempt(user_id: int, attempt_id: int):
    """One attempt of the apprentice, read only, with exactly the review the
    apprentice may see (the exam's review policy, judged for the apprentice)."""
    person = _pairing(user_id).apprentice
    return render_template("mentoring/apprentice_attempt.html",
                           **read_only_attempt(current_user, person, attempt_id))


def _topic_choices(pairing: Pairing) -> list[str]:
    """The curriculum's knowledge points, the apprentice's weak ones first."""
    tags = checkins.curriculum_tags()
    weak = [p.tag for p in desk.weak_points([pairing.apprentice_id], limit=10)[pairing.apprentice_id]]
    return [t for t in weak if t in tags] + [t for t in tags if t not in weak]


def _render_check_in_form(pairing: Pairing, form: CheckInRecordForm, status: int = 200):
    return render_template("mentoring/check_in_new.html", pairing=pairing, person=pairing.apprentice, form=form,
                           open_actions=checkins.open_actions(pairing.id), today=clock.today()), status


@bp.route("/apprentices/<int:user_id>/check-ins/new", methods=["GET", "POST"])
@login_required
def new_check_in(user_id: int):
    pairing = _pairing(user_id)
    form = CheckInRecordForm()
    form.set_choices(_topic_choices(pairing), checkins.open_actions(pairing.id))
    if request.method == "GET":
        if form.held_on.data is None:
            form.held_on.data = clock.today()
        return _render_check_in_form(pairing, form)
    if not form.validate_on_submit():
        return _render_check_in_form(pairing, form, 400)
    rows = [(n, row) for n, row in enumerate(form.actions.entries)
            if (row.form.text.data or "").strip() or row.form.due_on.data]
    data = checkins.CheckInInput(
        held_on=form.held_on.data, form=form.form.data, topics=list(form.topics.data or []),
        notes=form.notes.data or "",
        actions=[checkins.NewAction((row.form.text.data or "").strip(), row.form.due_on.data) for _n, row in rows],
        done_action_ids=list(form.done_actions.data or []))
    try:
        checkins.record_check_in(pairing, _me(), data)
    except checkins.CheckInError as exc:
        _show_errors(form, exc.errors, [n for n, _row in rows])
        return _render_check_in_form(pairing, form, 400)
    flash(_("Check-in recorded; %(name)s has been asked to acknowledge it.", name=pairing.apprentice.name), "success")
    return redirect(url_for("mentoring.apprentice", user_id=pairing.apprentice_id) + "#check-ins")


def _show_errors(form: CheckInRecordForm, errors: dict[str, str], row_numbers: list[int]) -> None:
    """Put each of the service's messages at the field it names (an action's
    index is among the non-empty rows: map it back to the row on the page)."""
    for key, message in errors.items():
        if key.startswith("actions-"):
            _prefix, index, name = key.split("-", 2)
            row = form.actions.entries[row_numbers[int(index)]]
            getattr(row.form, name).errors = [*getattr(row.form, name).errors, message]
        elif key in form._fields:
            field = form._fields[key]
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


@bp.get("/me")
@login_required
def me():
    """我的师傅: the apprentice's mentor (and former mentors), goals,
    check-ins with their actions, acknowledge buttons."""
    user = _me()
    pairings = access.pairings_as_apprentice(user)
    return render_template("mentoring/me.html", pairings=pairings,
                           check_ins=checkins.check_ins_of([p.id for p in pairings]),
                           overdue=checkins.overdue_actions([p.id for p in pairings]),
                           today=clock.today(), form_labels=FORM_LABELS, ack_form=EmptyForm())


@bp.post("/me/check-ins/<int:check_in_id>/acknowledge")
@login_required
def acknowledge(check_in_id: int):
    user = _me()
    if checkins.own_check_in(user, check_in_id) is None:
        abort(404)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    checkins.acknowledge(user, check_in_id)
    if is_htmx():
        check_in = checkins.own_check_in(user, check_in_id)
        db.session.refresh(check_in)
        return render_template("mentoring/_check_in.html", c=check_in, viewer="apprentice", today=clock.today(),
                               form_labels=FORM_LABELS, ack_form=EmptyForm())
    flash(_("Check-in acknowledged."), "success")
    return redirect(url_for("mentoring.me") + f"#check-in-{check_in_id}")
