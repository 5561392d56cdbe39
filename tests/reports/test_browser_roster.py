"""In Chromium: the roster's search filters live on `input` (what a Chinese
input method sends when a word is composed, where key presses are not
reliable), and the state filter swaps the table without a page load."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.conftest import browser_type_launch_args, live_server  # noqa: E402,F401
from tests.conftest import TEST_PASSWORD  # noqa: E402
from tests.reports.helpers import add_attempt, make_programme  # noqa: E402


def test_typing_a_chinese_branch_name_filters_the_roster(page, live_server, clock, make_user, make_branch):
    city = make_branch("ZZ01", "株洲分行")
    tianyuan = make_branch("ZZ0101", "天元支行", parent=city)
    lusong = make_branch("ZZ0102", "芦淞支行", parent=city)
    p = make_programme(4)
    week3 = p.items[2]
    for i, branch in enumerate([tianyuan, tianyuan, lusong, lusong, lusong]):
        u = make_user(employee_no=f"R{i}", name=f"学员{i}", branch=branch, position="teller")
        if i in (0, 2):
            add_attempt(u, week3, 40)
    make_user(("trainer",), employee_no="trainer")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "trainer")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")
    page.click("nav.mainnav >> text=学习进度")
    page.wait_for_url("**/reports/roster")
    rows = page.locator("#report-table tbody tr")
    expect(rows).to_have_count(5)

    page.locator("#q").press_sequentially("天元")
    # The address keeps the filter (back button, sharing): this query's own. Typed key by key on a
    # loaded machine, "天" alone may be sent first, and its answer has the same two rows.
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == ["天元"])
    expect(rows).to_have_count(2)
    page.select_option("#week", str(week3.id))
    page.select_option("#state", "failed")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").first).to_have_text("R0")
    expect(rows.first).to_contain_text("未通过 ×1")

    page.fill("#q", "芦淞")  # one input event, as an input method commits a word
    expect(rows.first.locator("td").first).to_have_text("R2")
    expect(rows).to_have_count(1)
    href = page.locator("#report-table a", has_text="XLSX").get_attribute("href")
    assert "state=failed" in href and f"week={week3.id}" in href
    # A newer filter request replaces one still in flight (hx-sync): htmx logs
    # that abort, and the failed afterRequest it causes, as errors. Anything else is one.
    aborted = [e for e in errors if e.startswith("htmx:sendAbort")]
    after_abort = [e for e in errors if e.startswith("htmx:afterRequest")]
    assert len(after_abort) <= len(aborted)
    assert [e for e in errors if e not in aborted + after_abort] == []
