"""In Chromium: a trainer opens the programme's schedule from the console,
moves week 4 by a week in the form, checks, reads the calendar and the diff,
and publishes; the console shows the new dates. No console errors."""
from __future__ import annotations

from datetime import timedelta

from tests.conftest import TEST_PASSWORD
from tests.schedule.samples import schedule_dir, this_monday  # noqa: F401


def test_trainer_moves_week_4_by_a_week_and_publishes(page, live_server, schedule_dir, make_user):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    make_user(("trainer",), employee_no="trainer01", name="陈培训")
    monday = this_monday()
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "trainer01")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")

    page.goto(live_server + "/console/programmes/rm-foundation")
    page.click("text=编辑培训安排")
    page.wait_for_url("**/console/schedule/programmes/rm-foundation")
    page.fill("#weeks-3-opens", (monday + timedelta(days=7)).isoformat())
    page.fill("#weeks-3-due", (monday + timedelta(days=13)).isoformat())
    with page.expect_navigation():  # the whole page, loaded: the form posts to its own address
        page.click("button[value=review]")
    page.wait_for_selector("#schedule-clean")
    moved = page.locator("#calendar-week-4")
    assert "moved" in (moved.get_attribute("class") or "")
    assert (monday + timedelta(days=7)).isoformat() in moved.inner_text()
    assert f"+    opens: {(monday + timedelta(days=7)).isoformat()}" in page.locator("#schedule-diff").inner_text()
    assert (monday + timedelta(days=14)).isoformat() in page.locator("#calendar-week-5").inner_text()
    page.click("#schedule-publish")
    page.wait_for_url("**/console/programmes/rm-foundation")
    assert "已发布 programmes/rm-foundation.yaml" in page.content()
    assert (monday + timedelta(days=13)).isoformat() in page.locator("#programme-weeks").inner_text()
    text = (schedule_dir / "programmes" / "rm-foundation.yaml").read_text(encoding="utf-8")
    assert f"    opens: {(monday + timedelta(days=7)).isoformat()}\n" in text
    assert problems == []
