"""HR renews a quarter's expiring certificates in the browser: the expiry
list filtered by position (htmx swaps the table, the selection form with it),
two ticked, the confirmation, one reason, the result on its own address
(Post/Redirect/Get): reloading it renews nothing twice."""
from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from sqlalchemy import func, select

from lms.certificates import issuing
from lms.certificates.models import Certificate
from lms.content.models import Certification
from lms.extensions import db
from tests.conftest import TEST_PASSWORD


def test_hr_ticks_two_certificates_on_the_filtered_list_and_renews_them(page, live_server, make_user, clock):
    make_user(("hr",), employee_no="HR01", name="周人事")
    colleague = make_user(("hr",), employee_no="HR02")
    certification = Certification(slug="rm-qualification", title="客户经理上岗资格", serial_prefix="RMQ",
                                  validity_months=24, renewal_window_days=90, requirements_json="{}")
    db.session.add(certification)
    db.session.commit()
    held = {}
    for days, position, name in [(10, "rm_junior", "赵一"), (40, "rm_junior", "钱二"), (20, "teller", "李四")]:
        person = make_user(("learner",), name=name, position=position, position_start=date(2023, 1, 1))
        issued_on = issuing.add_months(clock.today() + timedelta(days=days), -24)
        held[name] = issuing.issue(person, certification, actor=colleague, reason="存量人员换发", on=issued_on,
                                   render_now=False).id
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "HR01")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/certificates/expiring?within=90")
    expect(page.locator(f"#certificate-{held['李四']}")).to_have_count(1)
    page.select_option("#position", "rm_junior")
    expect(page.locator(f"#certificate-{held['李四']}")).to_have_count(0)  # the teller's row is gone
    expect(page.locator("#renew-matching")).to_have_text("续期全部 2 张证书…")
    page.check(f"#choose-{held['赵一']}")
    page.check(f"#choose-{held['钱二']}")
    page.click("#renew-chosen")
    page.wait_for_url(live_server + "/certificates/renew/preview")
    expect(page.locator("#renewal-summary")).to_contain_text("将续期 2 张证书。")
    expect(page.locator("#renewal-ready tbody tr")).to_have_count(2)
    page.fill("#reason", "2026 年一季度到期批量续期")
    page.click("#renewal-confirm button[type=submit]")
    page.wait_for_url(re.compile(re.escape(live_server) + r"/certificates/renew/[A-Za-z0-9_-]{22}$"))
    expect(page.locator("#renewal-result")).to_contain_text("已续期 2 张证书。")
    expect(page.locator("#renewal-renewed tbody tr")).to_have_count(2)
    result = page.url
    page.reload()  # a GET: the same batch's result, nothing sent again
    expect(page.locator("#renewal-result")).to_contain_text("已续期 2 张证书。")
    assert page.url == result
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 5  # three issued, two renewed
