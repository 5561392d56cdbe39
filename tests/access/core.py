from tests.access import Row, expect, only, signed_in

ROWS = {
    ("static", "GET"): Row(lambda w: "/static/css/app.css", expect(200)),
    ("main.home", "GET"): Row(lambda w: "/", signed_in()),
    ("main.favicon", "GET"): Row(lambda w: "/favicon.ico", expect(200)),
    ("main.health", "GET"): Row(lambda w: "/health", expect(200)),
    ("main.profile", "GET"): Row(lambda w: "/me", signed_in()),
    ("main.set_language", "POST"): Row(lambda w: "/language", expect(302), data=lambda w: {"lang": "en"}),
    ("auth.login", "GET"): Row(lambda w: "/login", expect(302, anonymous=200)),
    ("auth.login", "POST"): Row(lambda w: "/login", expect(302, anonymous=200),
                                data=lambda w: {"employee_no": "", "password": ""}),
    ("auth.logout", "POST"): Row(lambda w: "/logout", signed_in(302)),
    ("auth.change_password", "GET"): Row(lambda w: "/account/password", signed_in()),
    ("auth.change_password", "POST"): Row(lambda w: "/account/password", signed_in(),
                                          data=lambda w: {"current_password": "x", "new_password": "y", "confirm": "y"}),
    ("audit.events", "GET"): Row(lambda w: "/audit/", only("hr")),
}
