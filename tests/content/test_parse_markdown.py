"""The parser reads every kind of content file and every question type of
content/FORMAT.md into the schema objects publishing consumes."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from lms.content.source.parser import parse_course, parse_exam, parse_folder, parse_lesson, parse_programme, \
    parse_question_bank
from tests.content.sample_folder import write_folder


def one(text: str):
    questions, problems = parse_question_bank(text, "courses/p/questions/q.md", "p")
    assert problems == [], [str(p) for p in problems]
    assert len(questions) == 1
    return questions[0]


def test_single_choice_with_key_lines_tags_and_explanation():
    q = one("""## dep-001
type: single
points: 2                # default 1
difficulty: easy         # easy | medium | hard
tags: 个人存款, 通知存款、理财

个人通知存款的**最低**起存金额是多少？

- [ ] 1 万元
- [x] 5 万元
- [ ] 10 万元

解析：个人通知存款最低起存金额为 5 万元，
分一天、七天两个品种。
""")
    assert (q.id, q.type, q.points, q.difficulty) == ("dep-001", "single", 2.0, "easy")
    assert q.tags == ["个人存款", "理财", "通知存款"]
    assert q.stem_md == "个人通知存款的**最低**起存金额是多少？"
    assert q.data == {"options": [{"key": "A", "text": "1 万元"}, {"key": "B", "text": "5 万元"},
                                  {"key": "C", "text": "10 万元"}], "correct": ["B"]}
    assert q.explanation_md == "个人通知存款最低起存金额为 5 万元，\n分一天、七天两个品种。"
    assert q.source.line == 1 and q.bank == "courses/p/questions/q.md" and q.course_id == "p"


def test_multiple_choice_defaults():
    q = one("## m-1\ntype: multiple\n\n哪些是存款？\n\n- [x] 定期\n- [X] 活期\n- [ ] 基金\n")
    assert q.data["correct"] == ["A", "B"]
    assert (q.points, q.difficulty, q.tags, q.explanation_md) == (1.0, "medium", [], "")


def test_option_text_may_continue_on_indented_lines():
    q = one("## m-2\ntype: single\n\n选一个\n\n- [ ] 第一\n  续行\n- [x] 第二\n")
    assert q.data["options"][0]["text"] == "第一\n续行"


def test_truefalse_accepts_chinese_words():
    assert one("## t-1\ntype: truefalse\nanswer: 错\n\n存款保险无上限。\n").data == {"correct": False}
    assert one("## t-2\ntype: truefalse\nanswer: true\n\n存款受保险保障。\n").data == {"correct": True}


def test_fill_blanks_become_numbered_placeholders():
    q = one("## f-1\ntype: fill\n\n五级分类为正常、关注、[[次级|次级类]]、[[可疑]]、损失。\n")
    assert q.stem_md == "五级分类为正常、关注、{{1}}、{{2}}、损失。"
    assert q.data == {"blanks": [["次级", "次级类"], ["可疑"]]}


def test_numeric_with_tolerance_and_unit():
    q = one("## n-1\ntype: numeric\nanswer: 62.5\ntolerance: 0.5\nunit: %\n\n资产负债率是多少？\n")
    assert q.data == {"answer": 62.5, "tolerance": 0.5, "unit": "%"}
    assert one("## n-2\ntype: numeric\nanswer: 3\n\n几天？\n").data == {"answer": 3.0, "tolerance": 0.0}


def test_essay_rubric_and_explanation():
    q = one("## e-1\ntype: essay\npoints: 10\n\n说明贷前调查要点。\n\n评分要点：\n- 实地调查\n- 财务分析\n\n解析：见第 3 课。\n")
    assert q.stem_md == "说明贷前调查要点。"
    assert q.data == {"rubric": "- 实地调查\n- 财务分析"}
    assert q.explanation_md == "见第 3 课。"


def test_case_with_parts_sums_points():
    q = one("""## risk-case-003
type: case
tags: 贷前调查, 关联交易

某制造企业申请流动资金贷款 800 万元……

### a
type: single
points: 2

流动比率约为多少？

- [ ] 0.8
- [x] 1.2

解析：流动资产 ÷ 流动负债 = 1.2。

### b
type: fill

五级分类的第三类是 [[次级]]。

### c
type: numeric
points: 3
answer: 62.5
tolerance: 0.5
unit: %

资产负债率是多少？

解析：负债 ÷ 资产。
""")
    assert q.type == "case" and q.points == 6.0
    assert q.stem_md == "某制造企业申请流动资金贷款 800 万元……"
    a, b, c = q.data["parts"]
    assert a == {"id": "a", "type": "single", "stem": "流动比率约为多少？", "points": 2.0,
                 "data": {"options": [{"key": "A", "text": "0.8"}, {"key": "B", "text": "1.2"}], "correct": ["B"]},
                 "explanation": "流动资产 ÷ 流动负债 = 1.2。"}
    assert b["stem"] == "五级分类的第三类是 {{1}}。" and b["data"] == {"blanks": [["次级"]]}
    assert c["data"] == {"answer": 62.5, "tolerance": 0.5, "unit": "%"} and c["explanation"] == "负债 ÷ 资产。"


def test_a_heading_inside_a_code_fence_does_not_start_a_question():
    q = one("## c-1\ntype: essay\n\n写一段 SQL：\n\n```\n## not a question\n```\n")
    assert "## not a question" in q.stem_md


def test_several_questions_keep_their_lines():
    questions, problems = parse_question_bank(
        "# 题库\n\n## a-1\ntype: truefalse\nanswer: true\n\n对吗？\n\n## a-2\ntype: truefalse\nanswer: false\n\n错吗？\n",
        "q.md", None)
    assert problems == []
    assert [(q.id, q.source.line) for q in questions] == [("a-1", 3), ("a-2", 9)]


def test_course_and_lesson_files():
    course, problems = parse_course("---\nid: products\ntitle: 产品\ntrack: products\nsummary: 对公对私\n---\n介绍\n",
                                    "courses/p/course.md")
    assert problems == [] and (course.id, course.title, course.track, course.summary) == \
        ("products", "产品", "products", "对公对私")
    lesson, problems = parse_lesson("---\ntitle: 存款\nminutes: 20\nobjectives:\n  - 说出起存金额\n---\n## 定期\n\n正文\n",
                                    "courses/p/lessons/01-deposits.md", "products", 1)
    assert problems == []
    assert (lesson.id, lesson.course_id, lesson.position, lesson.minutes, lesson.objectives) == \
        ("deposits", "products", 1, 20, ["说出起存金额"])
    assert lesson.body_md == "## 定期\n\n正文"


def test_exam_file_with_defaults_and_local_close_time():
    exam, problems = parse_exam("id: exam-1\ntitle: 测验\ncourse: products\nattempts: 3\n"
                                "closes_at: 2026-12-31 18:00\ndraw:\n  - {count: 5, type: single, tags: [存款]}\n"
                                "  - {questions: [dep-001]}\n", "exams/e.yaml")
    assert problems == []
    assert (exam.max_attempts, exam.pass_mark, exam.time_limit_minutes, exam.layout, exam.review_policy) == \
        (3, 60.0, 30, "one_page", "after_submit")
    assert exam.closes_at == datetime(2026, 12, 31, 10, 0)  # 18:00 in Shanghai, stored in UTC
    assert exam.draw == [{"count": 5, "type": "single", "tags": ["存款"], "line": 7},
                         {"questions": ["dep-001"], "line": 8}]


def test_programme_weeks_default_to_monday_to_sunday():
    programme, problems = parse_programme(
        "id: rm\ntitle: 培训\nstart: 2026-09-07\nweeks:\n  - {title: 第1周, lessons: [p/a], exam: e1}\n"
        "  - {title: 第2周, lessons: [p/b], exam: e2, due: 2026-09-22}\n"
        "  - {title: 第3周, lessons: [p/c], exam: e3}\n", "programmes/rm.yaml")
    assert problems == []
    assert [(i.key, i.opens_on, i.due_on) for i in programme.items] == [
        ("week-1", date(2026, 9, 7), date(2026, 9, 13)),
        ("week-2", date(2026, 9, 14), date(2026, 9, 22)),
        ("week-3", date(2026, 9, 28), date(2026, 10, 4)),  # follows week 2, which is due on 09-22
    ]
    assert programme.audience == {"branches": [], "positions": [], "roles": []}


def test_whole_folder(tmp_path):
    bundle = parse_folder(write_folder(tmp_path))
    assert bundle.problems == []
    assert sorted(c.id for c in bundle.courses) == ["products", "risk-cases"]
    assert [(lesson.id, lesson.position) for lesson in bundle.lessons if lesson.course_id == "products"] == \
        [("deposits", 1), ("corporate-loans", 2), ("bulletin-large-cd", 3)]
    assert sorted(q.type for q in bundle.questions) == \
        ["case", "essay", "fill", "multiple", "numeric", "single", "truefalse"]
    assert sorted(a.path for a in bundle.assets) == ["attachments/manual.pdf", "images/flow.png"]
    assert bundle.scope.whole


def test_sub_paths_read_only_their_part_and_say_what_they_cover(tmp_path):
    root = write_folder(tmp_path)
    bank = parse_folder(root, "courses/products/questions/deposits.md")
    assert [c.id for c in bank.courses] == ["products"] and bank.lessons == [] and len(bank.questions) == 6
    assert bank.scope.banks == {"courses/products/questions/deposits.md"} and not bank.scope.whole
    lesson = parse_folder(root, root / "courses/products/lessons/02-loans.md")
    assert [(x.id, x.position) for x in lesson.lessons] == [("corporate-loans", 2)]
    assert not lesson.scope.covers_lessons_of("products")
    course = parse_folder(root, "courses/products")
    assert course.scope.courses == {"products"} and len(course.lessons) == 3 and len(course.assets) == 2
    exams = parse_folder(root, "exams")
    assert len(exams.exams) == 3 and exams.scope.all_exams and exams.courses == []
    one_exam = parse_folder(root, "exams/week-01.yaml")
    assert [e.id for e in one_exam.exams] == ["exam-week-01"] and not one_exam.scope.all_exams
    missing = parse_folder(root, "exams/nope.yaml")
    assert [str(p) for p in missing.problems] == ["exams/nope.yaml: no such file or folder in the content folder"]


def test_multiple_choice_keeps_partial_credit_weights():
    from lms.content.source.parser import parse_question_bank

    text = ("## w-1\ntype: multiple\nweights: A 50, B -50, C 50, D -50\n\n哪些属于流动资产？\n\n"
            "- [x] 应收账款\n- [ ] 固定资产\n- [x] 存货\n- [ ] 无形资产\n\n解析：……\n")
    questions, problems = parse_question_bank(text, "courses/c/questions/w.md", "c")
    assert not problems
    assert questions[0].data["weights"] == {"A": 50.0, "B": -50.0, "C": 50.0, "D": -50.0}


@pytest.mark.parametrize("weights, message", [
    ("A 50, B 50", "positive weight"),          # B is not marked [x]
    ("A 40, C 40", "add up to 80"),
    ("A 50, E 50", "no option E"),
    ("A fifty", "not 'option percent'"),
])
def test_bad_weights_are_reported_at_their_line(weights, message, app):
    from lms.content.source.parser import parse_question_bank

    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    text = (f"## w-1\ntype: multiple\nweights: {weights}\n\n哪些属于流动资产？\n\n"
            "- [x] 应收账款\n- [ ] 固定资产\n- [x] 存货\n- [ ] 无形资产\n")
    with app.test_request_context():
        from flask import session
        session["lang"] = "en"
        questions, problems = parse_question_bank(text, "courses/c/questions/w.md", "c")
    assert any(message in str(p) and p.source.line == 3 for p in problems), [str(p) for p in problems]
