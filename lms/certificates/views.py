"""Certificate pages: 我的证书 (every signed-in person, their own), a
certificate's page with its actions (revoke, keep after a withdrawn sign-off),
the manual issue form, the PDF download, and the certificate sections of
other pages. HR's register and expiry lists are in ``register_views``.

Who sees what: HR and administrators the whole bank; a branch manager reads
the certificates of their branches' people (a certificate outside them is
404); only HR and administrators issue and revoke. The PDF opens for its
holder (not once revoked: 410), HR/admin and branch managers in scope — 404
for anyone else."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from lms import clock, printable
from lms.certificates import issuing, queries, renewal, revoking, signoff_review
from lms.certificates.blueprint import READERS, bp
from lms.certificates.blueprint import labels as _labels
from lms.certificates.blueprint import viewer as _viewer
from lms.certificates.forms import KeepForm, ManualIssueForm, RevokeForm
from lms.certificates.models import Certificate
from lms.certificates.requirements import certifications_requiring, describe, evaluate
from lms.content.models import Certification
from lms.eligibility.monitor import required_certifications
from lms.extensions import db
from lms.forms import options
from lms.ids import DB_INT_MAX, db_int
from lms.org import leavers
from lms.org import scope as org_scope
from lms.org.models import CaseTwins, person_by_employee_no
from lms.web import roles_required


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


# --- HR: one certificate, revoke, issue by hand -----------------------------------

def _render_detail(certificate: Certificate, form=None, status: int = 200, keep_form=None):
    history = issuing.holder_certificates(certificate.user_id, certificate.certification_id)
    form = form or RevokeForm()
    form.seen.data = certificate.state().value  # what this page shows; sent back with a revocation
    return render_template("certificates/detail.html", certificate=certificate, history=history,
                           left=leavers.leaving_dates([certificate.user_id]),
                           form=form, may_revoke=_viewer().has_role("hr"),
                           may_renew=_viewer().has_role("hr") and renewal.renewable(certificate, _viewer()),
                           may_issue_again=_viewer().has_role("hr") and _issued_again_by_hand(certificate),
                           withdrawn_signoff=signoff_review.withdrawn_signoff_of(certificate),
                           keep_form=keep_form or KeepForm(prefix="keep"), today=clock.today(), **_labels()), status


def _issued_again_by_hand(certificate: Certificate) -> bool:
    """A revoked certificate is not renewed (nothing is issued automatically after a revocation either): its
    page leads HR to the manual issue while the holder works here and holds no valid one of it."""
    return (certificate.revoked_at is not None and certificate.holder.active
            and issuing.valid_certificate(certificate.user_id, certificate.certification_id) is None)


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
    person, twins = None, None
    if form.employee_no.data:
        try:
            person = person_by_employee_no(form.employee_no.data)
        except CaseTwins as exc:  # ZZ01 beside zz01: issue to neither until HR tells them apart
            twins = str(exc)
    wanted = form.certification_id.data
    certification = db.session.get(Certification, wanted) if wanted and abs(wanted) <= DB_INT_MAX else None
    if person is not None and certification is not None:
        preview = evaluate(person, certification)
    if request.method == "POST" and form.validate_on_submit():
        if person is None:
            form.employee_no.errors.append(twins or _("No person with this employee number."))
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
                           unknown=bool(form.employee_no.data) and person is None, twins=twins,
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
