"""HR renews many certificates at once (``lms.certificates.renewal``): the
expiry list's selection, or the register's (expired certificates; ticked, or
every one the filter shows), opens the confirmation, which says what will
happen to each; one POST renews, then redirects to the batch's result.

The selection and the renewal are POSTs: a selection of hundreds of ids does
not fit in an address. The first changes nothing (it reads, as a page does);
the second renews and sends the browser to ``/certificates/renew/<batch>``
(Post/Redirect/Get), read from the batch's audit event
(``renewal_batches``): a refresh or the back button renews nothing again.
Only HR (and administrators); ids outside the viewer's scope, or naming no
certificate, are left out and only counted."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms import clock, printable
from lms.certificates import queries, renewal, renewal_batches
from lms.certificates.forms import BulkRenewalForm, RenewalSelectionForm
from lms.certificates.register_views import expiring_rows, register_filter, to_renew
from lms.org import scope as org_scope
from lms.web import roles_required

bp = Blueprint("certificate_renewal", __name__, url_prefix="/certificates/renew")


def _viewer():
    return current_user._get_current_object()


def _source(value: str | None) -> str:
    return value if value in renewal_batches.SOURCES else renewal_batches.SOURCES[0]


def _chosen(form: RenewalSelectionForm, scope) -> list[int]:
    if not form.matching.data:
        return form.certificate.data or []
    if _source(form.source.data) == "register":
        flt = to_renew(register_filter(scope, form.q.data, form.branch.data, form.certification.data,
                                       form.name.data == "unprintable"))
        return [c.id for c in queries.register_rows(scope, flt)]
    return [c.id for c in expiring_rows(scope, within=form.within.data, branch_id=form.branch.data,
                                        certification_id=form.certification.data,
                                        position=form.position.data or "")]


def _confirmation(ids: list[int], form: BulkRenewalForm, status: int = 200):
    """The confirmation page: each certificate chosen, renewed or not and why; the form renews those that may be."""
    form.source.data = source = _source(form.source.data)
    form.batch.data = form.batch.data or renewal_batches.new_token()
    if not ids:
        return render_template("certificates/renew.html", plan=None, form=form, source=source, problem=_(
            "No certificate was chosen. Tick the certificates to renew, or renew every one the list shows.")), 400
    try:
        chosen = renewal.plan(ids, _viewer(), org_scope.branch_scope(_viewer()))
    except renewal.RenewalError as exc:
        return render_template("certificates/renew.html", plan=None, form=form, source=source,
                               problem=str(exc)), 400
    form.certificate.data = [i.certificate.id for i in chosen.items if i.refusal is None]
    return render_template("certificates/renew.html", plan=chosen, form=form, source=source,
                           today=clock.today()), status


@bp.post("/preview")
@roles_required("hr")
def preview():
    """What renewing the selection would do (nothing changes here)."""
    selection = RenewalSelectionForm()
    form = BulkRenewalForm(formdata=None, source=_source(selection.source.data))
    if not selection.validate_on_submit():
        problems = [str(e) for errors in selection.errors.values() for e in errors]
        return render_template("certificates/renew.html", plan=None, form=form, source=form.source.data,
                               problem=" ".join(problems)), 400
    return _confirmation(_chosen(selection, org_scope.branch_scope(_viewer())), form)


@bp.post("/")
@roles_required("hr")
def renew():
    form = BulkRenewalForm()
    if not form.validate_on_submit():
        return _confirmation(form.certificate.data or [], form, 400)
    token = form.batch.data or renewal_batches.new_token()
    try:
        renewal_batches.run(token, form.certificate.data, _viewer(), form.reason.data,
                            include_unmet=form.include_unmet.data, scope=org_scope.branch_scope(_viewer()),
                            source=_source(form.source.data))
    except renewal.RenewalError as exc:
        form.form_errors.append(str(exc))
        return _confirmation(form.certificate.data, form, 400)
    return redirect(url_for("certificate_renewal.result", batch=token), 303)


@bp.get("/<batch>")
@login_required
def result(batch: str):
    """What the batch renewed and what not, and why (the same page after a refresh). The HR officer who
    renewed and their HR colleagues open it (``renewal_batches.may_open``); for anyone else it does not
    exist (404)."""
    outcome = renewal_batches.outcome(batch)
    if outcome is None or not renewal_batches.may_open(outcome, _viewer()):
        abort(404)
    done = outcome.done
    will_not_print = {r.new.id: printable.warning_for(r.printed_name) for r in done.renewed
                      if printable.unprintable(r.printed_name)}
    return render_template("certificates/renewed.html", outcome=outcome, done=done, will_not_print=will_not_print)
