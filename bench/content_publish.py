"""How fast the content engine checks and publishes a large curriculum.

Generates 100 courses, 2,000 lessons and 20,000 questions (every type; about a
third with markdown in the stem) plus images, 100 exams and a 12-week
programme in a temporary folder, then measures what a trainer waits for:

    check               parse the folder + every check   (flask content check)   target ≤ 10 s
    first publish       parse + check + plan + write     (flask content publish) target ≤ 30 s
    unchanged publish   the same again, nothing to write                           target ≤ 5 s

Run from the repository root:

    python bench/content_publish.py                       # SQLite, in a temporary file
    su postgres -c "createdb -O lms lms_bench"            # PostgreSQL: an empty database of its own
    python bench/content_publish.py --database-url postgresql+psycopg://lms:lms@127.0.0.1:5432/lms_bench

The PostgreSQL database is emptied first (its public schema is dropped), so
never point it at a database you care about; the script refuses a database
whose name does not contain "bench".
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COURSES, LESSONS_PER_COURSE, QUESTIONS_PER_COURSE, BANKS_PER_COURSE = 100, 20, 200, 4
TARGETS = {"check": 10.0, "first publish": 30.0, "unchanged publish": 5.0}
TYPES = ["single"] * 8 + ["multiple"] * 4 + ["truefalse"] * 3 + ["fill"] * 2 + ["numeric"] * 1 + ["essay"] * 1 + \
    ["case"] * 1
TAGS = ["个人存款", "通知存款", "对公贷款", "票据", "理财", "反洗钱", "授信", "五级分类", "担保", "银行卡"]
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _stem(rng: random.Random, n: int) -> str:
    base = f"第 {n} 题：关于{rng.choice(TAGS)}，客户经理向客户介绍产品时应当如何说明"
    return base + ("，注意**风险提示**？" if rng.random() < 0.33 else "？")


def _question(rng: random.Random, qid: str, n: int, qtype: str) -> str:
    head = [f"## {qid}", f"type: {qtype}", f"difficulty: {rng.choice(['easy', 'medium', 'medium', 'hard'])}",
            f"tags: {', '.join(rng.sample(TAGS, 2))}"]
    body: list[str] = []
    if qtype == "single":
        right = rng.randrange(4)
        body = [_stem(rng, n), ""] + [f"- [{'x' if i == right else ' '}] 选项 {i + 1}" for i in range(4)]
    elif qtype == "multiple":
        body = [_stem(rng, n), "", "- [x] 选项一", "- [x] 选项二", "- [ ] 选项三", "- [ ] 选项四"]
    elif qtype == "truefalse":
        head.append(f"answer: {rng.choice(['true', 'false'])}")
        body = [_stem(rng, n)]
    elif qtype == "fill":
        body = [f"第 {n} 题：贷款五级分类为正常、关注、[[次级|次级类]]、[[可疑]]、损失。"]
    elif qtype == "numeric":
        head += ["answer: 62.5", "tolerance: 0.5", "unit: %"]
        body = [f"第 {n} 题：该企业的资产负债率是多少？"]
    elif qtype == "essay":
        head.append("points: 10")
        body = [_stem(rng, n), "", "评分要点：", "- 要点一", "- 要点二"]
    else:
        body = [f"第 {n} 题：某制造企业申请流动资金贷款 800 万元。", "",
                "### a", "type: single", "points: 2", "", "流动比率约为多少？", "", "- [ ] 0.8", "- [x] 1.2", "",
                "### b", "type: numeric", "answer: 62.5", "tolerance: 0.5", "", "资产负债率是多少？"]
    explanation = ["", f"解析：第 {n} 题的要点在于{rng.choice(TAGS)}的规定。"]
    return "\n".join(head + [""] + body + explanation) + "\n"


def generate(root: Path, seed: int = 7) -> dict:
    rng = random.Random(seed)
    counts = {"courses": 0, "lessons": 0, "questions": 0}
    for c in range(1, COURSES + 1):
        course = root / "courses" / f"c{c:03d}"
        (course / "lessons").mkdir(parents=True)
        (course / "questions").mkdir()
        (course / "images").mkdir()
        (course / "images" / "flow.png").write_bytes(PNG)
        track = rng.choice(["products", "credit", "risk-cases", "warning-education"])
        (course / "course.md").write_text(f"---\nid: course-{c:03d}\ntitle: 课程 {c}\ntrack: {track}\n"
                                          f"summary: 第 {c} 门课程。\n---\n", encoding="utf-8")
        counts["courses"] += 1
        for n in range(1, LESSONS_PER_COURSE + 1):
            paragraphs = "\n\n".join(
                f"第 {p} 段：**{rng.choice(TAGS)}**业务的办理流程、起存金额与风险提示。客户经理应当如实告知客户产品风险。"
                for p in range(1, 9))
            (course / "lessons" / f"{n:02d}-lesson-{n}.md").write_text(
                f"---\ntitle: 第 {n} 课\nminutes: 20\nobjectives:\n  - 掌握要点 {n}\n---\n## 第 {n} 课\n\n{paragraphs}\n\n"
                "| 产品 | 起存金额 |\n| --- | --- |\n| 整存整取 | 50 元 |\n\n![流程](../images/flow.png)\n\n"
                "!!! risk \"风险提示\"\n    不得向客户承诺保本保收益。\n", encoding="utf-8")
            counts["lessons"] += 1
        per_bank = QUESTIONS_PER_COURSE // BANKS_PER_COURSE
        for b in range(BANKS_PER_COURSE):
            parts = []
            for i in range(per_bank):
                n = b * per_bank + i + 1
                parts.append(_question(rng, f"c{c:03d}-q{n:03d}", n, TYPES[n % len(TYPES)]))
                counts["questions"] += 1
            (course / "questions" / f"bank-{b + 1}.md").write_text("\n".join(parts), encoding="utf-8")
    (root / "exams").mkdir()
    for c in range(1, COURSES + 1):
        (root / "exams" / f"exam-{c:03d}.yaml").write_text(
            f"id: exam-{c:03d}\ntitle: 课程 {c} 测验\ncourse: course-{c:03d}\ntime_limit: 30\npass_mark: 80\n"
            "draw:\n  - {count: 10, type: single}\n  - {count: 4, type: multiple, difficulty: medium}\n"
            f"  - {{count: 2, type: case}}\n  - {{questions: [c{c:03d}-q001]}}\n", encoding="utf-8")
    (root / "programmes").mkdir()
    weeks = "\n".join(f"  - title: 第 {w} 周\n    lessons: [course-{w:03d}/lesson-1, course-{w:03d}/lesson-2]\n"
                      f"    exam: exam-{w:03d}" for w in range(1, 13))
    (root / "programmes" / "rm-foundation.yaml").write_text(
        f"id: rm-foundation\ntitle: 十二周基础培训\nstart: 2026-09-07\nweeks:\n{weeks}\n", encoding="utf-8")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lms-bench-content-"))
    url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgresql") and "bench" not in url.rsplit("/", 1)[-1]:
        print("refusing: the PostgreSQL database name must contain 'bench' (it is emptied first)")
        return 2
    os.environ.setdefault("LMS_INSTANCE_DIR", str(work / "instance"))
    os.environ.setdefault("LMS_BASE_URL", "http://127.0.0.1:5000")  # the app refuses to start without it

    from flask_migrate import upgrade
    from sqlalchemy import text

    from lms import create_app
    from lms.content.source.checks import check
    from lms.content.source.parser import parse_folder
    from lms.content.publishing.publish import publish
    from lms.extensions import db

    root = work / "content"
    started = time.perf_counter()
    counts = generate(root)
    print(f"corpus: {counts['courses']} courses, {counts['lessons']} lessons, {counts['questions']} questions "
          f"in {root} ({time.perf_counter() - started:.1f} s to write)")

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CONTENT_DIR": str(root)})
    figures = {}
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        print(f"database: {db.engine.dialect.name}")

        def run_check():
            bundle = parse_folder(root)
            problems = check(bundle)
            assert not problems, [str(p) for p in problems[:5]]
            return bundle

        def run_publish():
            bundle = run_check()
            return publish(bundle, None, "bench", checked=True)

        for name, action in (("check", run_check), ("first publish", run_publish),
                             ("unchanged publish", run_publish)):
            t0 = time.perf_counter()
            result = action()
            figures[name] = time.perf_counter() - t0
            db.session.remove()
            if name == "first publish":
                assert result.summary()["question"]["added"] == counts["questions"]
            if name == "unchanged publish":
                assert not result.has_changes
    print()
    print(f"{'figure':<20}{'seconds':>9}{'target':>9}  result")
    missed = 0
    for name, seconds in figures.items():
        ok = seconds <= TARGETS[name]
        missed += not ok
        print(f"{name:<20}{seconds:>9.2f}{TARGETS[name]:>9.0f}  {'PASS' if ok else 'MISS'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
