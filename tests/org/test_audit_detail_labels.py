"""The audit log labels each detail for what it is: an account created
shows its 工号 under 工号 and its name under 姓名 (the person's page, the log),
a branch created shows its name under 机构名称, not a person's 姓名."""
from __future__ import annotations

from lms.extensions import db
from lms.org import branches, services
from tests.conftest import sign_in


def _detail(label: str, value: str) -> str:
    return f'<span class="detail-label">{label}</span>{value}</span>'


def test_an_account_created_shows_its_employee_number_and_name_under_their_labels(client, make_user, make_branch):
    hr = make_user(("hr",), name="周人事")
    person = services.create_user("E9001", "张三", branch=make_branch("ZZ01", "天元支行"), actor=hr)
    db.session.commit()
    services.update_user(person, actor=hr, name="张四")  # the log keeps the name it was created with
    db.session.commit()
    sign_in(client, hr)
    for page in (client.get(f"/org/people/{person.id}").text, client.get("/audit/").text):
        assert _detail("工号：", "E9001") in page and _detail("姓名：", "张三") in page
        assert _detail("工号：", "张四 (E9001)") not in page
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/org/people/{person.id}").text
    assert _detail("Employee number: ", "E9001") in page and _detail("Name: ", "张三") in page


def test_a_branch_created_shows_its_name_as_the_branch_name(client, make_user, make_branch):
    hr = make_user(("hr",), name="周人事")
    branches.create_branch("ZZ0301", "荷塘支行", parent=make_branch("ZZ03", "株洲分行"))
    sign_in(client, hr)
    page = client.get("/audit/").text
    assert _detail("机构名称：", "荷塘支行") in page and _detail("姓名：", "荷塘支行") not in page
    assert _detail("上级机构：", "株洲分行") in page
