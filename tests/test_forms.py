"""One way to read a form: WTForms classes; the answers of an exam page go to
the question types through AnswerForm."""
from __future__ import annotations

import re
from pathlib import Path

import lms

LMS = Path(lms.__file__).parent


# The one module that reads every raw value, and is no view: the request-wide
# refusal of control characters, which runs before any view or form exists.
BEFORE_ANY_VIEW = {"control_characters.py"}


def test_no_view_reads_the_raw_form():
    raw = re.compile(r"request\.form\b")
    found = [f"{p.relative_to(LMS)}:{n}" for p in sorted(LMS.rglob("*.py"))
             if str(p.relative_to(LMS)) not in BEFORE_ANY_VIEW
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if raw.search(line)]
    assert found == []


def test_the_exam_page_form_hands_the_answers_over(app):
    from lms.exams.forms import FlagForm, FocusForm, PageForm

    app.config["WTF_CSRF_ENABLED"] = False
    data = {"shown": "3,x,5,", "go": "review", "a-3": "[[1]]", "flag-5": "1", "a-5": ["b", "c"]}
    with app.test_request_context("/", method="POST", data=data):
        form = PageForm()
        assert form.validate_on_submit()
        assert form.shown_ids() == [3, 5] and form.go.data == "review"
        assert form.flagged(5) and not form.flagged(3)
        assert form.answers.getlist("a-5") == ["b", "c"]
        assert FlagForm().back.data == "" and FocusForm().kind.data == "hidden"
    with app.test_request_context("/", method="POST", data={"kind": "blur"}):
        assert FocusForm().kind.data == "blur" and PageForm().shown_ids() == []


def test_the_language_form_takes_only_a_known_language(app):
    from lms.main.forms import LanguageForm

    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/", method="POST", data={"lang": "en", "next": "/me"}):
        form = LanguageForm()
        assert form.validate_on_submit() and form.lang.data == "en" and form.next.data == "/me"
    with app.test_request_context("/", method="POST", data={"lang": "fr"}):
        assert not LanguageForm().validate_on_submit()
    with app.test_request_context("/", method="POST", data={}):
        assert not LanguageForm().validate_on_submit()


def test_no_choices_are_declared_as_deprecated_tuples():
    """WTForms 3.3 deprecates (value, label) tuples and 3.4 drops them: every
    choices list in lms/ is built from SelectChoice (lms.forms.options), so
    the upgrade changes no option. A source check: the setters that take
    tuples silently today are the ones 3.4 would break."""
    tuple_choices = re.compile(r"\bchoices\s*=\s*(list\(|\[\(|\[\s*\(|services\.\w+_choices\(\))")
    found = [f"{p.relative_to(LMS)}:{n}" for p in sorted(LMS.rglob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if tuple_choices.search(line)]
    assert found == []


def test_the_forms_with_fixed_choices_raise_no_deprecation_warning(app):
    import warnings

    from lms.mentoring.checkin_forms import CheckInRecordForm
    from lms.mentoring.signoff_forms import signoff_form
    from lms.org.forms import PersonForm

    class Dimension:
        key, label_zh, label_en = "k", "知识", "Knowledge"

    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/"), warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        form = CheckInRecordForm()
        form.set_choices(["存款"], [])
        assert [c.value for c in form.form.iter_choices()][:1] and [c.label for c in form.topics.iter_choices()] == ["存款"]
        signoff_form([Dimension()])
        assert PersonForm().branch_id.choices is not None


def test_a_json_body_is_no_form(client, make_user):
    """Flask-WTF reads a JSON body as the form when no form is sent: {"name": 1} gave a text field
    an int (500, 'int' has no strip), [1] failed to make a MultiDict (500). Every form of the app is
    a form: a JSON body is an empty form, refused as one, and changes nothing."""
    import json

    from sqlalchemy import func, select

    from lms.auth.passwords import check_password
    from lms.extensions import db
    from lms.org.models import User
    from tests.conftest import TEST_PASSWORD, sign_in

    hr = make_user(("hr", "learner"))
    sign_in(client, hr)
    people = db.session.scalar(select(func.count()).select_from(User))
    fields = {"employee_no": 1, "name": 1, "new_password": 1, "current_password": 1, "confirm": 1, "branch": 1}
    for url in ("/org/people/new", "/account/password", f"/org/people/{hr.id}/edit", "/notifications/read-all"):
        for body in (json.dumps(fields), "[1]", '"text"'):
            response = client.post(url, data=body, headers={"Content-Type": "application/json"})
            assert response.status_code in (200, 302, 400), (url, body, response.status_code)
    assert db.session.scalar(select(func.count()).select_from(User)) == people
    db.session.refresh(hr)
    assert check_password(hr.password_hash, TEST_PASSWORD) and hr.name != "1"
