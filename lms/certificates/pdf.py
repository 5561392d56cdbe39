"""The certificate's PDF, rendered once at issue with WeasyPrint.

A4 landscape; Chinese set in Noto CJK (Debian's fonts-noto-cjk, found
through fontconfig and embedded as a subset, so every reader shows real
glyphs); holder, 工号 and branch as printed at issue (the snapshot columns of
``Certificate``); the issuing institution's name and logo (``institution``);
a QR code to the public verification page. The HTML comes from an
autoescaped template, so a name like ``<img src=x>`` prints as text, and the
renderer fetches nothing but the app's own static files and what it made for
this document (``fetcher``).

The parsed stylesheet and the font configuration are made once per process
(thread) and reused: parsing the CSS and loading the fonts again for every
certificate would cost more than laying out the page."""
from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from lms.certificates import institution
from lms.certificates.fetcher import StaticOnlyFetcher, generated_url, static_url
from lms.certificates.qr import qr_svg, verification_url

STYLESHEET = "certificates/certificate.css"  # under static/
TEMPLATE = "certificates/pdf/certificate.html"
PDF_LOCALE = "zh_CN"  # the certificate speaks the bank's language; English stands beside it

_cache = threading.local()


def static_dir() -> Path:
    return Path(current_app.static_folder)


def stylesheet(name: str = STYLESHEET) -> tuple[CSS, FontConfiguration]:
    """The parsed stylesheet ``static/<name>`` and its font configuration,
    made once per thread (and again when the file changed)."""
    path = static_dir() / name
    key = (str(path), path.stat().st_mtime_ns)
    cached = getattr(_cache, "sheets", None)
    if cached is None:
        cached = _cache.sheets = {}
    if key not in cached:
        fonts = getattr(_cache, "fonts", None) or FontConfiguration()
        _cache.fonts = fonts
        fetcher = StaticOnlyFetcher(static_dir())
        cached[key] = CSS(string=path.read_text(encoding="utf-8"), url_fetcher=fetcher, font_config=fonts)
    return cached[key], _cache.fonts


def write_pdf(html: str, *, generated: dict[str, tuple[str, bytes]] | None = None,
              stylesheet_name: str = STYLESHEET, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """HTML (from one of our autoescaped templates) to PDF, with the static-only fetcher."""
    css, fonts = stylesheet(stylesheet_name)
    fetcher = fetcher or StaticOnlyFetcher(static_dir(), generated)
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(stylesheets=[css], font_config=fonts)


def certificate_html(certificate, **extra) -> tuple[str, dict[str, tuple[str, bytes]]]:
    """The certificate's HTML and the resources made for it (QR code, uploaded logo)."""
    url = verification_url(certificate.verify_code)
    generated = {"qr.svg": ("image/svg+xml", qr_svg(url))}
    logo = institution.uploaded_logo()
    if logo is not None:
        generated["logo.png"] = ("image/png", logo)
        logo_src = generated_url("logo.png")
    else:
        logo_src = static_url(institution.DEFAULT_LOGO)
    with force_locale(PDF_LOCALE):
        context = {
            "c": certificate,
            "title": certificate.certification.title,
            "institution": institution.institution_name(),
            "logo_src": logo_src,
            "qr_src": generated_url("qr.svg"),
            "verify_url": url,
            **extra,
        }
        html = current_app.jinja_env.get_template(TEMPLATE).render(context)
    return html, generated


def render_certificate(certificate) -> bytes:
    """The PDF of ``certificate`` (A4 landscape)."""
    html, generated = certificate_html(certificate)
    return write_pdf(html, generated=generated)
