"""A database error while a CSV download is being made. Before the first block is sent the user
gets the error page (500), not a 200 with a cut file; once rows are out (the status line with
them) the file ends with a line saying it broke off after so many rows and is incomplete, and the
error is raised again, so the server closes the connection without ending the chunked body (the
browser marks the download failed)."""
from __future__ import annotations

import contextvars
import csv
import io

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy.exc import OperationalError

from lms.reports import cells_sql, exports, roster as roster_rules
from tests.conftest import sign_in
from tests.reports.test_roster_year_scale import year  # noqa: F401  (fixture)


def _failing_after(monkeypatch, batches: int):
    """The download's cells fail at batch ``batches + 1`` (batches of 5 learners, blocks of 5 rows)."""
    monkeypatch.setattr(roster_rules, "EXPORT_BATCH", 5)
    monkeypatch.setattr(exports, "CSV_BLOCK", 5)
    real = cells_sql.cells_for
    calls = {"n": 0}

    def cells_for(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > batches:
            raise OperationalError("SELECT attempt.user_id ...", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(cells_sql, "cells_for", cells_for)


def _stream(client, url: str) -> tuple[int, bytes, BaseException | None]:
    """What a server sends: the status, the blocks sent before the body failed, and the error."""
    def run():
        _cv_app.set(None)
        response = FlaskClient.open(client, url)  # not buffered: the body is read block by block
        sent, error = b"", None
        try:
            for block in response.response:
                sent += block
        except Exception as e:  # noqa: BLE001  (the server's side: what it had sent when the body failed)
            error = e
        finally:
            response.close()
        return response.status_code, sent, error

    return contextvars.copy_context().run(run)


def test_an_error_after_rows_were_sent_ends_the_file_with_a_line_saying_it_is_incomplete(
        app, client, year, make_user, monkeypatch):  # noqa: F811
    sign_in(client, make_user(("hr",), employee_no="hr"))
    _failing_after(monkeypatch, batches=2)
    status, body, error = _stream(client, f"/reports/export/roster.csv?programme={year.id}")
    assert status == 200 and isinstance(error, OperationalError)  # raised again: the connection is cut
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 1 + 10 + 1  # the header, the two batches sent, the last line
    assert rows[-1] == ["下载在写出 10 行后中断（服务器出错），本文件不完整，请重新下载。"]


def test_an_error_before_the_first_block_is_the_error_page(app, client, year, make_user, monkeypatch):  # noqa: F811
    sign_in(client, make_user(("hr",), employee_no="hr"))
    _failing_after(monkeypatch, batches=0)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the app's error page, not the test's exception
    response = client.get(f"/reports/export/roster.csv?programme={year.id}")
    assert response.status_code == 500
    assert "Content-Disposition" not in response.headers and "text/html" in response.content_type


@pytest.mark.parametrize("rows", [1, 3])
def test_the_last_line_reads_in_english_too(app, rows):
    with app.test_request_context(), force_locale("en"):
        line = exports.broken_off_line(rows)
    assert line.startswith(f"The download broke off after {rows} row{'s' if rows > 1 else ''} because")
