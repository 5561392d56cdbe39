from tests.conftest import sign_in


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script(client, make_user):
    user = make_user(("admin",))
    sign_in(client, user)
    for url in ("/login", "/", "/me", "/org/people", "/audit/"):
        html = client.get(url).text
        # Every <script> loads a file; none carries code the CSP would block.
        for chunk in html.split("<script")[1:]:
            assert chunk.split(">", 1)[0].strip().startswith("src="), url
        assert " onclick=" not in html and " onload=" not in html


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user(employee_no="1001")
    response = client.post("/login", data={"employee_no": "1001", "password": "Correct-Horse-42"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests


def test_session_cookie_is_secure_over_https(client, make_user):
    make_user(employee_no="1001")
    response = client.post("/login", data={"employee_no": "1001", "password": "Correct-Horse-42"},
                           base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_post_without_csrf_token_is_refused(client, make_user):
    make_user(employee_no="1001")
    response = client.post("/login", data={"employee_no": "1001", "password": "Correct-Horse-42"}, csrf=False)
    assert response.status_code == 400
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_every_post_route_requires_csrf(app, client, make_user):
    sign_in(client, make_user(("admin",)))
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<{arg}>", "1").replace(f"<int:{arg}>", "1")
        import re
        url = re.sub(r"<[^>]+>", "1", url)
        response = client.post(url, data={}, csrf=False)
        assert response.status_code == 400, f"{rule.endpoint} accepted a POST without a CSRF token"


def test_htmx_request_when_signed_out_gets_hx_redirect(client):
    response = client.get("/org/people?q=x", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_htmx_vendored_and_no_cdn(client, make_user):
    sign_in(client, make_user(("admin",)))
    html = client.get("/").text
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "https://" not in html.split("</head>")[0]
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


# --- the session cookie: verified once, remembered, still expiring -------------

def _cookie_for(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


# Seen just now by the idle clock (``_seen``): a session whose idle clock is due a
# refresh goes to Flask, which re-signs it (tests/test_sessions.py).
SIGNED_IN = {"_user_id": "7:1", "_seen": 1_772_413_200}  # 2026-03-02 01:00 UTC, the frozen clock


def test_a_remembered_session_cookie_expires_on_time(app, clock, monkeypatch):
    import time

    lifetime = int(app.permanent_session_lifetime.total_seconds())
    with app.app_context():
        cookie = _cookie_for(app, SIGNED_IN)
        assert app.session_interface.verified(app, cookie) == SIGNED_IN
        signed = time.time()
        monkeypatch.setattr(time, "time", lambda: signed + lifetime - 5)
        assert app.session_interface.verified(app, cookie) == SIGNED_IN
        monkeypatch.setattr(time, "time", lambda: signed + lifetime + 5)
        assert app.session_interface.verified(app, cookie) is None


def test_a_tampered_session_cookie_names_nobody(app, clock):
    with app.app_context():
        cookie = _cookie_for(app, SIGNED_IN)
        app.session_interface.verified(app, cookie)
        payload, _dot, rest = cookie.partition(".")
        assert app.session_interface.verified(app, payload[:-1] + "A" + "." + rest) is None
        assert app.session_interface.verified(app, cookie[:-2]) is None


def test_changing_an_opened_session_does_not_change_the_next_request(app, clock):
    with app.app_context():
        cookie = _cookie_for(app, {**SIGNED_IN, "_flashes": [["info", "保存成功"]]})
        first = app.session_interface.verified(app, cookie)
        first["_user_id"] = "8:1"
        first["_flashes"].append(["info", "再来一条"])
        assert app.session_interface.verified(app, cookie) == {**SIGNED_IN, "_flashes": [["info", "保存成功"]]}
        plain = _cookie_for(app, SIGNED_IN)
        app.session_interface.verified(app, plain)["_user_id"] = "8:1"
        assert app.session_interface.verified(app, plain) == SIGNED_IN
