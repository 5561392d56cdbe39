"""A person's e-mail address (where e-mail notifications go): HR sets it on
the person form; a malformed one is refused naming the field, changing nothing."""
from lms.extensions import db
from tests.conftest import sign_in
from tests.org.conftest import events


def test_hr_sets_and_clears_the_e_mail_address(client, org, make_user, clock):
    user = make_user(employee_no="E1001", name="张伟", branch=org.tianyuan)
    sign_in(client, org.hr)
    form = {"name": "张伟", "branch_id": org.tianyuan.id, "locale": "zh_CN"}
    bad = client.post(f"/org/people/{user.id}/edit", data={**form, "email": "zhang wei@bank"})
    assert bad.status_code == 200 and "不是有效的电子邮件地址" in bad.text
    db.session.refresh(user)
    assert user.email is None
    ok = client.post(f"/org/people/{user.id}/edit", data={**form, "email": " zhangwei@bank.example "})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert user.email == "zhangwei@bank.example"
    assert "zhangwei@bank.example" in client.get(f"/org/people/{user.id}").text
    assert events("user.updated")[-1].details_dict["email"] == {"before": None, "after": "zhangwei@bank.example"}
    client.post(f"/org/people/{user.id}/edit", data={**form, "email": ""})
    db.session.refresh(user)
    assert user.email is None


def test_a_new_person_may_have_an_e_mail_address(client, org, clock):
    from lms.org.models import user_by_employee_no

    sign_in(client, org.hr)
    response = client.post("/org/people/new", data={
        "employee_no": "E2001", "name": "黎思远", "branch_id": org.tianyuan.id, "position": "teller",
        "roles": ["learner"], "locale": "zh_CN", "email": "lisiyuan@bank.example"})
    assert response.status_code == 200, response.text
    assert user_by_employee_no("E2001").email == "lisiyuan@bank.example"
