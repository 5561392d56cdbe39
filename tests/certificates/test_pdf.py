"""The certificate PDF: A4 landscape, Chinese in an embedded CJK font with
real glyphs, everything printed as text, a QR code that opens the public
verification page, and a renderer that fetches nothing but our static files."""
from __future__ import annotations

import logging
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import zxingcpp

from lms.certificates import fetcher as fetcher_module
from lms.certificates.fetcher import RefusedURL, StaticOnlyFetcher
from lms.certificates.pdf import render_certificate, write_pdf
from lms.certificates.samples import sample_certificate
from tests.certificates.conftest import pdf_fonts, pdf_page_image, pdf_text

RARE_NAME = "欧阳喆堃"  # 喆 and 堃: outside the commonest few thousand characters


@pytest.fixture
def weasy_warnings(caplog):
    """WeasyPrint's warnings. (Alembic's logging set-up, run by the migrations
    at the start of the session, disables loggers that existed before it: on
    again for the test, or nothing would ever be captured.)"""
    logger = logging.getLogger("weasyprint")
    disabled, logger.disabled = logger.disabled, False
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield lambda: [r.getMessage() for r in caplog.records if r.name == "weasyprint"]
    logger.disabled = disabled


def test_the_pdf_is_a4_landscape_with_the_chinese_name_in_an_embedded_cjk_font(app, tmp_path, weasy_warnings,
                                                                                make_certificate, make_user,
                                                                                make_branch):
    holder = make_user(name=RARE_NAME, employee_no="880123", branch=make_branch("ZZ0101", "天元支行"))
    certificate = make_certificate(holder=holder)
    pdf = certificate.pdf
    assert pdf.startswith(b"%PDF")
    assert not [w for w in weasy_warnings() if ".notdef" in w]  # every character had a glyph
    fonts = pdf_fonts(pdf, tmp_path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line.split("CID", 1)[1] for line in cjk), fonts  # emb yes
    text = pdf_text(pdf)
    for printed in (RARE_NAME, "880123", "天元支行", "客户经理上岗资格", certificate.serial, "2026-03-01", "2028-02-29"):
        assert printed in text, printed
    import subprocess

    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "841.89 x 595.276 pts (A4)" in info  # landscape: wider than high
    assert "Pages:           1" in info


def test_a_character_no_font_has_is_caught_by_the_notdef_warning(app, weasy_warnings):
    """The check above can fail: a character no installed font has (U+30000, CJK Extension G; Extension B
    and the others up to F are printed in HanaMin, see test_rare_names_print_every_glyph_inside_the_page)."""
    render_certificate(sample_certificate(holder_name="李\U00030000"))
    assert any(".notdef" in w for w in weasy_warnings())


def test_the_institution_and_the_labels_are_printed_in_chinese(app):
    text = pdf_text(render_certificate(sample_certificate()))
    assert "某某银行 客户经理学院" in text and "证书编号" in text and "有效期至" in text


def test_names_and_titles_print_as_text_and_fetch_nothing(app, local_server, make_certificate, make_user,
                                                          make_certification):
    hostile = make_user(name=f'<img src="{local_server}/name.png">', employee_no="E<b>1")
    certification = make_certification(slug="evil", title=f"<style>@import '{local_server}/x.css';</style>资格")
    text = pdf_text(make_certificate(holder=hostile, certification=certification).pdf, layout=False).replace("\n", "")
    assert f'<img src="{local_server}/name.png">' in text and "E<b>1" in text
    assert f"<style>@import '{local_server}/x.css';</style>资格" in text
    assert _Recorder.hits == []


def test_the_qr_code_opens_the_verification_page_which_says_valid(app, client, tmp_path, make_certificate):
    app.config["BASE_URL"] = "https://lms.bank.example"
    certificate = make_certificate()
    image = pdf_page_image(certificate.pdf, tmp_path)
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    url = codes[0].text
    assert url == f"https://lms.bank.example/verify/{certificate.verify_code}"
    assert url in pdf_text(certificate.pdf, layout=False).replace("\n", "")  # also printed for typing
    page = client.get(url.removeprefix("https://lms.bank.example"))
    assert page.status_code == 200 and "有效" in page.text


def test_a_forged_host_header_never_reaches_the_qr_code(app, tmp_path, make_certificate):
    # A certificate can be issued inside a learner's own request: its Host header is the learner's choice.
    app.config["BASE_URL"] = "https://academy.bank.example"
    with app.test_request_context("/", base_url="https://evil.example/"):
        certificate = make_certificate()
    url = zxingcpp.read_barcodes(pdf_page_image(certificate.pdf, tmp_path))[0].text
    assert url == f"https://academy.bank.example/verify/{certificate.verify_code}"
    assert "evil.example" not in pdf_text(certificate.pdf, layout=False)


# --- the fetcher: only our static files ----------------------------------------------

class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { background: red; }")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_hostile_document_fetches_nothing(app, local_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    static = app.static_folder
    html = f"""<html><head>
      <link rel="stylesheet" href="{local_server}/x.css">
      <style>@import url("{local_server}/y.css"); body {{ background: url("file://{secret}"); }}</style></head>
      <body><img src="{local_server}/pixel.png"><img src="file:///etc/passwd">
      <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E">
      <img src="ftp://127.0.0.1/x"><img src="lms-static:/../../etc/passwd">
      <img src="lms-static:/css/../../README.md"><img src="lms-generated:nothing-made">
      <object data="file://{secret}"></object><embed src="file:///etc/hostname">
      <iframe src="{local_server}/frame"></iframe><a href="{local_server}/link">x</a>
      <img src="lms-static:/certificates/logo.svg"></body></html>"""
    fetcher = StaticOnlyFetcher(static)
    pdf = write_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert _Recorder.hits == []  # nothing reached the network
    assert "TOP-SECRET" not in pdf_text(pdf)
    refused = " ".join(fetcher.refused)
    for asked in ("/x.css", "/y.css", "secret.txt", "/pixel.png", "/etc/passwd", "data:image", "ftp://",
                  "README.md", "nothing-made"):
        assert asked in refused, asked
    assert "logo.svg" not in refused  # our own static file is served


def test_the_fetcher_refuses_escapes_from_the_static_folder(app, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("body{}")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    (static / "link.txt").symlink_to(outside)  # a link inside pointing outside
    fetcher = StaticOnlyFetcher(static)
    assert fetcher.fetch("lms-static:/ok.css").read() == b"body{}"
    for url in ("lms-static:/link.txt", "lms-static:/../outside.txt", "lms-static:/%2e%2e/outside.txt",
                "lms-static:/", "lms-static:/missing.css", f"file://{outside}", "http://127.0.0.1/",
                "https://example.com/", "data:text/plain,hi", "lms-static:/ok.css\x00.png"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_generated_resources_are_served_only_by_name(app):
    fetcher = StaticOnlyFetcher(app.static_folder, {"qr.svg": ("image/svg+xml", b"<svg/>")})
    assert fetcher.fetch(fetcher_module.generated_url("qr.svg")).read() == b"<svg/>"
    with pytest.raises(RefusedURL):
        fetcher.fetch(fetcher_module.generated_url("other.svg"))


def test_the_printed_verification_address_is_a_link_to_the_whole_address(app, tmp_path, make_certificate):
    """Clicked in a PDF reader, the printed address opens the verification page of this
    certificate: it was plain text, and the reader's own URL detection stopped at the line
    break, opening /verify/ without the code."""
    app.config["BASE_URL"] = "https://lms.bank.example"
    certificate = make_certificate()
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate.pdf)
    links = subprocess.run(["pdfinfo", "-url", str(path)], capture_output=True, check=True, text=True).stdout
    urls = [line.split()[-1] for line in links.splitlines()[1:] if line.strip()]
    assert urls and set(urls) == {f"https://lms.bank.example/verify/{certificate.verify_code}"}, links
