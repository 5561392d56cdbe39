"""The certificate's PDF, rendered once at issue with WeasyPrint."""
from __future__ import annotations

from markupsafe import escape
from weasyprint import HTML


def render_certificate(certificate) -> bytes:
    """The PDF of ``certificate`` (A4 landscape)."""
    html = (
        "<html><head><style>@page { size: A4 landscape; } body { font-family: 'Noto Sans CJK SC', sans-serif; }"
        "</style></head><body>"
        f"<h1>{escape(certificate.certification.title)}</h1>"
        f"<p>{escape(certificate.holder_name)} ({escape(certificate.holder_employee_no)})</p>"
        f"<p>{escape(certificate.serial)}</p></body></html>"
    )
    return HTML(string=html).write_pdf()
