"""Who may change roles and positions: nobody their own roles; only
administrators grant admin or touch an administrator's roles and position;
HR grants the trainer role only when an administrator allowed it on the
system settings page (stored, audited). Refusals are 403 with the rule, and
the pages do not offer what would be refused."""
from __future__ import annotations

import re

import pytest

from lms.extensions import db
from lms.org import imports
from lms.org.models import User
from tests.conftest import sign_in
from tests.org.conftest import events


def _roles(user_id) -> set[str]:
    db.session.expire_all()
    return db.session.get(User, user_id).roles


def _post_roles(client, user, roles, **kw):
    return client.post(f"/org/people/{user.id}/roles", data={"roles": list(roles)}, **kw)


@pytest.mark.parametrize("who", ["hr", "admin"])
def test_nobody_changes_their_own_roles(client, org, who):
    me = getattr(org, who)
    sign_in(client, me)
    response = _post_roles(client, me, {who, "trainer", "mentor"})
    assert response.status_code == 403
    assert "不能更改自己的角色" in response.text
    assert _roles(me.id) == {who}
    page = client.get(f"/org/people/{me.id}").text
    assert f'action="/org/people/{me.id}/roles"' not in page
    assert "不能更改自己的角色" in page


def test_hr_cannot_change_an_administrators_roles_or_position(client, org):
    sign_in(client, org.hr)
    response = _post_roles(client, org.admin, {"admin", "mentor"})  # admin kept, mentor added
    assert response.status_code == 403 and "只有系统管理员" in response.text
    assert _roles(org.admin.id) == {"admin"}
    response = client.post(f"/org/people/{org.admin.id}/position",
                           data={"position": "manager", "start_date": "2025-01-01"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, org.admin.id).positions == []
    page = client.get(f"/org/people/{org.admin.id}").text
    assert f'action="/org/people/{org.admin.id}/roles"' not in page
    assert f'action="/org/people/{org.admin.id}/position"' not in page


def test_hr_cannot_grant_admin_and_is_not_offered_it(client, org, make_user):
    person = make_user(("learner",), employee_no="p1")
    sign_in(client, org.hr)
    response = _post_roles(client, person, {"learner", "admin"})
    assert response.status_code == 403 and _roles(person.id) == {"learner"}
    page = client.get(f"/org/people/{person.id}").text
    assert re.search(r'<input[^>]*disabled[^>]*value="admin"|<input[^>]*value="admin"[^>]*disabled', page)


def test_an_htmx_refusal_goes_back_to_the_page_with_the_message(client, org, make_user):
    person = make_user(("learner",), employee_no="p1")
    sign_in(client, org.hr)
    response = _post_roles(client, person, {"learner", "trainer"}, headers={"HX-Request": "true"})
    assert response.status_code == 403 and response.headers["HX-Redirect"] == f"/org/people/{person.id}"
    assert "培训师" in client.get(f"/org/people/{person.id}").text  # the flashed rule


def test_hr_grants_trainer_only_once_an_administrator_allowed_it(client, org, make_user):
    person = make_user(("learner",), employee_no="p1")
    sign_in(client, org.hr)
    page = client.get(f"/org/people/{person.id}").text
    assert re.search(r'<input[^>]*disabled[^>]*value="trainer"|<input[^>]*value="trainer"[^>]*disabled', page)
    response = _post_roles(client, person, {"learner", "trainer"})
    assert response.status_code == 403 and "系统设置" in response.text
    assert _roles(person.id) == {"learner"}
    response = client.post("/org/people/new", data={"employee_no": "N-1", "name": "新培训师", "branch_id": org.city.id,
                                                    "position": "teller", "roles": ["learner", "trainer"],
                                                    "locale": "zh_CN"})
    assert response.status_code == 403
    assert db.session.scalar(db.select(User).where(User.employee_no == "N-1")) is None
    assert client.get("/system/settings").status_code == 403  # HR cannot allow itself

    sign_in(client, org.admin)
    assert client.post("/system/settings", data={"hr_may_grant_trainer": "y"}).status_code == 302
    assert "checked" in client.get("/system/settings").text
    [changed] = events("settings.changed")
    assert changed.object_id == "hr_may_grant_trainer" and changed.actor_id == org.admin.id
    assert changed.details_dict == {"before": False, "after": True}

    sign_in(client, org.hr)
    assert _post_roles(client, person, {"learner", "trainer"}).status_code == 302
    assert _roles(person.id) == {"learner", "trainer"}


def test_hr_still_manages_other_roles_of_ordinary_people(client, org, make_user):
    person = make_user(("learner",), employee_no="p1")
    sign_in(client, org.hr)
    assert _post_roles(client, person, {"learner", "mentor"}).status_code == 302
    assert _roles(person.id) == {"learner", "mentor"}


def test_an_import_by_hr_may_not_make_trainers_unless_allowed(app, org):
    from flask_babel import force_locale

    text = "工号,姓名,支行,岗位,入职日期,角色\nE3003,段明,株洲分行,rm_senior,2016-04-11,\"培训师, 学员\"\n"
    with app.test_request_context(), force_locale("zh_CN"):
        plan = imports.plan_import(text.encode(), "people.csv", actor=org.hr)
        assert [(p.row, p.column) for p in plan.problems] == [(2, "角色")]
        assert "培训师" in plan.problems[0].message
        assert not imports.plan_import(text.encode(), "people.csv", actor=org.admin).problems
