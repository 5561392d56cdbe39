"""Every check names the file and the line of the problem (content/FORMAT.md
is the contract); ``check`` never raises on bad content."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from lms.content.source.checks import check
from lms.content.source.parser import parse_folder
from tests.content.sample_folder import edit, line_of, write_folder

BANK = "courses/products/questions/deposits.md"
LESSON = "courses/products/lessons/01-deposits.md"
EXAM = "exams/week-01.yaml"
PROGRAMME = "programmes/rm-foundation.yaml"

# (file, text to replace, replacement, line holding this text afterwards, words of the message)
CASES = [
    ("missing front matter", LESSON, "---\ntitle: 个人存款产品", "title: 个人存款产品", None,
     "missing front matter"),
    ("unknown front matter key", LESSON, "minutes: 20", "minutes: 20\nauthor: 陈", "author: 陈",
     "unknown key 'author'"),
    ("invalid YAML in front matter", LESSON, "minutes: 20", "minutes: [20", "minutes: [20", "invalid YAML"),
    ("unknown track", "courses/risk/course.md", "track: risk-cases", "track: risks", "track: risks",
     "unknown track 'risks'"),
    ("missing title", "courses/risk/lessons/01-case.md", "title: 关联交易案例", "minutes: 5", "minutes: 5",
     "'title' is missing"),
    ("unknown question type", BANK, "type: truefalse", "type: yesno", "type: yesno", "unknown question type 'yesno'"),
    ("unknown difficulty", BANK, "difficulty: easy", "difficulty: trivial", "difficulty: trivial",
     "unknown difficulty 'trivial'"),
    ("unknown question key", BANK, "points: 2", "points: 2\nscore: 3", "score: 3", "unknown key 'score'"),
    ("single with two correct", BANK, "- [ ] 1 万元", "- [x] 1 万元", "- [x] 1 万元",
     "needs exactly one correct option [x] (found 2)"),
    ("single without correct", BANK, "- [x] 5 万元", "- [ ] 5 万元", "- [ ] 1 万元",
     "needs exactly one correct option [x] (found 0)"),
    ("multiple without correct", BANK, "- [x] 整存整取\n- [x] 通知存款", "- [ ] 整存整取\n- [ ] 通知存款",
     "- [ ] 整存整取", "at least one correct option"),
    ("truefalse without valid answer", BANK, "answer: 对", "answer: 也许", "answer: 也许",
     "'answer' must be true or false"),
    ("truefalse without answer", BANK, "answer: 对\n", "", "## dep-003", "needs 'answer: true' or 'answer: false'"),
    ("fill without blank", BANK, "[[50|50元]] 元，零存整取为 [[5]] 元", "50 元", "## dep-004",
     "at least one blank"),
    ("numeric without a number", BANK, "answer: 1.5", "answer: 一点五", "answer: 一点五", "'answer' must be a number"),
    ("negative tolerance", BANK, "tolerance: 0.01", "tolerance: -1", "tolerance: -1", "'tolerance' must be 0 or more"),
    ("nested case", "courses/risk/questions/cases.md", "type: numeric\npoints: 3", "type: case  \npoints: 3",
     "type: case  ", "part 'b' of risk-case-001: a case cannot contain another case"),
    ("broken image", LESSON, "../images/flow.png", "../images/flow2.png", "flow2.png",
     "broken link: '../images/flow2.png' (no file images/flow2.png in the course folder)"),
    ("broken attachment link", LESSON, "attachments/manual.pdf", "attachments/missing.pdf", "missing.pdf",
     "broken link"),
    ("link out of the course folder", LESSON, "../images/flow.png", "../../risk/images/x.png", "x.png",
     "leaves the course folder"),
    ("unknown review policy", EXAM, "review: after_submit", "review: sometimes", "review: sometimes",
     "unknown review policy 'sometimes'"),
    ("unknown layout", EXAM, "review: after_submit", "layout: scroll", "layout: scroll", "unknown layout 'scroll'"),
    ("invalid YAML in an exam", EXAM, "time_limit: 30", "time_limit: : 30", "time_limit: : 30", "invalid YAML"),
    ("unknown exam key", EXAM, "cooldown: 10", "cooldown: 10\nretries: 2", "retries: 2", "unknown key 'retries'"),
    ("draw asks for more than the banks have", EXAM, "{count: 1, type: case, course: risk-cases}",
     "{count: 10, type: case, course: risk-cases}", "count: 10",
     "draw rule 2 asks for 10 questions (type Case, course risk-cases) where there are 1"),
    ("hard questions short", "exams/week-02.yaml", "{count: 3}", "{count: 10, difficulty: hard}", "count: 10",
     "asks for 10 questions (difficulty Hard, course products) where there are 1"),
    ("unknown question in a fixed list", EXAM, "{questions: [dep-003]}", "{questions: [dep-404]}", "dep-404",
     "unknown question id 'dep-404'"),
    ("unknown draw type", EXAM, "type: single", "type: choice", "type: choice", "unknown question type 'choice'"),
    ("programme with a missing exam", PROGRAMME, "exam: exam-week-01", "exam: exam-week-09", "第 1 周",
     "week 1: unknown exam 'exam-week-09'"),
    ("programme with a missing lesson", PROGRAMME, "[products/deposits]", "[products/savings]", "第 1 周",
     "week 1: unknown lesson 'products/savings'"),
    ("inverted bulletin dates", PROGRAMME, "opens: 2026-09-09", "opens: 2026-09-12", "晨会产品速递",
     "bulletin 1: is due (2026-09-11) before it opens (2026-09-12)"),
    ("overlapping weeks", PROGRAMME, "exam: exam-week-02", "exam: exam-week-02\n    opens: 2026-09-10",
     "第 2 周", "week 2 (opens 2026-09-10) overlaps week 1 (due 2026-09-13)"),
    ("start not a Monday", PROGRAMME, "start: 2026-09-07", "start: 2026-09-08", "start:", "must be a Monday"),
    ("unknown audience position", PROGRAMME, "[teller, rm_junior]", "[teller, cashier]", "positions:",
     "unknown position 'cashier'"),
    ("bulletin check too long", "exams/check-bulletin-01.yaml", "[dep-001, dep-002, dep-003]",
     "[dep-001, dep-002, dep-003, dep-004, dep-005, dep-006]", "晨会产品速递",
     "bulletin 1: its check 'check-bulletin-01' has 6 questions; a bulletin check has 3 to 5"),
    ("bulletin check too short", "exams/check-bulletin-01.yaml", "[dep-001, dep-002, dep-003]", "[dep-001]",
     "晨会产品速递", "bulletin 1: its check 'check-bulletin-01' has 1 question; a bulletin check has 3 to 5"),
]


@pytest.mark.parametrize("name, rel, old, new, needle, message", CASES, ids=[c[0] for c in CASES])
def test_each_problem_names_its_file_and_line(tmp_path, name, rel, old, new, needle, message):
    root = write_folder(tmp_path)
    edit(root, rel, old, new)
    problems = check(parse_folder(root), db_lookup=False)
    expected_file = PROGRAMME if message.startswith(("week", "bulletin")) else rel
    line = line_of(root, expected_file, needle) if needle else 1
    matching = [p for p in problems if message in p.message]
    assert matching, f"no problem with {message!r} in {[str(p) for p in problems]}"
    assert (matching[0].source.path, matching[0].source.line) == (expected_file, line), str(matching[0])


TYPE_NAMED = [
    # (file, text to replace, replacement, Chinese message, English message)
    (BANK, "- [ ] 1 万元\n- [x] 5 万元\n- [ ] 10 万元", "- [x] 5 万元",
     "单选题至少需要两个选项，写作 '- [ ]' / '- [x]'",
     "a question of type Single choice needs at least two options"),
    (BANK, "type: single\npoints: 2", "type: single\npoints: 2\nanswer: 5", "单选题不使用 'answer'",
     "'answer' is not used by questions of type Single choice"),
    (EXAM, "{count: 1, type: case, course: risk-cases}", "{count: 10, type: case, difficulty: hard, course: risk-cases}",
     "（题型 案例题，难度 难，课程 risk-cases）", "(type Case, difficulty Hard, course risk-cases)"),
]


@pytest.mark.parametrize("rel, old, new, chinese, english", TYPE_NAMED, ids=["two options", "unused key", "draw rule"])
def test_a_problem_names_a_question_type_in_the_readers_language(app, tmp_path, rel, old, new, chinese, english):
    """单选题 on a Chinese page, Single choice on an English one: never the code
    ("single 题至少需要两个选项", "题型 case, 难度 hard")."""
    root = write_folder(tmp_path)
    edit(root, rel, old, new)
    for locale, expected in (("zh_CN", chinese), ("en", english)):
        with app.test_request_context(), force_locale(locale):
            messages = [p.message for p in check(parse_folder(root), db_lookup=False)]
        assert any(expected in m for m in messages), (locale, messages)
        assert not any(re.search(r"\b(single|case|hard)\b", m) for m in messages), messages


def test_the_sample_folder_is_clean(tmp_path):
    assert check(parse_folder(write_folder(tmp_path)), db_lookup=False) == []


def test_problem_in_programme_file_points_at_the_bulletin_source(tmp_path):
    root = write_folder(tmp_path)
    edit(root, PROGRAMME, "exam: check-bulletin-01", "exam: check-bulletin-09")
    problems = check(parse_folder(root), db_lookup=False)
    assert [str(p) for p in problems] == [
        f"{PROGRAMME}:{line_of(root, PROGRAMME, '晨会产品速递')}: bulletin 1: unknown exam 'check-bulletin-09'"]


def test_duplicate_question_ids_across_files_name_both_places(tmp_path):
    root = write_folder(tmp_path)
    edit(root, "courses/risk/questions/cases.md", "## risk-case-001", "## dep-002")
    problems = [p for p in check(parse_folder(root), db_lookup=False) if "duplicate" in p.message]
    first = f"{BANK}:{line_of(root, BANK, '## dep-002')}"
    assert [str(p) for p in problems] == [
        f"courses/risk/questions/cases.md:1: duplicate question id 'dep-002': also at {first}"]


def test_duplicate_lesson_and_exam_ids(tmp_path):
    root = write_folder(tmp_path)
    edit(root, "courses/products/lessons/02-loans.md", "id: corporate-loans", "id: deposits")
    edit(root, "exams/week-02.yaml", "id: exam-week-02", "id: exam-week-01")
    messages = [str(p) for p in check(parse_folder(root), db_lookup=False) if "duplicate" in p.message]
    assert "courses/products/lessons/02-loans.md:1: duplicate lesson id 'products/deposits': also at " \
           "courses/products/lessons/01-deposits.md:1" in messages
    assert "exams/week-02.yaml:1: duplicate exam id 'exam-week-01': also at exams/week-01.yaml:1" in messages


def test_rules_that_compete_for_the_same_questions(tmp_path):
    root = write_folder(tmp_path)
    # Two singles are asked for, one by each rule, but only one single exists.
    edit(root, EXAM, "  - {questions: [dep-003]}", "  - {count: 1, type: single}")
    problems = check(parse_folder(root), db_lookup=False)
    assert [str(p) for p in problems] == [
        f"{EXAM}:1: the draw rules ask for 3 questions in all, but only 2 can be drawn without using a question "
        "twice (rules share the same questions)"]


def test_fixed_question_counts_against_the_rules(tmp_path):
    root = write_folder(tmp_path)
    edit(root, EXAM, "{questions: [dep-003]}", "{questions: [dep-001]}")
    problems = check(parse_folder(root), db_lookup=False)
    assert any("only 2 can be drawn" in p.message for p in problems)


def test_text_before_the_first_question_and_a_bank_without_questions(tmp_path):
    root = write_folder(tmp_path, {})
    write_folder(root, {"courses/x/course.md": "---\nid: x\ntitle: X\ntrack: other\n---\n",
                        "courses/x/questions/a.md": "# 题库\n\n这里写了说明\n\n## q-1\ntype: truefalse\nanswer: true\n\n对？\n",
                        "courses/x/questions/b.md": "# 空题库\n"})
    problems = [str(p) for p in check(parse_folder(root), db_lookup=False)]
    assert problems == [
        "courses/x/questions/a.md:3: text before the first question: each question starts with a heading "
        "'## question-id'",
        "courses/x/questions/b.md:1: the bank has no questions ('## question-id' headings)",
    ]


def test_check_never_raises_on_garbage(tmp_path):
    root = write_folder(tmp_path)
    # Neither UTF-8, GBK nor UTF-16 (b"\xff\xfe …", the bytes this test used, are now read: they are
    # Notepad's "Unicode" byte-order mark).
    (root / "exams/week-01.yaml").write_bytes(b"\x80\xff garbage")
    (root / "programmes/rm-foundation.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    (root / BANK).write_text("## \n\n- [x]\n", encoding="utf-8")
    problems = [str(p) for p in check(parse_folder(root), db_lookup=False)]
    assert ("exams/week-01.yaml:1: the file is neither UTF-8 nor GBK text from this line on (a character pasted "
            "from elsewhere, or not a text file): open it in Notepad and save it again with 另存为 → 编码 UTF-8"
            in problems)
    assert "programmes/rm-foundation.yaml:1: a programme file must be 'key: value' lines (see content/FORMAT.md)" \
        in problems


def test_case_without_parts(tmp_path):
    root = write_folder(tmp_path)
    (root / "courses/risk/questions/cases.md").write_text(
        "## risk-case-001\ntype: case\n\n某企业申请贷款。\n\n解析：略。\n", encoding="utf-8")
    problems = [str(p) for p in check(parse_folder(root), db_lookup=False)]
    assert "courses/risk/questions/cases.md:1: question risk-case-001: a case needs sub-questions " \
           "(### a, ### b …), each with its own type" in problems


def test_the_shipped_curriculum_is_clean():
    """content/ is what `flask demo` publishes and what a new bank starts from."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "content"
    bundle = parse_folder(root)
    assert [str(p) for p in check(bundle, db_lookup=False)] == []
    assert bundle.courses and bundle.questions and bundle.exams and bundle.programmes
