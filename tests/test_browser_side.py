"""What reaches the browser: redirects after sign-in, what a shared PC's
browser may keep, the headers of files a trainer uploads, HSTS, and
spreadsheets Excel opens."""
from __future__ import annotations

import csv
import hashlib
import io

import pytest

from lms.reports.exports import csv_safe, to_csv
from tests.conftest import TEST_PASSWORD, sign_in

# Browsers read "\" as "/" and drop tabs and newlines from a URL: read that
# way, each of these leads to another site, though it starts with one "/".
OFFSITE = ["/\\evil.example/x", "/\\/evil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example",
           "//evil.example", "https://evil.example", "/%5C%5Cevil.example", " //evil.example"]


def _where_a_browser_goes(location: str) -> str:
    """The host a browser's URL parser finds in a Location header ('' = this site)."""
    from urllib.parse import urljoin, urlsplit

    read = location.strip().replace("\\", "/").replace("\t", "").replace("\n", "").replace("\r", "")
    return urlsplit(urljoin("https://academy.bank.internal/login", read)).netloc


@pytest.mark.parametrize("target", OFFSITE)
def test_sign_in_never_sends_the_browser_to_another_site(client, make_user, target):
    make_user(employee_no="1001")
    response = client.post("/login", query_string={"next": target},
                           data={"employee_no": "1001", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert _where_a_browser_goes(response.headers["Location"]) == "academy.bank.internal"


@pytest.mark.parametrize("target", OFFSITE)
def test_changing_the_language_never_sends_the_browser_to_another_site(client, target):
    response = client.post("/language", data={"lang": "en", "next": target, "csrf_token": client.csrf_token()})
    assert response.status_code == 302
    assert _where_a_browser_goes(response.headers["Location"]) == "academy.bank.internal"


def test_a_local_next_address_is_still_followed(client, make_user):
    make_user(employee_no="1001")
    response = client.post("/login", query_string={"next": "/me?tab=1"},
                           data={"employee_no": "1001", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/me?tab=1"


# --- what a shared PC's browser keeps -------------------------------------------

@pytest.mark.parametrize("url", ["/eligibility/monitor.csv", "/eligibility/monitor.xlsx",
                                 "/certificates/export.csv", "/org/people/import/template.xlsx"])
def test_downloads_are_not_kept_by_the_browser(client, make_user, url):
    """An HR export on a bank's shared PC: after sign-out, the browser's cache
    must not hand the next person the register."""
    sign_in(client, make_user(("hr",)))
    response = client.get(url)
    assert response.status_code == 200, url
    assert "no-store" in response.headers.get("Cache-Control", ""), url


def test_static_files_may_still_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


# --- files a trainer uploads, served back ---------------------------------------

def _asset(app, make_course, path, data, mimetype):
    from lms.content.models import Asset
    from lms.extensions import db

    course = make_course()
    db.session.add(Asset(course_id=course.id, path=path, data=data, mimetype=mimetype,
                         content_hash=hashlib.sha256(data + path.encode()).hexdigest()))
    db.session.commit()
    return course


HTML_AS_PNG = b"<html><body><script>alert(document.cookie)</script></body></html>"


def test_an_uploaded_file_runs_no_script_even_opened_on_its_own(app, client, make_user, make_course):
    """An HTML page renamed flow.png (or a polyglot): nosniff keeps the browser
    from reading it as HTML, and the file's own CSP forbids every script and
    puts it in a sandbox (no cookies, no same-origin access) if it ever were."""
    course = _asset(app, make_course, "images/flow.png", HTML_AS_PNG, "image/png")
    sign_in(client, make_user())
    response = client.get(f"/assets/{course.slug}/images/flow.png")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "frame-ancestors 'none'" in csp
    assert "no-store" not in response.headers["Cache-Control"]  # lesson images may be cached


def test_a_document_is_a_download_with_the_same_protection(app, client, make_user, make_course):
    course = _asset(app, make_course, "attachments/手册.pdf", b"%PDF-1.4 <script>x</script>", "application/pdf")
    sign_in(client, make_user())
    response = client.get(f"/assets/{course.slug}/attachments/手册.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E6%89%8B%E5%86%8C.pdf" in response.headers["Content-Disposition"]
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["../secret.png", "images/../../x.png", "%2e%2e/x.png", "images/x.svg"])
def test_an_asset_path_cannot_leave_the_course(app, client, make_user, make_course, path):
    course = _asset(app, make_course, "images/flow.png", b"\x89PNG", "image/png")
    sign_in(client, make_user())
    assert client.get(f"/assets/{course.slug}/{path}").status_code == 404


# --- HSTS ---------------------------------------------------------------------------

def test_hsts_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"] \
        == "max-age=31536000"


def test_hsts_lifetime_is_configurable_and_can_be_turned_off(app, client):
    app.config["HSTS_SECONDS"] = 600
    assert client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"] == "max-age=600"
    app.config["HSTS_SECONDS"] = 0
    assert "Strict-Transport-Security" not in client.get("/login", base_url="https://localhost").headers


# --- spreadsheets Excel opens ------------------------------------------------------

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", " =HYPERLINK(\"http://x\")", "\u3000=1+1",
            "＝1+1", "＋1", "－1", "＠SUM(A1)", "  @x"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_csv_cell_that_excel_could_read_as_a_formula_stays_text(text):
    assert csv_safe(text) == "'" + text
    cell = list(csv.reader(io.StringIO(to_csv(["h"], [[text]]).decode("utf-8-sig"))))[1][0]
    assert cell.startswith("'")


@pytest.mark.parametrize("text", ["张三", "E1001", "1+1", "a=b", " 张三", "李-四"])
def test_ordinary_text_is_unchanged(text):
    assert csv_safe(text) == text


def test_the_initial_passwords_file_is_formula_safe():
    from lms.org.imports import ImportResult, passwords_csv

    result = ImportResult(created=3, updated=0, unchanged=0, passwords=[("E1", "\t=cmd|' /C calc'!A0", "pw-1"), ("E2", " =1+1", "pw-2"), ("E3", "张三", "pw-3")])
    rows = list(csv.reader(io.StringIO(passwords_csv(result).decode("utf-8-sig"))))
    assert rows[1][1].startswith("'") and rows[2][1].startswith("'")
    assert rows[3][1] == "张三"


# --- htmx history ---------------------------------------------------------------

def test_a_history_restore_gets_the_whole_page_not_the_fragment(client, make_user):
    """Back to an address htmx pushed (a filtered register) fetches it with
    HX-Request *and* HX-History-Restore-Request, and htmx puts the answer in
    place of the whole <body>: a fragment there left the page without its
    menu, heading and way home."""
    sign_in(client, make_user(("hr",)))
    fragment = client.get("/certificates/?q=张", headers={"HX-Request": "true"})
    assert "<nav" not in fragment.text and "<h1" not in fragment.text
    restored = client.get("/certificates/?q=张", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert restored.status_code == 200
    assert "<h1" in restored.text and "<nav" in restored.text and 'id="certificate-table"' in restored.text


def test_htmx_keeps_no_copies_of_pages_in_the_browser(client, make_user):
    """htmx's history cache keeps up to ten pages' HTML (registers, rosters)
    in the tab's sessionStorage, where it outlives sign-out on a shared PC.
    The app keeps none (historyCacheSize 0) and Back loads the page from the
    server again, with its checks (refreshOnHistoryMiss)."""
    import json
    import re

    sign_in(client, make_user(("hr",)))
    html = client.get("/").text
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', html).group(1))
    assert config["historyCacheSize"] == 0 and config["refreshOnHistoryMiss"] is True


def test_signed_out_htmx_requests_come_back_to_their_page_after_sign_in(client, make_user):
    """The bell's poll (or an autosave) after the session ended: the browser
    goes to the sign-in page and, signed in again, back to the page it was on
    (HX-Current-URL), not to /notifications/bell, a bare fragment."""
    from urllib.parse import parse_qs, urlsplit

    poll = client.get("/notifications/bell", headers={"HX-Request": "true",
                                                       "HX-Current-URL": "http://localhost/courses?x=1"})
    assert poll.status_code == 401
    login = poll.headers["HX-Redirect"]
    assert parse_qs(urlsplit(login).query)["next"] == ["/courses?x=1"]
    # A page of another site is never where the sign-in leads.
    other = client.get("/notifications/bell", headers={"HX-Request": "true",
                                                        "HX-Current-URL": "https://evil.example/x"})
    assert "evil" not in other.headers["HX-Redirect"]
    make_user(employee_no="1001")
    signed_in = client.post(login, data={"employee_no": "1001", "password": TEST_PASSWORD})
    assert signed_in.headers["Location"] == "/courses?x=1"


def test_a_course_file_name_with_control_or_direction_characters_downloads_safely(app, client, make_user,
                                                                                     make_course):
    """A zip member named with a carriage return answered a server error (a
    header may not hold one); one with a right-to-left override showed
    "手册\\u202efdp.exe" as "手册exe.pdf" in the download bar."""
    from urllib.parse import quote

    course = _asset(app, make_course, "attachments/a\rb.pdf", b"%PDF-1.4", "application/pdf")
    from lms.content.models import Asset
    from lms.extensions import db

    db.session.add(Asset(course_id=course.id, path="attachments/手册\u202eexe.pdf", data=b"%PDF-1.4",
                         mimetype="application/pdf", content_hash="rlo"))
    db.session.commit()
    sign_in(client, make_user())
    # Such names are refused in an uploaded zip (tests/content/test_console_upload.py); one
    # published from a folder is not reachable either: an address holding a control
    # character is refused before any view runs.
    response = client.get(f"/assets/{course.slug}/" + quote("attachments/a\rb.pdf"))
    assert response.status_code == 400
    spoof = client.get(f"/assets/{course.slug}/" + quote("attachments/手册\u202eexe.pdf"))
    assert spoof.status_code == 200
    assert "%E2%80%AE" not in spoof.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E6%89%8B%E5%86%8Cexe.pdf" in spoof.headers["Content-Disposition"]


def test_an_xlsx_export_with_a_non_character_in_a_name_still_opens():
    """A name pasted with U+FFFF (or U+FFFE) in it made the roster's XLSX a
    file Excel calls damaged: XML cannot carry those characters."""
    import openpyxl

    from lms.reports.exports import to_xlsx

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx("名单", ["姓名\ufffe"], [["张\uffff三"], ["=1+1"]])))
    assert [[c.value for c in row] for row in book.active.iter_rows()] == [["姓名"], ["张三"], ["=1+1"]]
    assert book.active["A3"].data_type == "s"


def test_the_question_bank_export_opens_whatever_a_stem_holds():
    """A stem with a vertical tab (pasted from Word) made the export a server
    error; one with U+FFFF made a workbook Excel calls damaged."""
    import openpyxl

    from lms.content.importers.xlsx_export import export_xlsx
    from lms.content.source.parser import parse_question_bank

    questions, problems = parse_question_bank("## s-1\ntype: single\n\n题\x0b干\uffff\n\n- [x] 甲\x07\n- [ ] 乙\n",
                                              "courses/p/questions/q.md", "p")
    assert problems == []
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(questions)))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row if c.value is not None]
    assert "题干" in values and "甲" in values
