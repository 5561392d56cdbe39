"""The sign-off pages: the mentor's form, the record (mentor, apprentice, HR,
the apprentice's branch manager), HR's withdrawal, and the apprentice's own.

Who may open what is decided in ``_pairing_to_sign`` and ``_readable_signoff``:
an object the viewer may not see answers 404, never 403 (no guessing ids)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.certificates import signoff_review
from lms.extensions import db
from lms.mentoring import checkins
from lms.mentoring import signoff as services
from lms.mentoring.models import Pairing, PairingState, SignOff
from lms.mentoring.signoff_forms import WithdrawForm, signoff_form
from lms.org.scope import may_see_person
from lms.own_case import own_case
from lms.programmes.services import this_week
from lms.web import roles_required

bp = Blueprint("mentoring_signoff", __name__, url_prefix="/mentoring")


def _pairing_to_sign(pairing_id: int) -> Pairing:
    """The pairing, when the signed-in user is its mentor and it is not ended;
    404 for anyone else (a former mentor, a mentor of someone else)."""
    pairing = db.session.get(Pairing, pairing_id)
    if pairing is None or pairing.mentor_id != current_user.id or pairing.state == PairingState.ENDED:
        abort(404)
    return pairing


def may_read(viewer, signoff: SignOff) -> bool:
    """The apprentice; the mentor who gave it while their pairing is not ended;
    HR (and administrators); a branch manager whose branches include the apprentice."""
    if viewer.id == signoff.apprentice_id or viewer.has_role("hr"):
        return True
    if viewer.id == signoff.mentor_id and signoff.pairing.state != PairingState.ENDED:
        return True
    return "branch_manager" in viewer.roles and may_see_person(viewer, signoff.apprentice)


def _readable_signoff(signoff_id: int) -> SignOff:
    signoff = db.session.get(SignOff, signoff_id)
    if signoff is None or not may_read(current_user, signoff):
        abort(404)
    return signoff


@bp.route("/pairings/<int:pairing_id>/signoff", methods=["GET", "POST"])
@roles_required("mentor")
def sign_off(pairing_id: int):
    pairing = _pairing_to_sign(pairing_id)
    if pairing.state == PairingState.SIGNED_OFF:
        given = services.signoff_in_force(pairing.apprentice_id)
        if given is not None and given.pairing_id == pairing.id:
            return redirect(url_for(".record", signoff_id=given.id))
    dimensions = services.active_dimensions()
    form = signoff_form(dimensions)
    refusals = services.refusals(pairing, current_user)
    if not refusals and form.validate_on_submit():
        try:
            given = services.sign_off(pairing, form.scores(), form.recommendation.data, form.comment.data,
                                      current_user)
        except services.SignOffError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("%(name)s is signed off.", name=given.apprentice.name), "success")
            return redirect(url_for(".record", signoff_id=given.id))
    return render_template("mentoring/signoff_form.html", pairing=pairing, form=form, refusals=refusals,
                           dimensions=dimensions, standing=this_week(pairing.apprentice),
                           check_ins=checkins.check_ins_of([pairing.id]), open_actions=checkins.open_actions(pairing.id))


@bp.get("/signoffs/<int:signoff_id>")
@login_required
def record(signoff_id: int):
    signoff = _readable_signoff(signoff_id)
    hr = current_user.has_role("hr")
    return render_template("mentoring/signoff.html", signoff=signoff,
                           may_withdraw=signoff.in_force and hr and not own_case(current_user, signoff.apprentice_id),
                           relying=signoff_review.relying_on(signoff) if hr and not signoff.in_force else [])


@bp.route("/signoffs/<int:signoff_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(signoff_id: int):
    signoff = _readable_signoff(signoff_id)
    if not current_user.has_role("hr"):
        abort(403)
    form, status = WithdrawForm(), 200
    if signoff.in_force and form.validate_on_submit():
        try:
            services.withdraw(signoff, form.reason.data, current_user)
        except services.NotAllowed as exc:
            form.reason.errors.append(str(exc))
            status = 403
        except services.SignOffError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("The sign-off of %(name)s is withdrawn.", name=signoff.apprentice.name), "success")
            if signoff.pairing.state == PairingState.ENDED:
                flash(_("%(mentor)s can no longer mentor, so the pairing has ended; pair %(name)s with another "
                        "mentor.", mentor=signoff.mentor.name, name=signoff.apprentice.name), "warning")
            return redirect(url_for(".record", signoff_id=signoff.id))
    return render_template("mentoring/withdraw_signoff.html", signoff=signoff, form=form,
                           relying=signoff_review.relying_on(signoff) if signoff.in_force else []), status


@bp.get("/my-signoff")
@login_required
def mine():
    return render_template("mentoring/my_signoff.html", my_signoff=my_signoff_context(current_user))


# --- for other pages: the apprentice's "my mentor" page, HR's person page ------

def signoffs_of(user_id: int) -> list[SignOff]:
    """Every sign-off of the person, newest first (withdrawn ones too)."""
    return list(db.session.scalars(select(SignOff).where(SignOff.apprentice_id == user_id)
                                   .order_by(SignOff.signed_at.desc(), SignOff.id.desc())))


def my_signoff_context(user) -> dict:
    """What ``mentoring/_my_signoff.html`` shows the apprentice: the sign-off in
    force (or None) and the earlier, withdrawn ones."""
    every = signoffs_of(user.id)
    return {"in_force": next((s for s in every if s.in_force), None),
            "withdrawn": [s for s in every if not s.in_force]}


def person_section(person, viewer) -> dict:
    """HR's person page: the person's sign-offs (HR may withdraw one in force)."""
    return {"person": person, "signoffs": signoffs_of(person.id), "may_withdraw": viewer.has_role("hr")}


def signoff_action(pairing, viewer) -> dict:
    """What ``mentoring/_signoff_action.html`` offers the mentor on the
    apprentice's page: the sign-off form, the sign-off given, or nothing."""
    if pairing is None or viewer is None or pairing.mentor_id != viewer.id or pairing.state == PairingState.ENDED:
        return {"show": False}
    given = services.signoff_in_force(pairing.apprentice_id)
    if given is not None and given.pairing_id == pairing.id:
        return {"show": True, "given": given, "pairing": pairing}
    return {"show": True, "given": None, "pairing": pairing, "refusals": services.refusals(pairing, viewer)}
