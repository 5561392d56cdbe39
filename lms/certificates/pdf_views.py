"""Signed-in pages of the certificate PDF part: the evidence pack (HR) and
the issuing institution's name and logo (administrators)."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.certificates import evidence_pack, institution
from lms.certificates.samples import sample_certificate_pdf
from lms.certificates.verify_forms import InstitutionForm
from lms.extensions import db
from lms.forms import EmptyForm
from lms.org.models import User
from lms.web import roles_required

bp = Blueprint("certificate_pdf", __name__)


@bp.post("/org/people/<int:user_id>/evidence-pack.pdf")
@roles_required("hr")
def evidence_pack_pdf(user_id: int):
    """The person's evidence pack as a PDF download (generating it is audited: a POST)."""
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    pack = evidence_pack.generate(person, actor=current_user._get_current_object())
    name = f"evidence-pack-{person.employee_no}-{pack.generated_at:%Y%m%d-%H%M}.pdf"
    response = send_file(io.BytesIO(pack.pdf()), mimetype="application/pdf", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"  # personal data: no copy in a shared cache
    return response


@bp.route("/system/certificate-issuer", methods=["GET", "POST"])
@roles_required("admin")
def issuer():
    form = InstitutionForm(data={"name": institution.institution_name()})
    if form.validate_on_submit():
        actor = current_user._get_current_object()
        changed = institution.set_name(form.name.data, actor=actor)
        upload = form.logo.data
        try:
            if form.default_logo.data:
                institution.set_logo(None, actor=actor)
                changed = True
            elif upload and getattr(upload, "filename", ""):
                institution.set_logo(upload.stream.read(institution.LOGO_MAX_BYTES + 1), actor=actor)
                changed = True
        except institution.LogoRefused as exc:
            form.logo.errors.append(str(exc))
            return _issuer_page(form), 400
        flash(_("Saved: certificates issued from now on print this.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("certificate_pdf.issuer"))
    return _issuer_page(form), 400 if form.errors else 200


def _issuer_page(form):
    history = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "certificate_issuer")
                                 .order_by(AuditEvent.seq.desc()).limit(20)).all()
    return render_template("certificates/issuer.html", form=form, history=history,
                           uploaded=institution.uploaded_logo() is not None,
                           logo_kb=institution.LOGO_MAX_BYTES // 1024, logo_side=institution.LOGO_MAX_SIDE)


@bp.get("/system/certificate-issuer/sample.pdf")
@roles_required("admin")
def sample():
    """A sample certificate with the current name and logo (nothing is stored)."""
    return send_file(io.BytesIO(sample_certificate_pdf()), mimetype="application/pdf", download_name="sample.pdf",
                     max_age=0)
