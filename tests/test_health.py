"""GET /health for the proxy and monitoring: open without signing in, plain
text, and it really asks the database (and whether ``flask db upgrade`` ran)."""
from __future__ import annotations

from lms import create_app
from lms.main import health
from tests.conftest import BASE_CONFIG


def test_ok_without_signing_in_and_nothing_else(client):
    response = client.get("/health")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")
    assert response.mimetype == "text/plain"
    assert "no-store" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers


def test_a_database_that_does_not_answer_is_503(tmp_path):
    broken = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'no' / 'such.sqlite3'}"})
    response = broken.test_client().get("/health")
    assert (response.status_code, response.get_data(as_text=True)) == (503, "database unavailable\n")


def test_new_code_on_a_schema_not_yet_upgraded_is_503(client, monkeypatch):
    monkeypatch.setattr(health, "code_head", lambda directory: "ffffffffffff")  # a release one migration ahead
    response = client.get("/health")
    assert (response.status_code, response.get_data(as_text=True)) == \
        (503, "database schema not upgraded: run flask db upgrade\n")
