"""HR renews many certificates at once (``lms.certificates.renewal``): the
expiry list's selection (ticked, or every certificate its filter shows) opens
the confirmation, which says what will happen to each; one POST renews.

Both steps are POSTs: a selection of hundreds of ids does not fit in an
address. The first changes nothing (it reads, as a page does); the second
renews and shows what it did, each certificate renewed or named with why not.
Only HR (and administrators); ids outside the viewer's scope, or naming no
certificate, are left out and only counted."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock, printable
from lms.certificates import renewal
from lms.certificates.forms import BulkRenewalForm, RenewalSelectionForm
from lms.certificates.register_views import expiring_rows
from lms.org import scope as org_scope
from lms.web import roles_required

bp = Blueprint("certificate_renewal", __name__, url_prefix="/certificates/renew")


def _viewer():
    return current_user._get_current_object()


def _chosen(form: RenewalSelectionForm, scope) -> list[int]:
    if not form.matching.data:
        return form.certificate.data or []
    return [c.id for c in expiring_rows(scope, within=form.within.data, branch_id=form.branch.data,
                                        certification_id=form.certification.data,
                                        position=form.position.data or "")]


def _confirmation(ids: list[int], form: BulkRenewalForm, status: int = 200):
    """The confirmation page: each certificate chosen, renewed or not and why; the form renews those that may be."""
    if not ids:
        return render_template("certificates/renew.html", plan=None, form=form, problem=_(
            "No certificate was chosen. Tick the certificates to renew on the expiry list, or renew every one it "
            "shows.")), 400
    try:
        chosen = renewal.plan(ids, _viewer(), org_scope.branch_scope(_viewer()))
    except renewal.RenewalError as exc:
        return render_template("certificates/renew.html", plan=None, form=form, problem=str(exc)), 400
    form.certificate.data = [i.certificate.id for i in chosen.items if i.refusal is None]
    return render_template("certificates/renew.html", plan=chosen, form=form, today=clock.today()), status


@bp.post("/preview")
@roles_required("hr")
def preview():
    """What renewing the selection would do (nothing changes here)."""
    selection = RenewalSelectionForm()
    if not selection.validate_on_submit():
        problems = [str(e) for errors in selection.errors.values() for e in errors]
        return render_template("certificates/renew.html", plan=None, form=BulkRenewalForm(formdata=None),
                               problem=" ".join(problems)), 400
    return _confirmation(_chosen(selection, org_scope.branch_scope(_viewer())), BulkRenewalForm(formdata=None))


@bp.post("/")
@roles_required("hr")
def renew():
    form = BulkRenewalForm()
    if not form.validate_on_submit():
        return _confirmation(form.certificate.data or [], form, 400)
    try:
        done = renewal.renew(form.certificate.data, _viewer(), form.reason.data,
                             include_unmet=form.include_unmet.data, scope=org_scope.branch_scope(_viewer()))
    except renewal.RenewalError as exc:
        form.form_errors.append(str(exc))
        return _confirmation(form.certificate.data, form, 400)
    will_not_print = {r.new.id: printable.warning_for(r.printed_name) for r in done.renewed
                      if printable.unprintable(r.printed_name)}
    return render_template("certificates/renewed.html", done=done, will_not_print=will_not_print)
