"""Names and texts at their edges on the certificate PDF: rare characters
(CJK Extension A and B, 〇, the middle dot of minority names, accented Latin)
print with real glyphs, and the longest name, branch, 工号 and title the
columns allow still make one page whose statement ends above the facts,
the seal and the QR code. The verification page shows the same name."""
from __future__ import annotations

import re
import subprocess
from types import SimpleNamespace

import pytest

from lms.certificates.pdf import render_certificate
from lms.certificates.samples import sample_certificate
from tests.certificates.conftest import pdf_fonts, pdf_text
from tests.certificates.test_pdf import weasy_warnings  # noqa: F401 (a fixture)

RARE = [
    "吉𠮷𡒄",  # CJK Extension B (𠮷 U+20BB7 is in Noto; 𡒄 U+21484 is not)
    "刘䶮",  # CJK Extension A
    "王〇",  # 〇, the ideographic zero
    "阿卜杜·热合曼",  # the middle dot of a Uyghur name
    "José Müller-Łukasiewicz Ñoño Ørsted Çelik",  # accented Latin
]
LONG_TITLE = "高级客户经理资格（对公业务·供应链金融与跨境贸易融资方向）暨综合金融服务专业能力认证"
LONG_NAME = ("阿卜杜热合曼·买买提艾力·阿不都克力木·吐尔逊巴克·艾则孜江" * 3)[:40]
LONG_BRANCH = ("株洲分行天元区神农城中央商务区金融服务中心第一营业部综合柜面与个人客户经理服务部门" * 3)[:60]
A4_LANDSCAPE = (841.89, 595.28)


def _words(pdf: bytes) -> list[tuple[float, float, float, float, str]]:
    xml = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xml)]


@pytest.mark.parametrize("name", RARE)
def test_rare_names_print_every_glyph_inside_the_page(app, tmp_path, weasy_warnings, name):  # noqa: F811
    pdf = render_certificate(sample_certificate(holder_name=name))
    assert not [w for w in weasy_warnings() if ".notdef" in w], name  # a glyph for every character
    fonts = pdf_fonts(pdf, tmp_path)
    assert all(" yes " in line for line in fonts.splitlines()[2:]), fonts  # every font embedded
    assert name in pdf_text(pdf, layout=False).replace("\n", "")


@pytest.mark.parametrize("case", ["brief", "longest chinese", "longest latin", "longest, by HR's decision"])
def test_long_names_branches_and_titles_stay_on_one_page_above_the_facts(app, weasy_warnings, case):  # noqa: F811
    values = {
        "brief": dict(holder_name=LONG_NAME, holder_branch=LONG_BRANCH, certification=SimpleNamespace(title=LONG_TITLE)),
        # The columns' limits: name 80, 工号 32, branch 120, title 200 characters.
        "longest chinese": dict(holder_name=(LONG_NAME * 2)[:80], holder_branch=(LONG_BRANCH * 2)[:120],
                                certification=SimpleNamespace(title=(LONG_TITLE * 5)[:200]),
                                holder_employee_no="E" * 32),
        "longest latin": dict(holder_name=("Abdurahman Muhammad-Ali Józef Ñoño " * 3)[:80],
                              holder_branch=(LONG_BRANCH * 2)[:120],
                              certification=SimpleNamespace(title=(LONG_TITLE * 5)[:200]),
                              holder_employee_no="W" * 32),
        # Issued by HR without every requirement met: the statement says so, in words of another length.
        "longest, by HR's decision": dict(holder_name=(LONG_NAME * 2)[:80], holder_branch=(LONG_BRANCH * 2)[:120],
                                          certification=SimpleNamespace(title=(LONG_TITLE * 5)[:200]),
                                          holder_employee_no="E" * 32, by_hr_decision=True),
    }[case]
    pdf = render_certificate(sample_certificate(**values))
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Pages:           1" in info
    assert not [w for w in weasy_warnings() if ".notdef" in w or "overflow" in w.lower()]
    words = _words(pdf)
    outside = [w for w in words if w[0] < 0 or w[1] < 0 or w[2] > A4_LANDSCAPE[0] or w[3] > A4_LANDSCAPE[1]]
    assert outside == []
    facts_top = min(w[1] for w in words if w[4].startswith("证书编号"))
    last = "Resources." if values.get("by_hr_decision") else "certificate."
    statement_end = max(w[3] for w in words if w[4].startswith(last))  # the statement's last line
    assert statement_end < facts_top, (statement_end, facts_top)


def test_the_verification_page_and_the_register_show_the_name_the_pdf_prints(client, make_user, make_certificate,
                                                                            make_branch):
    from tests.conftest import sign_in

    hr = make_user(("hr",))
    holder = make_user(name="阿卜杜·热合曼𡒄", branch=make_branch("ZZ0199", LONG_BRANCH))
    certificate = make_certificate(holder=holder)
    assert "阿卜杜·热合曼𡒄" in pdf_text(certificate.pdf, layout=False).replace("\n", "")
    assert "阿卜******" in client.get(f"/verify/{certificate.verify_code}").text  # 8 characters, masked
    sign_in(client, hr)
    assert "阿卜杜·热合曼𡒄" in client.get("/certificates/").text
    assert "阿卜杜·热合曼𡒄" in client.get("/certificates/export.csv").data.decode("utf-8-sig")


def test_after_a_rename_the_register_shows_and_finds_the_name_printed_on_the_certificate(client, make_user,
                                                                                       make_certificate, fast_pdf):
    """A name corrected after issue (a rare character first typed as a look-alike): the certificate and
    /verify keep the printed name; HR, asked about "刘*" from the verification page, must find it."""
    from lms.extensions import db
    from tests.conftest import sign_in

    hr = make_user(("hr",))
    holder = make_user(name="刘岩")
    certificate = make_certificate(holder=holder)
    holder.name = "刘䶮"
    db.session.commit()
    sign_in(client, hr)
    page = client.get("/certificates/", query_string={"q": "刘岩"}).text
    assert certificate.serial in page and "刘䶮" in page and "（证书上：刘岩）" in page
    export = client.get("/certificates/export.csv").data.decode("utf-8-sig")
    assert "证书上的姓名" in export and "刘岩" in export
