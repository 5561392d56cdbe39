"""The issuing institution printed on certificates: the administrator
changes its name and uploads a PNG logo (checked; SVG refused); changes are
audited; a certificate renders with them from then on."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.certificates import institution
from lms.certificates.pdf import certificate_html
from lms.certificates.samples import sample_certificate
from lms.extensions import db
from tests.certificates.conftest import pdf_text
from tests.conftest import sign_in


def _png(size=(40, 40), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def logo_file(app, tmp_path):
    app.config["CERTIFICATE_LOGO_FILE"] = str(tmp_path / "logo.png")


def _post(client, **data):
    return client.post("/system/certificate-issuer", data=data, content_type="multipart/form-data")


def test_the_administrator_renames_the_institution_and_certificates_print_it(app, client, make_user):
    admin = make_user(("admin",), name="系统管理员")
    sign_in(client, admin)
    assert "某某银行 客户经理学院" in client.get("/system/certificate-issuer").text
    response = _post(client, name="  株洲农商银行   客户经理学院 ")
    assert response.status_code == 302
    assert institution.institution_name() == "株洲农商银行 客户经理学院"
    page = client.get("/system/certificate-issuer").text
    assert "修改了证书上印制的颁发机构名称" in page and "株洲农商银行 客户经理学院" in page
    sample = client.get("/system/certificate-issuer/sample.pdf")
    assert sample.status_code == 200 and sample.mimetype == "application/pdf"
    assert "株洲农商银行 客户经理学院" in pdf_text(sample.data)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificates.institution_changed")).one()
    assert event.actor_id == admin.id and event.details_dict["after"] == "株洲农商银行 客户经理学院"


def test_a_png_logo_is_printed_and_svg_or_broken_files_are_refused(app, client, make_user):
    sign_in(client, make_user(("admin",)))
    logo = _png()
    assert _post(client, name="某某银行 客户经理学院", logo=(io.BytesIO(logo), "logo.png")).status_code == 302
    assert institution.uploaded_logo() == logo
    html, generated = certificate_html(sample_certificate())
    assert generated["logo.png"] == ("image/png", logo) and "lms-generated:logo.png" in html
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><image href="file:///etc/passwd"/></svg>'
    for bad, name in ((svg, "logo.svg"), (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "broken.png"),
                      (_png((3000, 10)), "wide.png"), (b"GIF89a" + b"0" * 20, "logo.gif")):
        response = _post(client, name="某某银行 客户经理学院", logo=(io.BytesIO(bad), name))
        assert response.status_code == 400, name
        assert "标志" in response.text
    assert institution.uploaded_logo() == logo  # the good one stays
    assert _post(client, name="某某银行 客户经理学院", default_logo="y").status_code == 302
    assert institution.uploaded_logo() is None
    html, generated = certificate_html(sample_certificate())
    assert "logo.png" not in generated and "lms-static:/certificates/logo.svg" in html
    actions = [e.action for e in db.session.scalars(select(AuditEvent)
                                                    .where(AuditEvent.object_type == "certificate_issuer"))]
    assert actions.count("certificates.logo_changed") == 2


def test_only_administrators_change_the_institution(client, make_user):
    for roles in (("hr",), ("trainer",), ("learner",)):
        sign_in(client, make_user(roles))
        assert client.get("/system/certificate-issuer").status_code == 403
        assert _post(client, name="x").status_code == 403
        assert client.get("/system/certificate-issuer/sample.pdf").status_code == 403
    assert institution.institution_name() == "某某银行 客户经理学院"


def test_the_logo_limits_read_with_grouped_digits(app, client, make_user):
    """The hint and the refusal wrote "2000 pixels": a size a person reads is grouped, in both languages."""
    admin = make_user(("admin",))
    sign_in(client, admin)
    assert "边长不超过 2,000 像素" in client.get("/system/certificate-issuer").text
    refused = _post(client, name="某某银行 客户经理学院", logo=(io.BytesIO(_png((2001, 10))), "wide.png"))
    assert refused.status_code == 400 and "标志的宽和高不能超过 2,000 像素。" in refused.text
    admin.locale = "en"
    db.session.commit()
    assert "A PNG of at most 512 KB and 2,000 pixels a side." in client.get("/system/certificate-issuer").text
    refused = _post(client, name="某某银行 客户经理学院", logo=(io.BytesIO(_png((10, 2001))), "tall.png"))
    assert "The logo may be at most 2,000 pixels wide and high." in refused.text


def test_a_logo_meeting_a_full_disk_keeps_the_old_one_and_says_why(app, client, make_user, monkeypatch, tmp_path):
    import errno
    import os

    sign_in(client, make_user(("admin",)))
    old = _png(color=(10, 10, 10))
    assert _post(client, name="某某银行 客户经理学院", logo=(io.BytesIO(old), "logo.png")).status_code == 302
    real_write = os.write

    def half_then_full(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", half_then_full)
    monkeypatch.setattr("pathlib.Path.write_bytes",
                        lambda self, data: half_then_full(os.open(self, os.O_WRONLY | os.O_CREAT), data))
    response = _post(client, name="某某银行 客户经理学院", logo=(io.BytesIO(_png()), "new.png"))
    monkeypatch.undo()
    assert response.status_code == 400 and "服务器磁盘已满" in response.text
    assert (tmp_path / "logo.png").read_bytes() == old and institution.uploaded_logo() == old
    assert sorted(p.name for p in tmp_path.iterdir() if "logo" in p.name) == ["logo.png"]
