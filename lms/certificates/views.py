"""Certificate pages: 我的证书 (every signed-in person, their own), HR's
register, expiry lists, a certificate's detail with the revoke form, the
manual issue form, and the PDF download.

Who sees what: HR and administrators the whole bank; a branch manager reads
the certificates of their branches' people (a certificate outside them is
404); only HR and administrators issue and revoke. The PDF opens for its
holder (not once revoked: 410), HR/admin and branch managers in scope — 404
for anyone else."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required

from lms import clock, printable
from lms.certificates import expiry, issuing, queries, renewal, revoking, signoff_review
from lms.certificates.forms import KeepForm, ManualIssueForm, RenewalSelectionForm, RevokeForm
from lms.certificates.models import Certificate
from lms.certificates.regraded import regraded_holders
from lms.certificates.requirements import certifications_requiring, describe, evaluate
from lms.content.models import Certification
from lms.extensions import db
from lms.forms import options
from lms.ids import DB_INT_MAX, db_int
from lms.org import leavers
from lms.org import scope as org_scope
from lms.org.models import POSITIONS, Branch, user_by_employee_no
from lms.query_dates import query_date
from lms.reports import exports
from lms.text_search import search_text
from lms.web import render_page_or_partial, roles_required

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
READERS = ("hr", "branch_manager")
WITHIN = (30, 60, 90)


def _viewer():
    return current_user._get_current_object()


def _scope():
    return org_scope.branch_scope(_viewer())


def _visible(certificate_id: int) -> Certificate:
    """The certificate, if its holder is in the viewer's scope (404 otherwise)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not org_scope.may_see_person(_viewer(), certificate.holder):
        abort(404)
    return certificate


# --- 我的证书 -------------------------------------------------------------------

def next_steps(person, held: list[Certificate] | None = None) -> list[dict]:
    """For each certification the person does not hold validly (or may renew
    now): what is still missing (the evaluation's unmet lines). ``held``: the
    person's certificates, newest first (``holder_certificates``), when the
    page has read them already — not read again for each certification."""
    if held is None:
        held = issuing.holder_certificates(person.id)
    today = clock.today()
    out = []
    for certification in queries.certifications():
        rows = [c for c in held if c.certification_id == certification.id]
        current = next((c for c in rows if c.is_valid(today)), None)
        renewal = current is not None and issuing.issue_due_among(rows, today)
        if current is not None and not renewal:
            continue
        evaluation = evaluate(person, certification)
        out.append({"certification": certification, "evaluation": evaluation, "renewal": renewal, "current": current,
                    "automatic": renewal or issuing.issue_due_among(rows, today)})
    return out


def result_note(person, exam) -> dict | None:
    """The learner's result page of ``exam``: for each certification naming it
    (or a programme with it), the certificate held now, or what is still
    missing and who issues it (``next_steps``)."""
    wanted = {c.id for c in certifications_requiring(exam_slug=exam.slug)}
    if not wanted:
        return None
    held = [c for c in issuing.holder_certificates(person.id) if c.certification_id in wanted
            and c.is_valid(clock.today())]
    steps = [s for s in next_steps(person) if s["certification"].id in wanted]
    return {"held": held, "steps": steps, "describe": describe}


@bp.get("/mine")
@login_required
def mine():
    person = _viewer()
    held = issuing.holder_certificates(person.id)
    return render_template("certificates/mine.html", certificates=held, steps=next_steps(person, held),
                           any_published=bool(queries.certifications()), today=clock.today(), **_labels())


def _labels() -> dict:
    return {"state_labels": queries.STATE_LABELS, "state_classes": queries.STATE_CLASSES, "describe": describe}


@bp.get("/<int:certificate_id>/pdf")
@login_required
def pdf(certificate_id: int):
    """The stored PDF (the same bytes every time), named after the serial."""
    certificate = db.session.get(Certificate, certificate_id)
    viewer = _viewer()
    allowed = certificate is not None and (
        certificate.user_id == viewer.id or viewer.has_role("hr")
        or ("branch_manager" in viewer.roles and org_scope.may_see_person(viewer, certificate.holder)))
    if not allowed:
        abort(404)
    if certificate.revoked_at is not None and not _keeps_records_of(viewer, certificate):
        # The stored PDF reads as a certificate in force: once revoked, its holder
        # gets no new copy to print (a link kept from before the revocation too).
        return render_template("errors/error.html", status=410, title=_("Certificate revoked"), message=_(
            "Certificate %(serial)s was revoked on %(day)s, so its PDF is no longer available. Ask HR if you "
            "think this is a mistake.", serial=certificate.serial,
            day=clock.local_date(certificate.revoked_at).isoformat())), 410
    body = issuing.stored_pdf(certificate.id)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{certificate.serial}.pdf"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


def _keeps_records_of(viewer, certificate: Certificate) -> bool:
    """HR/admin, and a branch manager in scope, keep the records of a
    certificate whatever its state (the PDF of a revoked one included)."""
    return viewer.has_role("hr") or (
        "branch_manager" in viewer.roles and org_scope.may_see_person(viewer, certificate.holder))


# --- HR: the register -----------------------------------------------------------

def _branch_choices(scope) -> list[tuple[int, str]]:
    branches = db.session.query(Branch).all()
    return sorted(((b.id, b.path()) for b in branches if scope is None or b.id in scope), key=lambda c: c[1])


def _branch_ids(scope, branch_id: int | None = None) -> list[int] | None:
    """The branch filter (``?branch=``, or ``branch_id``) and its sub-branches; 404 outside ``scope``."""
    branch_id = branch_id or request.args.get("branch", type=db_int)
    if not branch_id:
        return None
    branch = db.session.get(Branch, branch_id) if abs(branch_id) <= DB_INT_MAX else None
    if branch is None or (scope is not None and branch.id not in scope):
        abort(404)
    return branch.subtree_ids()


def _certification_id(wanted: int | None = None) -> int | None:
    wanted = wanted or request.args.get("certification", type=db_int)
    if wanted and (abs(wanted) > DB_INT_MAX or db.session.get(Certification, wanted) is None):
        abort(404)
    return wanted or None


def _position() -> str:
    position = request.args.get("position", "")
    return position if position in POSITIONS else ""


def _as_on() -> date | None:
    """``?on=YYYY-MM-DD``: the register as on that day (an auditor's "who held a valid certificate on …")."""
    return query_date("on")


def _register_filter(scope) -> queries.RegisterFilter:
    state = request.args.get("state", "")
    return queries.RegisterFilter(q=search_text(), branch_ids=_branch_ids(scope),
                                  certification_id=_certification_id(),
                                  state=state if state in queries.STATE_LABELS else "",
                                  unprintable=request.args.get("name") == "unprintable", on=_as_on())


def _query_args(**extra) -> dict:
    keys = ("q", "branch", "certification", "state", "within", "name", "on", "position")
    return {k: v for k, v in {**{k: request.args.get(k) for k in keys}, **extra}.items() if v}


@bp.get("/")
@roles_required(*READERS)
def register():
    scope = _scope()
    flt = _register_filter(scope)
    page = queries.register(scope, flt, page=request.args.get("page", 1, type=int))
    return render_page_or_partial(
        "certificates/register.html", "certificates/_register_rows.html", page=page, flt=flt,
        branch_choices=_branch_choices(scope), certifications=queries.certifications(include_retired=True),
        query=_query_args(), whole_bank=scope is None, today=clock.today(),
        awaiting=signoff_review.awaiting_decision(scope), will_not_print=_will_not_print(page.rows),
        left=leavers.leaving_dates(c.user_id for c in page.rows), as_of=flt.on, **_labels())


def _will_not_print(certificates) -> dict[int, str]:
    """{id: which characters print as a box} of the certificates whose printed name will not print."""
    out = {}
    for certificate in certificates:
        if problems := printable.unprintable(certificate.holder_name):
            out[certificate.id] = printable.listed(problems)
    return out


def _download(name: str, title: str, headers: list[str], rows, fmt: str) -> Response:
    """``rows``: a list or a generator (the register's, read as it is written)."""
    stamp = clock.today().isoformat()
    body = exports.csv_blocks(headers, rows) if fmt == "csv" else exports.xlsx_file(title, headers, rows)
    return exports.download(body, fmt, exports.file_name(title, stamp), f"{name}-{stamp}")


def _left_cell(c: Certificate, left: dict):
    """The day the holder left the bank; a word when the day is not recorded; empty while at work."""
    if c.user_id not in left:
        return None
    return left[c.user_id] or _("No longer at the bank")


def _row(c: Certificate, today, left: dict, on: date | None = None) -> list:
    """One certificate as the download has it: the state today (or as ``on`` that day), and every change
    with who and why — issued (by whom, HR's reason), revoked (when, by whom, why), superseded (when)."""
    state = c.state_on(on) if on else c.state(today)
    return [c.serial, c.holder.name, c.holder.employee_no, c.holder.branch.name if c.holder.branch else "",
            c.certification.title, c.issued_on, c.expires_on, str(queries.STATE_LABELS[state]),
            clock.local_date(c.revoked_at) if c.revoked_at else None, c.revoke_reason, c.holder_name,
            printable.listed(problems) if (problems := printable.unprintable(c.holder_name)) else "",
            _left_cell(c, left), _issued_by(c), c.issue_reason, _person(c.revoked_by),
            clock.local_date(c.superseded_at) if c.superseded_at else None]


def _person(user) -> str:
    return f"{user.name} ({user.employee_no})" if user is not None else ""


def _issued_by(c: Certificate) -> str:
    return _person(c.issued_by) if c.issued_by_id else _("automatically (requirements met)")


def _headers(on: date | None = None) -> list[str]:
    state = _("State on %(d)s", d=on.isoformat()) if on else _("State")
    return [_("Serial number"), _("Name"), _("Employee number"), _("Branch"), _("Certification"), _("Issued"),
            _("Expires"), state, _("Revoked on"), _("Revocation reason"), _("Name printed on the certificate"),
            _("Characters that will not print"), _("Left the bank on"), pgettext("person", "Issued by"),
            _("Reason for issuing"), _("Revoked by"), _("Superseded on")]


@bp.get("/export.<fmt>")
@roles_required(*READERS)
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    scope = _scope()
    today = clock.today()
    left = leavers.leaving_dates()  # everyone who left: one query, however long the register
    flt = _register_filter(scope)
    rows = (_row(c, today, left, flt.on) for c in queries.register_rows(scope, flt))
    return _download("certificates", _("Certificate register"), _headers(flt.on), rows, fmt)


def _within(within: int | None = None) -> int:
    within = within or request.args.get("within", 90, type=int)
    return within if within in WITHIN else 90


def expiring_rows(scope, within: int | None = None, branch_id: int | None = None,
                  certification_id: int | None = None, position: str | None = None) -> list[Certificate]:
    """The expiry list as its filter (the query string, or the values given: a bulk renewal's
    "every certificate the list shows") reads it, inside ``scope``."""
    branch_ids = _branch_ids(scope, branch_id)
    if branch_ids is None:
        branch_ids = scope
    position = position if position in POSITIONS else _position() if position is None else ""
    return expiry.expiring(_within(within), branch_ids=branch_ids,
                           certification_id=_certification_id(certification_id), position=position or None)


@bp.get("/expiring")
@roles_required(*READERS)
def expiring():
    scope = _scope()
    return render_page_or_partial(
        "certificates/expiring.html", "certificates/_expiring_rows.html", rows=expiring_rows(scope),
        within=_within(), choices=WITHIN, branch_choices=_branch_choices(scope),
        certifications=queries.certifications(include_retired=True), query=_query_args(within=_within()),
        whole_bank=scope is None, today=clock.today(), timedelta=timedelta, may_renew=_viewer().has_role("hr"),
        selection=RenewalSelectionForm(formdata=None), **_labels())


@bp.get("/expiring/export.<fmt>")
@roles_required(*READERS)
def expiring_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    today = clock.today()
    headers = [*_headers()[:7], _("Days left")]
    rows = [[*_row(c, today, {})[:7], (c.expires_on - today).days] for c in expiring_rows(_scope())]
    return _download(f"certificates-expiring-{_within()}", _("Expiring"), headers, rows, fmt)


@bp.get("/regraded")
@roles_required(*READERS)
def regraded():
    """Holders whose qualifying pass a corrected answer key re-graded to a fail
    (lms.certificates.regraded): never revoked automatically, HR decides."""

    return render_template("certificates/regraded.html", rows=regraded_holders(_scope()), **_labels())


# --- HR: one certificate, revoke, issue by hand -----------------------------------

def _render_detail(certificate: Certificate, form=None, status: int = 200, keep_form=None):
    history = issuing.holder_certificates(certificate.user_id, certificate.certification_id)
    form = form or RevokeForm()
    form.seen.data = certificate.state().value  # what this page shows; sent back with a revocation
    return render_template("certificates/detail.html", certificate=certificate, history=history,
                           left=leavers.leaving_dates([certificate.user_id]),
                           form=form, may_revoke=_viewer().has_role("hr"),
                           may_renew=_viewer().has_role("hr") and renewal.renewable(certificate, _viewer()),
                           withdrawn_signoff=signoff_review.withdrawn_signoff_of(certificate),
                           keep_form=keep_form or KeepForm(prefix="keep"), today=clock.today(), **_labels()), status


@bp.get("/<int:certificate_id>")
@roles_required(*READERS)
def detail(certificate_id: int):
    return _render_detail(_visible(certificate_id))


@bp.post("/<int:certificate_id>/revoke")
@roles_required("hr")
def revoke(certificate_id: int):
    certificate = _visible(certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _render_detail(certificate, form, 400)
    try:
        revoking.revoke(certificate.id, _viewer(), form.reason.data, seen_state=form.seen.data or None)
    except revoking.RevokeError as exc:
        form.reason.errors.append(str(exc))
        return _render_detail(certificate, form, 400)
    flash(_("The certificate %(serial)s is revoked.", serial=certificate.serial), "success")
    if notice := _uncertified_in_post(certificate):
        flash(notice, "warning")
    return redirect(url_for("certificates.detail", certificate_id=certificate.id))


def _uncertified_in_post(certificate: Certificate) -> str | None:
    """After a revocation, what happens next when the holder's post requires the certification (持证上岗):
    they are in post without it from now on, the monitor lists them, and nothing is issued by itself."""
    from lms.eligibility.monitor import required_certifications  # eligibility reads certificates: not at import

    holder = certificate.holder
    position = holder.current_position
    if not holder.active or position is None:
        return None
    if certificate.certification.slug not in required_certifications().get(position.position, []):
        return None
    if issuing.valid_certificate(holder.id, certificate.certification_id) is not None:
        return None
    return _("%(name)s is in post as %(position)s without a valid %(certification)s from now on: the 持证上岗 "
             "monitor lists them. Move them to another post, or issue a new certificate by hand once they meet "
             "the requirements again (nothing is issued automatically after a revocation).", name=holder.name,
             position=position.label, certification=certificate.certification.title)


@bp.post("/<int:certificate_id>/keep")
@roles_required("hr")
def keep(certificate_id: int):
    """HR keeps a certificate whose sign-off was withdrawn (audited, with the reason)."""
    certificate = _visible(certificate_id)
    form = KeepForm(prefix="keep")
    if not form.validate_on_submit():
        return _render_detail(certificate, status=400, keep_form=form)
    try:
        signoff_review.keep(certificate.id, _viewer(), form.reason.data)
    except signoff_review.KeepError as exc:
        form.reason.errors.append(str(exc))
        return _render_detail(certificate, status=400, keep_form=form)
    flash(_("The certificate %(serial)s stays valid; your decision is in the audit log.", serial=certificate.serial),
          "success")
    return redirect(url_for("certificates.detail", certificate_id=certificate.id))


def _issue_form() -> ManualIssueForm:
    form = ManualIssueForm()
    form.certification_id.choices = options((c.id, c.title) for c in queries.certifications())
    return form


@bp.route("/issue", methods=["GET", "POST"])
@roles_required("hr")
def issue():
    """HR issues a certificate by hand, with a reason; the requirements the
    person does not meet are shown first and kept in the evidence."""
    form = _issue_form()
    if request.method == "GET":  # from the person page, or the live preview of the form
        form.employee_no.data = request.args.get("employee_no", "").strip()[:32] or None
        form.certification_id.data = request.args.get("certification_id", type=db_int)
    preview = None
    person = user_by_employee_no(form.employee_no.data or "") if form.employee_no.data else None
    wanted = form.certification_id.data
    certification = db.session.get(Certification, wanted) if wanted and abs(wanted) <= DB_INT_MAX else None
    if person is not None and certification is not None:
        preview = evaluate(person, certification)
    if request.method == "POST" and form.validate_on_submit():
        if person is None:
            form.employee_no.errors.append(_("No person with this employee number."))
        else:
            try:
                certificate = issuing.issue(person, certification, actor=_viewer(), reason=form.reason.data,
                                            evaluation=preview)
            except issuing.IssueError as exc:
                form.form_errors.append(str(exc))
            else:
                flash(_("Certificate %(serial)s issued to %(name)s.", serial=certificate.serial, name=person.name),
                      "success")
                if (warning := printable.warning_for(certificate.holder_name)) is not None:
                    flash(warning, "error")
                return redirect(url_for("certificates.detail", certificate_id=certificate.id))
    status = 400 if request.method == "POST" else 200
    return render_template("certificates/issue.html", form=form, preview=preview, person=person,
                           unknown=bool(form.employee_no.data) and person is None,
                           name_warning=printable.warning_for(person.name) if person is not None else None), status


# --- sections elsewhere ---------------------------------------------------------

def person_section(person, viewer) -> dict:
    """HR's person page: the person's certificates."""
    if not org_scope.may_see_person(viewer, person):
        return {"certificates": [], "person": person}
    certificates = issuing.holder_certificates(person.id)
    left, left_on = leavers.left_on(person) if certificates else (False, None)
    return {"certificates": certificates, "person": person, "today": clock.today(), "left": left,
            "left_on": left_on, **_labels()}


def mine_panel(user) -> dict:
    """The learner's home: their valid certificates, a link to 我的证书."""
    today = clock.today()
    return {"certificates": [c for c in issuing.holder_certificates(user.id) if c.is_valid(today)],
            "today": today}
