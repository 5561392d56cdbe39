"""Where one autosave's CPU goes: the whole WSGI call as ``autosave_cpu.py``
makes it, with each part timed on its own (CPU time; a part's figure leaves
out the parts timed inside it): every before/after-request hook and teardown
of the app, the session's opening and saving, Flask-Login's user loader, the
CSRF check, the autosave service, its SQL (statements, commits, the explicit
``BEGIN``), the fragment's render and what is left (WSGI, the request and app
contexts, routing, the response object, this script's own call). Counts the
SQL statements of one autosave too.

    python bench/autosave_parts.py [--database-url URL] [--requests 3000]

The timing wrappers are this script's: they cost about a microsecond a part,
so the total is a little above ``autosave_cpu.py``'s. Compare parts within
one run; the machine's load moves every figure.
"""
from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
from autosave_cpu import call  # noqa: E402


class Parts:
    """CPU time per named part; a part nested in another is taken out of the outer one."""

    def __init__(self):
        self.spent: dict[str, int] = {}
        self._inner: list[int] = []

    def timed(self, name: str, function):
        def wrapper(*args, **kwargs):
            self._inner.append(0)
            started = time.process_time_ns()
            try:
                return function(*args, **kwargs)
            finally:
                took = time.process_time_ns() - started
                self.spent[name] = self.spent.get(name, 0) + took - self._inner.pop()
                if self._inner:
                    self._inner[-1] += took

        return wrapper


def name_of(function) -> str:
    function = getattr(function, "func", function)  # functools.partial (Flask-Limiter)
    return getattr(function, "__name__", repr(function))


def instrument(app, parts: Parts) -> None:
    import flask_babel
    import flask_wtf.csrf
    from flask_login import LoginManager
    from sqlalchemy.orm import Session

    import lms.database
    from lms.exams import views
    from lms.extensions import login_manager

    for kind, hooks in (("before", app.before_request_funcs), ("after", app.after_request_funcs),
                        ("teardown", app.teardown_request_funcs)):
        for key, functions in hooks.items():
            hooks[key] = [parts.timed(f"{kind}_request {name_of(f)}", f) for f in functions]
    app.teardown_appcontext_funcs[:] = [parts.timed(f"teardown_appcontext {name_of(f)}", f)
                                        for f in app.teardown_appcontext_funcs]
    interface = app.session_interface
    interface.open_session = parts.timed("session: open (cookie, signature, idle clock)", interface.open_session)
    interface.save_session = parts.timed("session: save", interface.save_session)
    LoginManager._load_user = parts.timed("Flask-Login: _load_user (session protection)", LoginManager._load_user)
    login_manager._user_callback = parts.timed("Flask-Login: user loader (the row into a User)",
                                               login_manager._user_callback)
    flask_wtf.csrf.validate_csrf = parts.timed("CSRF: validate_csrf (the token's signature)",
                                               flask_wtf.csrf.validate_csrf)
    Session.execute = parts.timed("SQL: Session.execute", Session.execute)
    lms.database._commit = parts.timed("SQL: commit", lms.database._commit)
    lms.database._send_begin = parts.timed("SQL: BEGIN", lms.database._send_begin)
    views.exam_answers.autosave = parts.timed("service: autosave (without its SQL)", views.exam_answers.autosave)
    views.render_fragment = parts.timed("render: fragment (Jinja)", views.render_fragment)
    flask_babel.Domain.get_translations = parts.timed("render: translations (the locale)",
                                                      flask_babel.Domain.get_translations)
    app.view_functions["exams.autosave"] = parts.timed("view: roles, the form, the rest",
                                                       app.view_functions["exams.autosave"])


def main() -> None:
    parser = h.arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    url = h.database_url(args.database_url)

    data = h.Data(url)
    data.migrate()
    exam_id = data.exam(questions=30, draw=10)
    session = data.session(data.learners(1)[0])
    app = data.app
    from sqlalchemy import event

    from lms.extensions import db

    with app.app_context():
        db.engine.dispose()
    _status, headers, _ = call(app, f"/exams/{exam_id}/start", {}, session.headers(htmx=False))
    attempt_id = int(dict(headers)["Location"].split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    items, values = data.items(attempt_id), data.option_values(attempt_id)

    def autosave(i: int) -> None:
        item = items[i % len(items)]
        status, response_headers, body = call(app, f"/attempts/{attempt_id}/items/{item}",
                                              {f"a-{item}": values[item]["ABCD"[i % 4]]}, session.headers())
        assert status.startswith("200"), (status, body[:300])
        for name, value in response_headers:
            if name == "Set-Cookie" and value.startswith("session="):
                session.cookie = value.split(";", 1)[0]

    gc.collect()
    gc.freeze()
    for i in range(300):
        autosave(i)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        autosave(0)
        event.remove(db.engine, "before_cursor_execute", count)
    parts = Parts()
    instrument(app, parts)
    for i in range(300):
        autosave(i)
    parts.spent.clear()
    started = time.process_time_ns()
    for i in range(args.requests):
        autosave(i)
    total = time.process_time_ns() - started
    print(f"one autosave: {total / args.requests / 1000:.1f} µs CPU ({h.dialect(url)}, {args.requests} requests); "
          f"statements: {len(statements)} ({' '.join(statements)})")
    for name, spent in sorted(parts.spent.items(), key=lambda kv: -kv[1]):
        print(f"  {spent / args.requests / 1000:7.1f} µs  {100 * spent / total:5.1f} %  {name}")
    rest = total - sum(parts.spent.values())
    print(f"  {rest / args.requests / 1000:7.1f} µs  {100 * rest / total:5.1f} %  the rest: WSGI, request and app "
          f"contexts, routing, the response, this script's call")


if __name__ == "__main__":
    main()
