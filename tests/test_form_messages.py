"""WTForms' own messages ("This field is required.", "Not a valid choice.") read in
the reader's language on a real form, from the app's catalogue (lms/form_messages.py)."""
from __future__ import annotations

import re
from pathlib import Path

import wtforms
from babel.messages.pofile import read_po
from flask import url_for

from lms import i18n


def _errors(response) -> list[str]:
    return re.findall(r'<small class="error">([^<]*)</small>', response.text)


def test_every_message_of_the_installed_wtforms_has_a_chinese_translation():
    with (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n.load("main")
                  if m.id and all(m.string if isinstance(m.string, tuple | list) else (m.string,))}
    assert wanted and not wanted - translated


def test_a_missing_field_and_a_choice_not_offered_in_chinese_and_in_english(client, make_user, make_branch):
    make_branch("B01")
    for locale, required, not_offered in (("zh_CN", "此项必填。", "所选的值不在可选范围内。"),
                                          ("en", "This field is required.", "Not a valid choice.")):
        hr = make_user(roles=("hr",), locale=locale)
        with client.session_transaction() as sess:
            sess["_user_id"] = hr.get_id()
        response = client.post(url_for("org.create_branch"), data={"code": "", "name": "新区支行", "parent_id": "9999"})
        assert response.status_code == 200
        assert _errors(response) == [required, not_offered]


def test_a_date_that_is_not_one_and_a_name_too_long_in_chinese(client, make_user, login):
    hr = make_user(roles=("hr",))
    login(hr)
    response = client.post(url_for("org.new_person"), data={
        "employee_no": "E7001", "name": "孙娜", "branch_id": "0", "hire_date": "2026-13-45", "position": "teller",
        "roles": "learner", "locale": "zh_CN"})
    assert "“2026-13-45”不是有效的日期：请按 YYYY-MM-DD 格式填写，例如 2026-03-01。" in _errors(response)
    response = client.post(url_for("org.create_branch"), data={"code": "B9", "name": "支" * 121, "parent_id": "0"})
    assert _errors(response) == ["不能超过 120 个字符。"]


def test_a_field_with_its_own_message_keeps_it(client, make_user, login):
    login(make_user(roles=("hr",), locale="en"))
    response = client.post(url_for("org.create_branch"), data={"code": "B 9", "name": "New branch", "parent_id": "0"})
    assert _errors(response) == ["Letters, digits, - and _ only."]
