"""How long a trainer waits in the browser editor (lms/content/console/editor.py).

Builds one large course in a temporary content folder (30 lessons, 4 banks of
100 questions, 20 images), publishes it, signs in a trainer and measures, in
process through the Flask test client (so: the server's work, no network):

    preview lesson      POST /console/preview of a lesson      target ≤ 0.5 s (the typing debounce)
    preview bank        POST /console/preview of a 100-question bank   target ≤ 0.5 s
    review bank         POST /console/review (parse, check, plan, diffs)   target ≤ 1 s
    publish bank        POST /console/publish (write, parse, check, publish)   target ≤ 2 s

As a trainer's browser does, Publish sends the editor form back with the
hidden fields the review page carried: the hash of the text reviewed and the
fingerprint of the plan shown (``reviewed_plan``); without them the publish is
refused (409) and the review shown again.

Run from the repository root:  python bench/console_editor.py [--rounds 7]
"""
from __future__ import annotations

import argparse
from html.parser import HTMLParser
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGETS = {"preview lesson": 0.5, "preview bank": 0.5, "review bank": 1.0, "publish bank": 2.0}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048


class HiddenFields(HTMLParser):
    """The hidden inputs of a page, by name: what the browser sends back with the form."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def build(root: Path) -> None:
    course = root / "courses" / "big"
    for part in ("lessons", "questions", "images"):
        (course / part).mkdir(parents=True)
    (course / "course.md").write_text("---\nid: big\ntitle: 大课程\ntrack: products\n---\n", encoding="utf-8")
    for i in range(1, 21):
        (course / "images" / f"img-{i}.png").write_bytes(PNG)
    for i in range(1, 31):
        body = "\n\n".join(f"## 第 {j} 节\n\n| 产品 | 起存 |\n| --- | --- |\n| 整存整取 | 50 元 |\n\n"
                           f"**要点**：提前支取按活期计息。![图](../images/img-{j % 20 + 1}.png)\n\n"
                           "!!! risk \"风险提示\"\n    不得承诺保本保收益。" for j in range(1, 9))
        (course / "lessons" / f"{i:02d}-lesson-{i}.md").write_text(
            f"---\ntitle: 第 {i} 课\nminutes: 20\nobjectives:\n  - 目标一\n---\n{body}\n", encoding="utf-8")
    for b in range(1, 5):
        questions = []
        for n in range(1, 101):
            questions.append(f"## big-{b}-{n:03d}\ntype: single\ndifficulty: medium\ntags: 个人存款, 第{b}册\n\n"
                             f"第 {n} 题：个人通知存款的**最低**起存金额是多少？\n\n"
                             "- [ ] 1 万元\n- [x] 5 万元\n- [ ] 10 万元\n\n解析：最低 5 万元。\n")
        (course / "questions" / f"bank-{b}.md").write_text("\n".join(questions), encoding="utf-8")
    (root / "exams").mkdir()
    (root / "programmes").mkdir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    from lms import create_app
    from lms.content.console.editor import text_hash
    from lms.content.source.parser import parse_folder
    from lms.content.publishing.publish import publish
    from lms.extensions import db
    from lms.org.models import User, UserRole

    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-editor-"))
    root = tmp / "content"
    build(root)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}", "CONTENT_DIR": str(root),
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench", "SERVER_NAME": "localhost"})
    app.instance_path = str(tmp / "instance")
    timings: dict[str, list[float]] = {name: [] for name in TARGETS}
    with app.app_context():
        db.create_all()
        publish(parse_folder(root), None, "bench")
        trainer = User(employee_no="bench-trainer", name="基准", password_hash="x", active=True, locale="zh_CN")
        trainer.role_rows = [UserRole(role="trainer")]
        db.session.add(trainer)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = trainer.get_id()

        lesson, bank = "courses/big/lessons/01-lesson-1.md", "courses/big/questions/bank-1.md"

        def form(path: str, text: str) -> dict:
            return {"path": path, "text": text, "base_hash": text_hash((root / path).read_bytes())}

        def timed(name: str, url: str, data: dict, expect: int) -> str:
            start = time.perf_counter()
            response = client.post(url, data=data, headers={"HX-Request": "true"} if "preview" in url else {})
            timings[name].append(time.perf_counter() - start)
            assert response.status_code == expect, (name, response.status_code)
            return response.get_data(as_text=True)

        for r in range(args.rounds):
            lesson_text = (root / lesson).read_text(encoding="utf-8") + f"\n修订 {r}\n"
            bank_text = (root / bank).read_text(encoding="utf-8").replace("最低 5 万元", f"最低 5 万元（{r}）", 1)
            timed("preview lesson", "/console/preview", form(lesson, lesson_text), 200)
            timed("preview bank", "/console/preview", form(bank, bank_text), 200)
            reviewed = HiddenFields(timed("review bank", "/console/review", form(bank, bank_text), 200)).fields
            assert reviewed.get("reviewed_plan"), "the review page carries no plan fingerprint"
            timed("publish bank", "/console/publish", {**reviewed, **form(bank, bank_text)}, 302)
            assert f"最低 5 万元（{r}）" in (root / bank).read_text(encoding="utf-8")

    print(f"console editor, {args.rounds} rounds (30 lessons, 400 questions, 20 images in the course)")
    for name, values in timings.items():
        median = statistics.median(values)
        verdict = "ok" if median <= TARGETS[name] else "SLOW"
        print(f"  {name:<16} median {median * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms   "
              f"target ≤ {TARGETS[name] * 1000:.0f} ms   {verdict}")


if __name__ == "__main__":
    main()
