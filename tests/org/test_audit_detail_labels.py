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


def test_a_branch_code_reads_branch_code_on_the_form_and_in_the_log_in_both_languages(client, make_user, make_branch):
    """English showed a branch's code as a bare "Code"."""
    import re

    hr = make_user(("hr",), name="周人事", locale="en")
    branches.create_branch("ZZ0301", "荷塘支行", parent=make_branch("ZZ03", "株洲分行"))
    sign_in(client, hr)
    form = client.get("/org/branches").text
    assert re.search(r'<label for="code">\s*Branch code', form), form
    log = client.get("/audit/").text
    assert _detail("Branch code: ", "ZZ0301") in log and _detail("Code: ", "ZZ0301") not in log
    client.post("/language", data={"lang": "zh_CN"})
    assert re.search(r'<label for="code">\s*机构代码', client.get("/org/branches").text)
    assert _detail("机构代码：", "ZZ0301") in client.get("/audit/").text
