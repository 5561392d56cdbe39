"""In Chromium: a trainer imports the example GIFT file from the console —
choose the course, upload, read the preview with its keys, publish."""
from pathlib import Path

from tests.browser.conftest import browser_type_launch_args, live_server  # noqa: F401  (fixtures)
from tests.conftest import TEST_PASSWORD
from tests.content.console_samples import content_dir  # noqa: F401  (fixture)

GIFT = Path(__file__).resolve().parents[2] / "examples" / "rm-banking.gift.txt"


def test_trainer_imports_a_gift_file(page, live_server, content_dir, make_user):  # noqa: F811
    make_user(("trainer",), employee_no="trainer-b")
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "trainer-b")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")  # signed in (a goto at once could cut the sign-in's POST short)
    page.goto(live_server + "/console/")
    page.click(".subnav >> text=导入题目")
    page.wait_for_url(live_server + "/console/import/")
    page.select_option("select[name=course]", "products")
    page.set_input_files("input[name=upload]", str(GIFT))
    page.click("#import-form button[type=submit]")
    preview = page.locator("#import-preview")
    assert "courses/products/questions/rm-banking.md" in preview.inner_text()
    assert page.locator("#q-gift-dep-001 li.correct").inner_text().startswith("B.")
    page.click("#import-preview button.primary")
    page.wait_for_url(live_server + "/console/courses/products")
    assert "新增 8 道题" in page.locator(".flash").inner_text()
    assert (content_dir / "courses/products/questions/rm-banking.md").is_file()
