"""A name with a character no certificate font prints (CJK Extension G,
private use, unassigned, invisible format characters, a lone combining
mark) is kept as entered — a legal name — and HR is told which character,
at which position, when the person is created, edited or imported."""
from __future__ import annotations

import io

from lms.extensions import db
from lms.org.models import User
from tests.conftest import sign_in

EXT_G = "\U00030000"  # 𰀀, CJK Extension G: no installed font has it


def test_what_will_not_print_and_why():
    from lms import printable

    found = {s: [(p.position, p.code) for p in printable.unprintable(s)] for s in (
        "王小明", "张" + EXT_G + "明", "李\U000F0001", "\u0301李", "陈\u200b明", "x\u0378", "𡒄", "Nguyễn", "José")}
    assert found == {"王小明": [], "张𰀀明": [(2, "U+30000")], "李\U000F0001": [(2, "U+F0001")],
                     "\u0301李": [(1, "U+0301")], "陈\u200b明": [(2, "U+200B")], "x\u0378": [(2, "U+0378")],
                     "𡒄": [], "Nguyễn": [], "José": []}  # 𡒄 (Extension B) prints in HanaMin


def test_the_fonts_are_read_once_per_process(monkeypatch):
    import subprocess

    from lms import printable

    calls = []
    real = subprocess.run

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    printable.coverage.cache_clear()
    monkeypatch.setattr(subprocess, "run", counting)
    try:
        for _ in range(3):
            printable.unprintable("张" + EXT_G)
        assert len(calls) == 1 and "Noto Serif CJK SC" in calls[0][0][-1]  # the certificate's own families
    finally:
        printable.coverage.cache_clear()


def test_creating_and_editing_a_person_names_the_character(client, org, clock):
    sign_in(client, org.hr)
    response = client.post("/org/people/new", data={
        "employee_no": "E4001", "name": "张" + EXT_G + "明", "branch_id": org.lusong.id, "hire_date": "2026-02-01",
        "position": "teller", "roles": ["learner"], "locale": "zh_CN"})
    assert response.status_code == 200 and "临时密码" in response.text
    assert "第 2 个字符（U+30000 “𰀀”）：证书使用的字体都没有这个字" in response.text
    user = db.session.scalar(db.select(User).where(User.employee_no == "E4001"))
    assert user.name == "张" + EXT_G + "明"  # kept as entered
    edited = client.post(f"/org/people/{user.id}/edit", data={
        "name": "\u0301张明", "branch_id": org.lusong.id, "hire_date": "2026-02-01", "locale": "zh_CN"},
        follow_redirects=True)
    assert "第 1 个字符（U+0301 “\u0301”）：这是前面没有字符可附着的组合符号" in edited.text
    fixed = client.post(f"/org/people/{user.id}/edit", data={
        "name": "张明", "branch_id": org.lusong.id, "hire_date": "2026-02-01", "locale": "zh_CN"},
        follow_redirects=True)
    assert "无法按原样打印" not in fixed.text


def test_the_import_preview_names_the_character(client, org, clock):
    sign_in(client, org.hr)
    data = ("工号,姓名,支行,岗位,入职日期,角色\n"
            "E5001,王\U000F0001,天元支行,柜员,2025-07-01,学员\nE5002,李四,天元支行,柜员,2025-07-01,学员\n")
    preview = client.post("/org/people/import", data={"file": (io.BytesIO(data.encode("utf-8")), "people.csv")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200
    assert "第 2 个字符（U+F0001）：这是私用区字符" in preview.text and preview.text.count("无法按原样打印") == 1
