"""What a phone on a slow bank network keeps of the app's own files: the
stylesheet and scripts are addressed by a fingerprint of their content and kept
for a year (a deploy changes the address); anything else stays no-store.

Before: ``/static/css/app.css`` was linked without a fingerprint and answered
``no-cache``, so every page cost a revalidation per file, and the nginx
``expires 7d`` the README advised kept yesterday's script after a deploy."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tests.conftest import sign_in

STATIC = Path(__file__).resolve().parent.parent / "static"


def _linked(html: str) -> dict[str, str]:
    """path under /static/ → its v= as the page links it."""
    return {m[1]: m[2] for m in re.finditer(r'(?:href|src)="/static/([^"?]+)\?v=([0-9a-f]+)"', html)}


def test_every_static_file_a_page_links_carries_the_fingerprint_of_its_content(client, make_user):
    sign_in(client, make_user(("learner",)))
    linked = _linked(client.get("/").text)
    assert {"css/app.css", "js/app.js", "vendor/htmx-2.0.11.min.js"} <= set(linked)
    for path, v in linked.items():
        assert v == hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12], path


def test_a_fingerprinted_file_is_kept_for_a_year_and_not_revalidated(client, make_user):
    sign_in(client, make_user(("learner",)))
    linked = _linked(client.get("/").text)
    assert {"css/app.css", "js/app.js", "vendor/htmx-2.0.11.min.js"} <= set(linked)
    for path, v in linked.items():
        response = client.get(f"/static/{path}?v={v}")
        assert response.status_code == 200
        cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
        assert cache == {"public", "max-age=31536000", "immutable"}, (path, cache)


def test_a_file_asked_without_its_current_fingerprint_is_revalidated(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache", url
        etag = response.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    from lms.static_files import Fingerprints

    (tmp_path / "a.css").write_text("body{color:red}")
    prints = Fingerprints(str(tmp_path))
    first = prints.of("a.css")
    (tmp_path / "a.css").write_text("body{color:blue;}")
    assert prints.of("a.css") not in (None, first)
    assert prints.of("../a.css") is None and prints.of("missing.css") is None


def test_pages_stay_out_of_every_cache(client, make_user):
    sign_in(client, make_user(("learner",)))
    assert client.get("/").headers["Cache-Control"] == "no-store"
