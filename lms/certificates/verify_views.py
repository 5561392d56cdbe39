"""The public verification page (no sign-in): a certificate's state by its
verification code (the QR link printed on it) or by an uploaded PDF.

Requests are limited per client address, counted in the database so that
the limit holds across every app process (``lms.auth.limits``)."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.auth import limits
from lms.certificates import verification
from lms.certificates.verify_forms import VerifyUploadForm

bp = Blueprint("verify", __name__, url_prefix="/verify")

PDF_MAGIC = b"%PDF"


@bp.after_request
def _not_for_search_engines(response):
    # A verification page names a person (masked) and a certificate: for whoever holds the link, not for an index.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _client_may_look() -> bool:
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return True
    return limits.hit("verify", limits.client_key(request.remote_addr), limit=config["VERIFY_LIMIT_PER_MINUTE"], per_seconds=60)


def _too_many():
    html = render_template("certificates/verify.html", form=VerifyUploadForm(), view=None, too_many=True)
    return html, 429, {"Retry-After": "60"}


@bp.get("/")
def index():
    """Type a code or upload a PDF. ``?code=`` (the form) goes to the code's page."""
    code = verification.normalise_code(request.args.get("code", "")[:1000])  # typed, or a pasted address
    if code:
        return redirect(url_for("verify.code", code=code[:200]))
    return render_template("certificates/verify.html", form=VerifyUploadForm(), view=None)


@bp.get("/<code>")
def code(code: str):
    if not _client_may_look():
        return _too_many()
    certificate = verification.find_by_code(verification.normalise_code(code))  # typed into the address bar too
    if certificate is None:
        return render_template("certificates/verify.html", form=VerifyUploadForm(), view=None, not_found=True), 404
    view = verification.public_view(certificate)
    return render_template("certificates/verify.html", form=VerifyUploadForm(), view=view)


@bp.post("/")
def upload():
    """An uploaded PDF: the certificate whose stored PDF has the same SHA-256."""
    form = VerifyUploadForm()
    if not _client_may_look():
        return _too_many()
    if not form.validate_on_submit():
        return render_template("certificates/verify.html", form=form, view=None), 400
    limit = current_app.config["VERIFY_UPLOAD_MAX_BYTES"]
    data = form.pdf.data.stream.read(limit + 1)
    if len(data) > limit:
        form.pdf.errors.append(_("The file is larger than %(mb)d MB: no certificate of ours is.", mb=limit // 2**20))
        return render_template("certificates/verify.html", form=form, view=None), 413
    if not data.startswith(PDF_MAGIC):
        form.pdf.errors.append(_("This is not a PDF file."))
        return render_template("certificates/verify.html", form=form, view=None), 400
    certificate = verification.find_by_pdf(data)
    if certificate is None:
        return render_template("certificates/verify.html", form=VerifyUploadForm(), view=None,
                               not_issued_here=True)
    view = verification.public_view(certificate)
    return render_template("certificates/verify.html", form=VerifyUploadForm(), view=view, by_upload=True,
                           earlier_copy=verification.earlier_copy(certificate, data))
