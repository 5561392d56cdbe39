"""The academy's address (LMS_BASE_URL) starts every absolute link the app
hands out — the certificate's QR code and printed address above all. It never
comes from the request: a certificate can be issued inside a learner's own
request, whose Host header the learner chooses. The served app does not start
without it in production, and nothing builds an address without it; a malformed value is refused with what is wrong."""
from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys

import pytest
import zxingcpp

from lms import create_app
from lms.certificates.qr import verification_url
from lms.config import ConfigError, parse_base_url
from tests.certificates.conftest import pdf_page_image, pdf_text
from tests.conftest import BASE_CONFIG

FORGED = "https://evil.example/"
ROOT = Path(__file__).resolve().parents[2]


def _production(**config):
    return {**BASE_CONFIG, "TESTING": False, "DEBUG": False, **config}


def test_the_served_app_refuses_to_start_without_lms_base_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("LMS_BASE_URL", "FLASK_DEBUG", "FLASK_RUN_FROM_CLI")}
    env.update(LMS_INSTANCE_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
               SECRET_KEY="0123456789abcdef" * 4, LMS_AUDIT_KEY="fedcba9876543210" * 4)
    served = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert served.returncode != 0
    assert "LMS_BASE_URL is not set" in served.stderr
    assert "Traceback" not in served.stderr
    env["LMS_BASE_URL"] = "https://academy.bank.example"
    assert subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env).returncode == 0


def test_a_production_command_without_it_builds_no_address_and_says_why(monkeypatch):
    monkeypatch.delenv("LMS_BASE_URL", raising=False)
    app = create_app(_production())  # `flask content check` and the like run without it
    with app.app_context(), pytest.raises(ConfigError, match="LMS_BASE_URL is not set"):
        verification_url("ABCD-2345")


def test_a_production_app_reads_lms_base_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("LMS_BASE_URL", "https://academy.bank.example/lms/")
    app = create_app(_production())
    assert app.config["BASE_URL"] == "https://academy.bank.example/lms"
    with app.app_context():
        assert verification_url("ABCD-2345") == "https://academy.bank.example/lms/verify/ABCD-2345"


@pytest.mark.parametrize("value, problem", [
    ("academy.bank.example", "http:// or https://"),
    ("ftp://academy.bank.example", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("https://", "names no host"),
    ("https://academy.bank.example/?next=x", "query"),
    ("https://academy.bank.example/#top", "fragment"),
    ("https://user:pw@academy.bank.example", "user name or password"),
    ("https://academy.bank.example:99999", "not a valid address"),
    ("https://academy bank.example", "spaces"),
])
def test_a_malformed_lms_base_url_is_refused_saying_what_is_wrong(monkeypatch, value, problem):
    with pytest.raises(ConfigError, match="LMS_BASE_URL") as refused:
        parse_base_url(value)
    assert problem in str(refused.value)
    monkeypatch.setenv("LMS_BASE_URL", value)
    with pytest.raises(ConfigError, match="LMS_BASE_URL"):
        create_app(_production())


def test_a_debug_app_starts_without_it():
    app = create_app({**_production(), "DEBUG": True})
    assert app.config["BASE_URL"] is None


def test_a_forged_host_never_reaches_the_pdf_even_without_lms_base_url(app, tmp_path, make_certificate):
    # A test app may run without it (production may not); the request's host is still never used.
    app.config["BASE_URL"] = None
    with app.test_request_context("/", base_url=FORGED):
        certificate = make_certificate()
        assert verification_url("ABCD-2345") == "http://localhost/verify/ABCD-2345"
    url = zxingcpp.read_barcodes(pdf_page_image(certificate.pdf, tmp_path))[0].text
    assert url == f"http://localhost/verify/{certificate.verify_code}"
    assert "evil.example" not in pdf_text(certificate.pdf, layout=False)


def test_a_forged_host_never_reaches_the_verification_url_when_it_is_set(app):
    app.config["BASE_URL"] = "https://academy.bank.example"
    with app.test_request_context("/", base_url=FORGED):
        assert verification_url("ABCD-2345") == "https://academy.bank.example/verify/ABCD-2345"
