from lms.security import CSP
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


# --- the session cookie ----------------------------------------------------------

def test_a_tampered_session_cookie_signs_nobody_in(app, client, make_user):
    user = make_user(("learner",))
    sign_in(client, user)
    assert client.get("/").status_code == 200
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name).value
    middle = len(cookie) // 2  # inside the signed data (the cookie may start with "." when compressed)
    client.set_cookie(name, cookie[:middle] + ("A" if cookie[middle] != "A" else "B") + cookie[middle + 1:])
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_answer_is_kept_out_of_browser_caches_and_a_views_own_directives_stay(app, client):
    """The security headers and ``no-store`` are set on every answer (built
    once, not parsed per response); a view's own header is kept: its own
    Cache-Control gains ``no-store`` unless it gave a lifetime, its own CSP stays."""
    @app.get("/_probe/<kind>")
    def _probe(kind):
        own = {"plain": {}, "no-cache": {"Cache-Control": "no-cache"},
               "lifetime": {"Cache-Control": "max-age=60"},
               "own-csp": {"Content-Security-Policy": "default-src 'none'"}}[kind]
        return "x", 200, own

    plain = client.get("/_probe/plain").headers
    assert plain["Cache-Control"] == "no-store"
    assert plain["X-Frame-Options"] == "DENY" and plain["Referrer-Policy"] == "same-origin"
    assert plain.getlist("Content-Security-Policy") == [CSP]
    assert set(client.get("/_probe/no-cache").headers["Cache-Control"].split(", ")) == {"no-cache", "no-store"}
    assert client.get("/_probe/lifetime").headers["Cache-Control"] == "max-age=60"
    assert client.get("/_probe/own-csp").headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert client.get("/login", base_url="https://localhost").headers.getlist("Strict-Transport-Security") \
        == ["max-age=31536000"]


def test_cookies_are_secure_when_the_academy_is_reached_over_https_behind_a_proxy(app, client, make_user):
    """Behind a TLS proxy whose hops are not configured (``LMS_PROXY_HOPS``) the app sees plain
    http; with ``LMS_BASE_URL`` on https the users reach it over HTTPS, so its cookies (the
    session and the known-browser one) are marked Secure all the same and never go out over
    a plain-http request to the same host."""
    app.config["BASE_URL"] = "https://academy.bank.internal"
    make_user(employee_no="1001")
    response = client.post("/login", data={"employee_no": "1001", "password": "Correct-Horse-42"})
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {app.config["SESSION_COOKIE_NAME"], "lms_known"}
    assert all("; Secure" in c for c in cookies), cookies
