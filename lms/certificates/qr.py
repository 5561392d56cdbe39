"""The address of a certificate's public verification page and its QR code."""
from __future__ import annotations

import io

import segno
from flask import url_for

from lms.addresses import absolute


def verification_url(code: str) -> str:
    """The absolute address of the public page for verification code ``code``:
    under ``LMS_BASE_URL`` (lms.addresses), never the issuing request's host —
    a certificate can be issued inside a learner's own request."""
    return absolute(lambda: url_for("verify.code", code=code))


def qr_svg(url: str) -> bytes:
    """A QR code of ``url`` as a small SVG (vector: sharp at any print size)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=1, border=2, xmldecl=False, dark="#111", light="#fff")
    return out.getvalue()
