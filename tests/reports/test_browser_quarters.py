"""In Chromium at 1280 px, as HR at quarter end: the 警示教育 roster narrowed to one quarter and
its missed people by the filter form (the table swapped, the address bookmarkable, the download
following), then the branch totals of that quarter saying the same number."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.conftest import browser_type_launch_args, live_server  # noqa: E402,F401
from tests.conftest import TEST_PASSWORD  # noqa: E402
from tests.reports.test_quarterly_reports import _people  # noqa: E402
from tests.reports.test_roster_pages import bank  # noqa: E402,F401  (fixture)


def test_hr_finds_who_missed_the_last_quarter(page, live_server, bank, make_user, clock):  # noqa: F811
    warning, _people_ = _people(bank, make_user)
    clock.freeze(datetime(2026, 7, 2, 2, 0))  # Q2 is over
    make_user(("hr",), employee_no="hr")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "hr")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/reports/roster?programme={warning.id}")
    rows = page.locator("#report-table tbody tr")
    expect(rows).to_have_count(5)  # the RMs: T2, T4, T5, T6 (天元支行) and L2 (芦淞支行)

    page.select_option("#quarter", "2026-Q2")
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("quarter") == ["2026-Q2"])
    page.select_option("#state", "overdue")
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("state") == ["overdue"])
    expect(rows).to_have_count(4)
    expect(page.locator("#report-table th.chosen")).to_have_text("2026 年第 2 季度")
    href = page.locator("#report-table a", has_text="CSV").get_attribute("href")
    assert "quarter=2026-Q2" in href and "state=overdue" in href

    page.reload()  # bookmarkable: the address alone gives the same table
    expect(rows).to_have_count(4)
    expect(page.locator("#quarter")).to_have_value("2026-Q2")

    page.click("nav.tabs >> text=机构汇总")
    page.select_option("#quarter", "2026-Q2")
    total = page.locator("#totals-week-2026-Q2 tr.sum td").last
    expect(total).to_have_text("4")  # the four missed lines above
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280  # nothing pushes the page sideways at 1280 px
