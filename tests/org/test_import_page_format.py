"""The people import page's "format" says what HR may put in the file: every role the import reads
(机构负责人 was missing, though the import takes it) and the optional columns 在职状态 and
准入例外原因 (the page named only 邮箱), in Chinese and English."""
from __future__ import annotations

import pytest

from lms.extensions import db
from lms.org.models import User
from tests.conftest import sign_in


@pytest.mark.parametrize("locale, says", [
    ("zh_CN", ["角色：学员、师傅、培训师、人力资源、机构负责人、管理员中的一个或多个",
               "在职状态（可选列）：在职或离职",
               "准入例外原因（可选列）："]),
    ("en", ["角色: one or more of 学员, 师傅, 培训师, 人力资源, 机构负责人, 管理员",
            "在职状态 (optional column): 在职 or 离职",
            "准入例外原因 (optional column): HR's reason"])])
def test_the_format_names_every_role_and_the_optional_columns(client, org, locale, says):
    org.hr.locale = locale
    db.session.commit()
    sign_in(client, org.hr)
    page = client.get("/org/people/import").text.replace("&#39;", "'")
    for text in says:
        assert text in page


def test_the_import_reads_the_branch_manager_role_the_page_names(app, org):
    from lms.org import imports

    with app.test_request_context():
        plan = imports.plan_import("工号,姓名,支行,岗位,入职日期,角色\nE2001,赵行长,天元支行,中层,2020-01-01,机构负责人\n"
                                   .encode(), "people.csv")
    assert plan.ok and plan.rows[0].roles == {"branch_manager"}
    assert User.query.filter_by(employee_no="E2001").first() is None  # a plan changes nothing
