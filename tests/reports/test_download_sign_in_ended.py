"""A download that is still being sent when its sign-in ends: signed out in another tab,
deactivated by an administrator, the role that opens the page taken away, or every session
ended (HR's password reset). The rest is not sent: a CSV ends with a last line saying the
download was stopped because the sign-in ended, an XLSX is broken off, and either way the
server breaks the connection off so the browser marks the download failed."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from lms.auth.session_check import SignInEnded
from lms.extensions import db
from lms.org import services as org_services
from lms.org.models import User
from lms.reports import exports, roster as roster_rules
from lms.reports import views as report_views
from tests.conftest import sign_in
from tests.reports.helpers import make_programme
from tests.streaming import Stream

STOPPED = "下载在写出 5 行后停止：您的登录已结束（已退出、账号被停用、角色被取消或会话被终止），本文件不完整。请重新登录后再下载。"


def _signed_out_elsewhere(client, user, admin):
    assert client.post("/logout").status_code == 302  # the same browser, another tab


def _deactivated(client, user, admin):
    org_services.deactivate(user, "离职", actor=admin)


def _role_removed(client, user, admin):
    org_services.set_roles(user, ("learner",), actor=admin)


def _sessions_ended(client, user, admin):
    org_services.reset_password(user, actor=admin)


ENDINGS = [_signed_out_elsewhere, _deactivated, _role_removed, _sessions_ended]


@pytest.fixture
def year(app, clock, make_user):
    """Twelve learners in a programme whose first two weeks are due already (overdue for all)."""
    programme = make_programme(3)
    for i in range(12):
        make_user(employee_no=f"R{i:02d}", name=f"学员{i}")
    return programme


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(roster_rules, "EXPORT_BATCH", 5)
    monkeypatch.setattr(exports, "CSV_BLOCK", 5)


@pytest.mark.parametrize("end", ENDINGS, ids=lambda f: f.__name__.strip("_"))
def test_the_roster_csv_stops_at_the_next_block_once_the_sign_in_ends(
        app, client, year, make_user, small_blocks, end):
    hr, admin = make_user(("hr",), employee_no="hr"), make_user(("admin",), employee_no="admin")
    sign_in(client, hr)
    stream = Stream(client, f"/reports/export/roster.csv?programme={year.id}")
    assert stream.status_code == 200
    stream.read_block()  # the header and the first five learners
    end(client, hr, admin)
    rows = stream.read_rest().csv_rows()
    assert isinstance(stream.error, SignInEnded)  # raised: the connection is broken off
    assert len(rows) == 1 + 5 + 1  # the header, the five rows sent before, the last line
    assert rows[-1] == [STOPPED]


def test_while_the_sign_in_holds_the_whole_roster_is_sent(app, client, year, make_user, small_blocks):
    sign_in(client, make_user(("hr",), employee_no="hr"))
    stream = Stream(client, f"/reports/export/roster.csv?programme={year.id}").read_rest()
    assert stream.error is None and len(stream.csv_rows()) == 1 + 12


def test_the_overdue_csv_stops_too(app, client, year, make_user, monkeypatch):
    monkeypatch.setattr(exports, "CSV_BLOCK", 5)
    hr, admin = make_user(("hr",), employee_no="hr"), make_user(("admin",), employee_no="admin")
    sign_in(client, hr)
    stream = Stream(client, f"/reports/export/overdue.csv?programme={year.id}")
    stream.read_block()
    _deactivated(client, hr, admin)
    rows = stream.read_rest().csv_rows()
    assert isinstance(stream.error, SignInEnded) and len(rows) == 1 + 5 + 1 and rows[-1] == [STOPPED]


def test_an_xlsx_being_sent_is_broken_off(app, client, year, make_user, monkeypatch):
    monkeypatch.setattr(exports, "FILE_BLOCK", 1024)
    hr, admin = make_user(("hr",), employee_no="hr"), make_user(("admin",), employee_no="admin")
    sign_in(client, hr)
    stream = Stream(client, f"/reports/export/roster.xlsx?programme={year.id}")
    length = int(stream.response.headers["Content-Length"])
    assert stream.read_block() and length > 2048
    _sessions_ended(client, hr, admin)
    stream.read_rest()
    assert isinstance(stream.error, SignInEnded) and len(stream.sent) == 1024 < length


def _ending_while_written(monkeypatch, user_id: int, column, value):
    """The roster's rows, with the account changed (on a connection of its own, as another
    request would) once the XLSX's first rows are written."""
    real = report_views.tables.roster_table

    def roster_table(result):
        headers, rows = real(result)

        def rows_then_end():
            for n, row in enumerate(rows, start=1):
                if n == 3:
                    with db.engine.begin() as connection:
                        connection.execute(update(User).where(User.id == user_id).values({column: value}))
                yield row

        return headers, rows_then_end()

    monkeypatch.setattr(report_views.tables, "roster_table", roster_table)


def test_an_xlsx_whose_sign_in_ends_while_it_is_written_is_not_sent(app, client, year, make_user,
                                                                    small_blocks, monkeypatch):
    hr = make_user(("hr",), employee_no="hr")
    sign_in(client, hr)
    _ending_while_written(monkeypatch, hr.id, "session_version", hr.session_version + 1)
    answer = client.get(f"/reports/export/roster.xlsx?programme={year.id}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert "Content-Disposition" not in answer.headers


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_eligibility_register_made_in_the_view_is_not_handed_over_once_the_sign_in_ended(
        app, client, make_user, monkeypatch, fmt):
    """The register of the whole bank is made before the first byte: a deactivation meanwhile
    (here: while its rows are made) answers the sign-in page, not the file."""
    from lms.eligibility import views as eligibility_views

    hr = make_user(("hr",), employee_no="hr")
    make_user(employee_no="R01", name="学员1")
    sign_in(client, hr)
    real = eligibility_views.reg.export_table

    def export_table(*args, **kwargs):
        with db.engine.begin() as connection:
            connection.execute(update(User).where(User.id == hr.id).values(active=False))
        return real(*args, **kwargs)

    monkeypatch.setattr(eligibility_views.reg, "export_table", export_table)
    answer = client.get(f"/eligibility/export.{fmt}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert "Content-Disposition" not in answer.headers


def test_the_roster_csv_stops_once_the_twelve_hours_since_sign_in_are_up(app, client, clock, year, make_user,
                                                                        small_blocks):
    """A download begun five minutes before the session's absolute lifetime ends (12 hours after
    sign-in, however active) sends no row made after it: a slow reader (or a stolen cookie's
    holder) cannot keep a sign-in alive by keeping one download open."""
    from datetime import timedelta

    from lms.security import SINCE_KEY, epoch_now

    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=12)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    with client.session_transaction() as sess:  # signed in 11 h 55 min ago
        sess[SINCE_KEY] = epoch_now() - (12 * 3600 - 5 * 60)
    stream = Stream(client, f"/reports/export/roster.csv?programme={year.id}")
    assert stream.status_code == 200
    stream.read_block()
    clock.advance(timedelta(minutes=6))
    rows = stream.read_rest().csv_rows()
    assert isinstance(stream.error, SignInEnded)
    assert len(rows) == 1 + 5 + 1 and rows[-1] == [STOPPED]
