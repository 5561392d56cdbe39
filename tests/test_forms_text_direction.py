"""No form of the app stores a text-direction control (U+202A–U+202E,
U+2066–U+2069): posted into any text field of any form, it comes back as an
error at that field, naming it. The walk finds every form class of the app, so
a form added tomorrow is checked too — and fails here if it derives from
Flask-WTF's FlaskForm (or WTForms' Form) instead of ``lms.forms.Form``."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from wtforms import PasswordField, StringField
from wtforms.form import BaseForm

import lms
from lms.forms import visible_text

REVERSED = "付款 \u202e000,01 元"


def _every_form_class() -> list[type]:
    for module in pkgutil.walk_packages(lms.__path__, "lms."):
        importlib.import_module(module.name)
    found, todo = [], [BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("lms."):
                found.append(sub)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


FORMS = _every_form_class()


def _text_fields(form) -> list:
    return [f for f in form if isinstance(f, StringField) and not isinstance(f, PasswordField)
            and not f.flags.direction_reported_at_its_line]


def test_only_the_content_editor_reports_the_controls_itself(app):
    """The one text field left to its service: a content file, whose checks
    name the line and column (tests/content/test_text_direction_content.py)."""
    exempt = []
    with app.test_request_context("/", method="POST"):
        for form_class in FORMS:
            form = form_class(meta={"csrf": False})
            exempt += [f"{form_class.__qualname__}.{f.name}" for f in form if f.flags.direction_reported_at_its_line]
    assert exempt == ["EditForm.text"]


def test_the_walk_finds_the_forms_with_free_text():
    names = {c.__qualname__ for c in FORMS}
    # Free text others read: a check-in's notes and agreed actions, a
    # revocation reason, a grading comment, a mentor's sign-off.
    assert {"CheckInRecordForm", "ActionRow", "RevokeForm", "GradeForm", "OverrideForm", "CorrectionForm",
            "ReasonForm", "WithdrawForm", "WeekForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_text_field_refuses_a_text_direction_control(app, form_class):
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/", method="POST"):
        names = [f.name for f in _text_fields(form_class())]
    if not names:
        pytest.skip("no text field")
    data = {name: REVERSED for name in names}
    with app.test_request_context("/", method="POST", data=data):
        form = form_class()
        for field in _text_fields(form):
            # Each text field as its form validates it (the choices of a form's
            # selects are set by its view, so not the whole form here).
            field.validate(form)
            refused = [str(e) for e in field.errors if "U+202E" in str(e)]
            assert refused, f"{form_class.__qualname__}.{field.name} accepted U+202E"
            # Named: by the message, or by the one of a name's field (next to which it shows).
            assert len(refused) == 1
            assert str(field.label.text) in refused[0] or visible_text in field.validators


@pytest.mark.parametrize("character", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                       "\u2066", "\u2067", "\u2068", "\u2069"])
def test_each_control_is_refused_and_other_text_is_not(app, character):
    from lms.mentoring.checkin_forms import CorrectionForm

    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/", method="POST", data={"text": f"见面{character}谈了目标"}):
        form = CorrectionForm()
        assert not form.validate()
        assert f"U+{ord(character):04X}" in str(form.text.errors[0])
    # Emoji built with zero-width joiners, Arabic and a zero-width space are prose.
    for fine in ("全家👨\u200d👩\u200d👧到场", "客户 مرحبا 问好", "长\u200b句"):
        with app.test_request_context("/", method="POST", data={"text": fine}):
            assert CorrectionForm().validate(), fine
