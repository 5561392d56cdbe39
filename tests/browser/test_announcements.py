"""A screen reader hears a flash message once: it comes with a page just loaded (post-redirect-get),
where a live region already present is not read out, so the page says it through its empty polite
region after loading."""
from __future__ import annotations

from playwright.sync_api import expect


def test_a_flash_message_is_said_through_the_pages_live_region(page, live_server):
    page.goto(f"{live_server}/login")
    announcer = page.locator("#page-announcer")
    assert announcer.get_attribute("aria-live") == "polite" and announcer.text_content() == ""
    page.get_by_role("button", name="English").click()
    expect(page.locator("#page-announcer")).to_have_text("Language changed.")
    expect(page.locator("#main > .flash")).to_have_text("Language changed.")
