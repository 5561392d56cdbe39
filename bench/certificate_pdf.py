"""The certificate PDF (targets: the issue-time render ≤ 1.2 × a bare
WeasyPrint render of the same HTML and fonts; a re-download ≥ 20 × faster than
a render).

In process, on a fresh database (no server: the figures are the app's own time):

- **render**: ``lms.certificates.pdf.render_certificate`` as h5's issue calls
  it (template, QR code, institution name and logo, the static-only fetcher,
  the cached stylesheet and font configuration) and, side by side in the same
  rounds (alternating which goes first), a *bare* WeasyPrint render of the
  very HTML it produced, with the same stylesheet file and the same fonts:
  ``HTML(string=…).write_pdf(stylesheets=[CSS(filename=…)])`` with WeasyPrint's
  own fetcher (the QR code as a ``data:`` URI, the logo as a ``file:`` path).
  Median of ``--rounds``; the ratio is ours ÷ bare.
- **re-download**: the stored bytes through the real route
  ``/certificates/<id>/pdf`` along Flask's normal request path (the test
  client signed in as the holder: routing, the session and the user loader,
  the holder check, the database read of the stored ``pdf`` column, the
  response), ``--downloads`` times, median, each response checked to be the
  very bytes stored at issue; compared with the render's median (target
  ≥ 20× faster).

    python bench/certificate_pdf.py [--database-url URL] [--rounds 15] [--downloads 200]
"""
from __future__ import annotations

import base64
import hashlib
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def prepare(data: h.Data) -> dict:
    from lms.certificates.models import Certificate
    from lms.certificates.pdf import render_certificate
    from lms.content.models import Certification
    from lms.extensions import db
    from lms.org.models import User, UserRole

    with data.app.app_context():
        holder = User(employee_no=f"bench-{h.RUN}-holder", name="欧阳喆堃", password_hash="")
        holder.role_rows = [UserRole(role="learner")]
        certification = Certification(slug=f"bench-{h.RUN}", title="客户经理上岗资格", serial_prefix="RMQ",
                                      validity_months=24)
        db.session.add_all([holder, certification])
        db.session.flush()
        certificate = Certificate(certification_id=certification.id, user_id=holder.id,
                                  serial=f"RMQ-{h.RUN}-000001", verify_code=f"bench-{h.RUN}-" + "x" * 30,
                                  issued_on=date.today(), expires_on=date(date.today().year + 2, 1, 1),
                                  holder_name=holder.name, holder_employee_no="880123", holder_branch="天元支行")
        certificate.certification = certification
        with data.app.test_request_context("/", base_url="https://academy.bank.example/"):
            certificate.pdf = render_certificate(certificate)
        certificate.pdf_sha256 = hashlib.sha256(certificate.pdf).hexdigest()
        db.session.add(certificate)
        db.session.commit()
        return {"certificate": certificate.id, "holder": holder.get_id(), "sha256": certificate.pdf_sha256}


def bare_inputs(app, certificate_id: int) -> tuple[str, str, str]:
    """The HTML our renderer made, with its resources rewritten for WeasyPrint's own fetcher."""
    from lms.certificates.fetcher import GENERATED_SCHEME, STATIC_SCHEME
    from lms.certificates.models import Certificate
    from lms.certificates.pdf import STYLESHEET, certificate_html
    from lms.extensions import db

    certificate = db.session.get(Certificate, certificate_id)
    html, generated = certificate_html(certificate)
    static = Path(app.static_folder)
    for name, (mime, body) in generated.items():
        html = html.replace(GENERATED_SCHEME + name, f"data:{mime};base64,{base64.b64encode(body).decode()}")
    html = html.replace(STATIC_SCHEME + "/", static.as_uri() + "/")
    return html, str(static / STYLESHEET), static.as_uri() + "/"


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--downloads", type=int, default=200)
    args = parser.parse_args()
    url = h.database_url(args.database_url)
    print(f"Certificate PDF bench on {h.dialect(url)}")
    data = h.Data(url)
    data.migrate()
    ids = prepare(data)
    app = data.app

    from weasyprint import CSS, HTML

    from lms.certificates.models import Certificate
    from lms.certificates.pdf import render_certificate
    from lms.extensions import db

    # --- (a) render: ours vs bare, alternating ---------------------------------
    ours, bare = [], []
    with app.test_request_context("/", base_url="https://academy.bank.example/"):
        certificate = db.session.get(Certificate, ids["certificate"])
        html, css_path, base = bare_inputs(app, ids["certificate"])

        def render_ours():
            return render_certificate(certificate)

        def render_bare():
            return HTML(string=html, base_url=base).write_pdf(stylesheets=[CSS(filename=css_path)])

        render_ours(), render_bare()  # warm-up: fonts opened, templates compiled
        for n in range(args.rounds):
            pair = ((render_ours, ours), (render_bare, bare))
            for fn, times in (pair if n % 2 == 0 else pair[::-1]):
                t0 = time.perf_counter()
                pdf = fn()
                times.append((time.perf_counter() - t0) * 1000)
                assert pdf.startswith(b"%PDF")
    ours_ms, bare_ms = statistics.median(ours), statistics.median(bare)
    ratio = ours_ms / bare_ms
    print(f"  issue-time render: median {ours_ms:.0f} ms; bare WeasyPrint of the same HTML and fonts: median "
          f"{bare_ms:.0f} ms ({args.rounds} rounds each, alternating) → ratio {ratio:.2f}; target ≤ 1.2 — "
          + ("met" if ratio <= 1.2 else "NOT met"))

    # --- (b) re-download of the stored bytes vs a render ---------------------------
    path = f"/certificates/{ids['certificate']}/pdf"
    assert any(rule.rule == "/certificates/<int:certificate_id>/pdf" for rule in app.url_map.iter_rules()), \
        "the certificates engine's download route is missing"
    client = data.client(ids["holder"])  # signed in as the holder
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    downloads = []
    for _ in range(args.downloads):
        t0 = time.perf_counter()
        response = client.get(path)
        downloads.append((time.perf_counter() - t0) * 1000)
        assert hashlib.sha256(response.data).hexdigest() == ids["sha256"]  # the same bytes, every time
    download_ms = statistics.median(downloads)
    speedup = ours_ms / download_ms
    print(f"  re-download through {path} (signed in as the holder): median {download_ms:.2f} ms of {args.downloads} "
          f"(same SHA-256 every time) → {speedup:.0f}× faster than a render; target ≥ 20× — "
          + ("met" if speedup >= 20 else "NOT met"))


if __name__ == "__main__":
    main()
