"""create_app wires each domain through its init_app; importing modules registers nothing."""
from __future__ import annotations

import subprocess
import sys

from lms import create_app


def test_importing_the_models_registers_nothing():
    code = ("import sys, lms.models; "
            "print(sorted(m for m in sys.modules if m.startswith('lms.') and "
            "(m.endswith(('views', 'panels', 'panel', 'demo', 'demo_results', 'cli', 'notebook', 'setup')))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_each_app_gets_its_own_panels_commands_and_filters(app):
    assert list(app.blueprints) == ["main", "auth", "org", "system", "audit", "content", "content_import", "credentials",
                                    "grading", "analysis", "notebook", "exams", "programmes", "programme_admin", "schedule",
                                    "reports", "notify", "notify_admin", "mentoring_admin", "mentoring",
                                    "mentoring_signoff", "certificates", "certificate_renewal", "verify", "certificate_pdf", "eligibility"]
    assert {"content", "exams", "audit", "people", "i18n", "demo", "create-admin", "notify", "certificates"} <= set(app.cli.commands)
    assert {"import-gift", "import-xlsx", "export-xlsx", "check", "publish"} <= set(app.cli.commands["content"].commands)
    assert {"md", "inline_md", "stem_summary", "localtime"} <= set(app.jinja_env.filters)
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    # A second app does not add the panels again to the first (nor to itself twice).
    templates = [p.template for p in app.extensions["lms.panels"]]
    assert len(templates) == len(set(templates)) == len(other.extensions["lms.panels"]) == 13
    assert [order for order, _fn in other.extensions["lms.demo_hooks"]] == [10, 40, 85, 50, 60, 65, 70, 80]  # registration order (run sorted)


def test_the_password_guard_runs_before_every_request(client, make_user):
    from lms.extensions import db
    from tests.conftest import sign_in

    user = make_user(("learner",))
    user.must_change_password = True
    db.session.commit()
    sign_in(client, user)
    for path in ("/", "/courses", "/notebook/", "/org/people"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
