"""A question id belongs to one course across the whole curriculum: no
publish (a course, one bank, the whole folder) and no import (GIFT, Excel;
web and command line) takes over an id another course uses — in the
published database or in its files. The problem names both places and
nothing changes."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.content.models import Course, Question
from lms.content.source.parser import parse_folder
from lms.content.publishing.publish import ContentProblems, publish
from lms.extensions import db
from tests.content.console_samples import content_dir, publish_folder, trainer  # noqa: F401  (fixtures)
from tests.content.sample_folder import line_of, write_folder
from tests.content.test_import_views import upload
from tests.content.test_xlsx import workbook

RISK_BANK = "courses/risk/questions/cases.md"
TAKEOVER = """## dep-001
type: single
tags: 贷前调查

被改写的题干：贷前调查的第一步是？

- [x] 核实主体资格
- [ ] 直接放款
"""


pytestmark = pytest.mark.usefixtures("english")


def owner_of(slug: str) -> tuple[str, str]:
    q = db.session.scalar(select(Question).where(Question.slug == slug))
    course = db.session.get(Course, q.course_id)
    return course.slug, q.current_version.stem_md


def append(root, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def test_publishing_one_course_cannot_take_over_a_published_id(runner, folder):
    publish(parse_folder(folder), None, "test")
    before = owner_of("dep-001")
    # The products bank drops dep-001 and the risk course writes its own dep-001.
    bank = folder / "courses/products/questions/deposits.md"
    bank.write_text(bank.read_text(encoding="utf-8").replace("## dep-001", "## dep-101"), encoding="utf-8")
    append(folder, RISK_BANK, TAKEOVER)
    result = runner.invoke(args=["content", "publish", str(folder / "courses/risk")])
    assert result.exit_code == 1
    line = line_of(folder, RISK_BANK, "## dep-001")
    assert (f"{RISK_BANK}:{line}: id dep-001 is already used by course products "
            f"(questions/deposits.md)") in result.output
    assert owner_of("dep-001") == before


def test_publishing_one_bank_cannot_use_an_id_of_another_courses_files(runner, folder):
    # Nothing published yet: the other course's file is what counts.
    append(folder, RISK_BANK, TAKEOVER)
    result = runner.invoke(args=["content", "publish", str(folder / RISK_BANK)])
    assert result.exit_code == 1
    line = line_of(folder, RISK_BANK, "## dep-001")
    other = line_of(folder, "courses/products/questions/deposits.md", "## dep-001")
    assert (f"{RISK_BANK}:{line}: id dep-001 is already used by course products "
            f"(questions/deposits.md:{other})") in result.output
    assert db.session.scalar(select(Question).where(Question.slug == "dep-001")) is None
    # And `check` of the course folder says the same.
    result = runner.invoke(args=["content", "check", str(folder / "courses/risk")])
    assert result.exit_code == 1 and "id dep-001 is already used by course products" in result.output


def test_publishing_the_whole_folder_cannot_move_an_id_to_another_course(runner, folder):
    publish(parse_folder(folder), None, "test")
    before = owner_of("dep-001")
    bank = folder / "courses/products/questions/deposits.md"
    text = bank.read_text(encoding="utf-8")
    start = text.index("## dep-001")
    end = text.index("## dep-002")
    bank.write_text(text[:start] + text[end:], encoding="utf-8")  # dep-001 leaves products...
    append(folder, RISK_BANK, TAKEOVER)  # ...and turns up in risk-cases
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 1
    assert "id dep-001 is already used by course products (questions/deposits.md)" in result.output
    assert owner_of("dep-001") == before


def test_an_id_retired_in_another_course_stays_that_courses(folder):
    publish(parse_folder(folder), None, "test")
    bank = folder / "courses/products/questions/deposits.md"
    text = bank.read_text(encoding="utf-8")
    bank.write_text(text[:text.index("## dep-006")], encoding="utf-8")
    publish(parse_folder(folder, folder / "courses/products"), None, "test")  # dep-006 retired
    append(folder, RISK_BANK, TAKEOVER.replace("dep-001", "dep-006"))
    with pytest.raises(ContentProblems) as refused:
        publish(parse_folder(folder, folder / "courses/risk"), None, "test")
    assert any("id dep-006 is already used by course products (questions/deposits.md, retired)" in p.message
               for p in refused.value.problems)


def test_the_same_course_may_move_a_question_between_its_banks(folder):
    publish(parse_folder(folder), None, "test")
    bank = folder / "courses/products/questions/deposits.md"
    text = bank.read_text(encoding="utf-8")
    block = text[text.index("## dep-006"):]
    bank.write_text(text[:text.index("## dep-006")], encoding="utf-8")
    (folder / "courses/products/questions/essays.md").write_text(block, encoding="utf-8")
    publish(parse_folder(folder, folder / "courses/products"), None, "test")
    q = db.session.scalar(select(Question).where(Question.slug == "dep-006"))
    assert q.bank == "courses/products/questions/essays.md" and not q.retired


# --- imports ---------------------------------------------------------------------

@pytest.fixture
def two_courses(content_dir):
    """The console's sample folder (course products, dep-001…) and a second course."""
    write_folder(content_dir, {
        "courses/risk/course.md": "---\nid: risk-cases\ntitle: 风险案例\ntrack: risk-cases\n---\n",
        "courses/risk/questions/cases.md": "## risk-001\ntype: truefalse\nanswer: 对\n\n贷前调查须实地核实。\n",
        "courses/risk/questions/draft.md": "## risk-draft-001\ntype: truefalse\nanswer: 错\n\n草稿题。\n",
    })
    publish(parse_folder(content_dir, content_dir / "courses/risk/questions/cases.md"), None, "test")
    return content_dir


GIFT_TAKEOVER = "// [id:dep-001]\n::x::被改写的题干？{T}\n\n// [id:risk-draft-001]\n::y::另一题？{F}\n"


def test_gift_import_on_the_web_cannot_take_over_ids(client, two_courses, trainer):
    before = owner_of("dep-001")
    page = upload(client, GIFT_TAKEOVER.encode(), "takeover.gift.txt", bank="takeover", course="risk-cases")
    assert "import-problems" in page.text and 'name="token"' not in page.text
    # (The page is in Chinese: 编号 dep-001 已被课程 products 使用（questions/deposits.md）.)
    assert "dep-001" in page.text and "products" in page.text and "questions/deposits.md" in page.text
    # Another bank of the same course: the duplicate is named with its file and line.
    assert "risk-draft-001" in page.text and "courses/risk/questions/draft.md:1" in page.text
    assert not (two_courses / "courses/risk/questions/takeover.md").exists()
    assert owner_of("dep-001") == before


def test_excel_import_on_the_web_cannot_take_over_ids(client, two_courses, trainer):
    before = owner_of("risk-001")
    data = workbook([{"编号": "risk-001", "题型": "判断", "题干": "被改写的题干", "答案": "错"}])
    page = upload(client, data, "takeover.xlsx", bank="takeover", course="products")
    assert "import-problems" in page.text and 'name="token"' not in page.text
    assert "risk-001" in page.text and "risk-cases" in page.text and "questions/cases.md" in page.text
    assert "第 2 行" in page.text or "line or row 2" in page.text
    assert not (two_courses / "courses/products/questions/takeover.md").exists()
    assert owner_of("risk-001") == before


@pytest.mark.parametrize("kind", ["gift", "xlsx"])
def test_cli_imports_cannot_take_over_ids(runner, two_courses, tmp_path, kind):
    before = owner_of("risk-001")
    if kind == "gift":
        path = tmp_path / "takeover.gift.txt"
        path.write_text("// [id:risk-001]\n::x::被改写的题干？{F}\n", encoding="utf-8")
    else:
        path = tmp_path / "takeover.xlsx"
        path.write_bytes(workbook([{"编号": "risk-001", "题型": "判断", "题干": "被改写的题干", "答案": "错"}]))
    result = runner.invoke(args=["content", f"import-{kind}", str(path), "--course", "products", "--bank", "takeover"])
    assert result.exit_code == 1
    # 编号 risk-001 已被课程 risk-cases 使用（questions/cases.md…）
    assert "risk-001" in result.output and "risk-cases" in result.output and "questions/cases.md" in result.output
    assert not (two_courses / "courses/products/questions/takeover.md").exists()
    assert owner_of("risk-001") == before


def test_a_course_upload_cannot_take_over_ids(app, client, content_dir, trainer, tmp_path):
    from tests.content.console_samples import BANK_MD, COURSE_MD
    from tests.content.test_console_upload import _course_files, _upload, _zip

    app.instance_path = str(tmp_path / "instance")
    before = owner_of("dep-001")
    course_md = COURSE_MD.replace("id: products", "id: credit-basics").replace("对公与对私产品", "信贷基础")
    page = _upload(client, _zip(_course_files(prefix="", **{"course.md": course_md, "questions/deposits.md": BANK_MD})))
    assert 'name="token"' not in page.text
    assert "dep-001" in page.text and "products" in page.text and "questions/deposits.md" in page.text
    assert not (content_dir / "courses/credit-basics").exists()
    assert owner_of("dep-001") == before
