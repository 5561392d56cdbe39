"""The link walker of the page tests: from the pages a user starts at, follow
every link and ``hx-get`` a page shows, open each endpoint once (its first
URL) and judge every HTML page it answers with.

Used by tests/test_every_page.py (the demo, as every role) and
tests/test_fresh_install.py (a fresh install, as each new user); each gives
its own judge of a page (``check``), its own expected status, and reads back
what was opened.
"""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

# Links that are not followed: leaving the page's world, or ending the session.
NOT_FOLLOWED = ("http:", "https:", "mailto:", "#", "javascript:")


@dataclass
class Walk:
    """What a walk saw: the problems found (each naming its URL), each page's
    HTML by path, and the endpoints it opened with a good answer."""

    errors: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    opened: set[str] = field(default_factory=set)
    requests: int = 0  # the GETs made, redirects included

    @property
    def visited(self) -> int:
        return len(self.opened)


def empty_tables(html: str) -> list[str]:
    """Tables whose body has no row: a blank table says nothing to a new user."""
    found = []
    for match in re.finditer(r"<table\b.*?</table>", html, flags=re.S):
        table = match.group(0)
        body = re.search(r"<tbody\b[^>]*>(.*?)</tbody>", table, flags=re.S)
        if body is not None and "<tr" not in body.group(1):
            head = re.sub(r"<[^>]+>", " ", table[:300])
            found.append("a table with no row: " + " ".join(head.split())[:80])
    return found


def walk(app, client, *, starts: Iterable[str] = ("/",),
         check: Callable[[str], tuple[list[str], list[str]]],
         expected_status: Callable[[str], int] = lambda url: 200) -> Walk:
    """Walk from ``starts``. ``check(html)`` gives a page's problems and the
    links it shows; ``expected_status(url)`` the status a URL should end with
    once redirects are followed (a page that says "not found" on purpose)."""
    adapter = app.url_map.bind("localhost")
    result = Walk()
    seen_urls: set[str] = set()
    seen_endpoints: set[str] = set()
    queue = deque([(url, "(start)") for url in starts])
    while queue:
        url, came_from = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.path.endswith("/logout"):
            continue
        try:
            endpoint, _args = adapter.match(parts.path, method="GET")
        except Exception:  # noqa: BLE001 — a link to nothing the app serves
            result.errors.append(f"{url} (linked from {came_from}) matches no route")
            continue
        if endpoint == "static" or endpoint in seen_endpoints:
            continue
        seen_endpoints.add(endpoint)
        response = client.get(url)
        result.requests += 1
        hops = 0
        while response.status_code in (301, 302, 303) and hops < 5:
            url = urljoin(url, response.headers["Location"])
            response = client.get(url)
            result.requests += 1
            hops += 1
        if response.status_code != expected_status(url):
            result.errors.append(f"{url} (linked from {came_from}): {response.status_code}")
            continue
        result.opened.add(endpoint)
        try:  # where the redirects led counts as opened too
            landed, _args = adapter.match(urlsplit(url).path, method="GET")
            result.opened.add(landed)
            seen_endpoints.add(landed)
        except Exception:  # noqa: BLE001
            pass
        if "html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        result.pages[urlsplit(url).path] = html
        problems, links = check(html)
        result.errors.extend(f"{url}: {p}" for p in problems)
        for href in links:
            if href.startswith(NOT_FOLLOWED):
                continue
            queue.append((urljoin(url, href).split("#")[0], url))
    return result
