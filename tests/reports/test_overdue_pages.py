"""The overdue list's page shows one page of lines (a year of a bank is ~400,000), in the
download's order, with the total of every page and paging links that keep the filters."""
from __future__ import annotations

import csv
import html
import io
import re

from lms.reports import overdue_page
from tests.conftest import sign_in
from tests.reports.test_roster_year_scale import year  # noqa: F401  (fixture)
from tests.test_labels import visible_text


def _lines(page: str) -> list[tuple[str, str, str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    out = []
    for row in body.split("<tr>")[1:]:
        cells = [visible_text(c).strip() for c in re.split(r"<td[^>]*>", row)[1:]]
        out.append((cells[0], cells[3], cells[6]))
    return out


def _next(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)"[^>]*>下一页', page)
    return html.unescape(found.group(1)) if found else None


def _download(client, url: str) -> list[tuple[str, str, str]]:
    rows = list(csv.reader(io.StringIO(client.get(url).data.decode("utf-8-sig"))))
    return [(r[0], r[4], r[7]) for r in rows[1:]]


def test_the_pages_walk_the_downloads_lines_in_order_under_its_total_and_keep_the_filters(app, client, year, make_user,
                                                                     monkeypatch):  # noqa: F811
    monkeypatch.setattr(overdue_page, "PAGE_SIZE", 7)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    for query in (f"programme={year.id}", f"programme={year.id}&state=failed"):
        every = _download(client, f"/reports/export/overdue.csv?{query}")
        assert len(every) > 14  # more than two pages
        url, seen, pages = f"/reports/overdue?{query}", [], 0
        while url:
            page = client.get(url).text
            lines = _lines(page)
            assert len(lines) <= 7 and f"{len(every)} 项逾期" in page  # the count is the total, on every page
            seen += lines
            pages += 1
            url = _next(page)
            if url:
                assert "state=failed" in url or "state" not in query  # the filter kept
        assert seen == every and pages == -(-len(every) // 7)

    # A page past the last is the last; the search stays in the links.
    every = _download(client, f"/reports/export/overdue.csv?programme={year.id}&q=学员1")
    page = client.get(f"/reports/overdue?programme={year.id}&q=学员1&page=999").text
    last = -(-len(every) // 7)
    assert f"第 {last} 页，共 {last} 页" in visible_text(page)
    assert _lines(page) == every[(last - 1) * 7:]
    previous = html.unescape(re.search(r'<a href="([^"]+)"[^>]*>← ', page).group(1))
    assert "q=%E5%AD%A6%E5%91%981" in previous and f"page={last - 1}" in previous


def test_the_overdue_lines_per_due_day_are_counted_as_learner_by_learner():
    """``group_counts`` (every learner's weeks at once) equals the count learner by learner and
    due day, for masks of a few weeks, of a year's 52 and of more than 64, empty masks among them."""
    import random

    chance = random.Random(20261202)
    for width in (1, 3, 52, 70):
        masks = [0, (1 << width) - 1] + [chance.getrandbits(width) for _ in range(300)]
        bits = list(range(width))
        chance.shuffle(bits)
        groups = [sum(1 << i for i in bits[k::4]) for k in range(min(4, width))] + [0]
        assert overdue_page.group_counts(masks, groups, width) == [
            sum((mask & group).bit_count() for mask in masks) for group in groups]
    assert overdue_page.group_counts([], [3, 1], 2) == [0, 0]
