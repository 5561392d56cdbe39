"""A menu entry and the page it opens call the thing by one name: a newcomer
who clicks 证书 and lands on 证书台账 wonders whether he is in the right place
(the menu said Certificates and Eligibility, the pages Certificate register and
Eligibility register)."""
from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in

# An entry that opens a page of tabs names the tabs together (资格认证与准入规则 → 资格认证 | 准入规则).
TABBED = {"/certifications"}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_each_menu_entry_is_the_heading_of_its_page(client, make_user, locale):
    user = make_user(("learner", "mentor", "trainer", "hr", "branch_manager", "admin"), locale=locale)
    sign_in(client, user)
    nav = re.search(r'<nav class="mainnav".*?</nav>', client.get("/").text, re.S).group(0)
    entries = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert len(entries) >= 15, entries
    for href, label in entries:
        if href == "/" or href in TABBED:
            continue
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", client.get(href).text, re.S).group(1)
        assert re.sub(r"<[^>]+>", "", heading).strip() == label, (href, label, heading)
