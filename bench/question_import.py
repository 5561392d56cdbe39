"""How long a trainer waits for a question import, for a bank of N questions
(default 1000, every type, cases included).

Measures, each printed in seconds:

    export xlsx          N questions written in the template           (export_xlsx)
    read xlsx            the workbook read back, every cell checked     (read_xlsx)
    read gift            the same bank as GIFT text (cases excluded)    (read_gift)
    bank markdown        the bank file written and parsed back          (bank_markdown, parse_question_bank)
    preview              upload → checked, planned, rendered with keys  (services.prepare)
    confirm              bank file written and published                (services.confirm)
    changed, shown again a question of the course edited after the preview: nothing
                         published, the preview of now shown            (confirm + preview_again)
    re-import            the same file again: nothing changes           (prepare + confirm)

Run from the repository root:  python bench/question_import.py [--questions 1000]
Everything runs in a temporary folder with a fresh SQLite database; the preview
and confirm run inside one web request each, so compare them with gunicorn's
and the proxy's request timeouts.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMP = Path(tempfile.mkdtemp(prefix="lms-bench-qimport-"))
os.environ["LMS_INSTANCE_DIR"] = str(TMP)
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("LMS_BASE_URL", "http://127.0.0.1:5000")  # the app refuses to start without it
sys.path.insert(0, str(ROOT))


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<20} {time.perf_counter() - start:8.2f} s")
    return result


def bank(n: int):
    from lms.content.importers.examples import example_questions

    base = example_questions()
    return [dataclasses.replace(base[i % len(base)], id=f"bench-{i:05d}", stem_md=f"{base[i % len(base)].stem_md}（{i}）")
            for i in range(n)]


def gift_text(questions) -> str:
    lines = []
    for q in questions:
        d = q.data
        if q.type == "single":
            body = " ".join(("=" if o["key"] in d["correct"] else "~") + o["text"] for o in d["options"])
        elif q.type == "multiple":
            share = 100 / len(d["correct"])
            body = " ".join((f"~%{share:.5f}%" if o["key"] in d["correct"] else "~%-100%") + o["text"]
                            for o in d["options"])
        elif q.type == "truefalse":
            body = "T" if d["correct"] else "F"
        elif q.type == "numeric":
            body = f"#{d['answer']}:{d['tolerance']}"
        elif q.type == "essay":
            body = ""
        else:
            continue
        lines.append(f"::{q.id}::{q.stem_md}{{{body}}}\n")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from lms import create_app
    from lms.extensions import db

    content = TMP / "content" / "courses" / "products"
    (content / "questions").mkdir(parents=True)
    (content / "course.md").write_text("---\nid: products\ntitle: 产品\ntrack: products\n---\n", encoding="utf-8")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{TMP / 'bench.sqlite3'}", "CONTENT_DIR": str(TMP / "content"),
                      "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        from lms.content.source.bank_parser import parse_question_bank
        from lms.content.importers import gift, serialize, services, xlsx, xlsx_export
        from lms.content.source.parser import parse_folder
        from lms.content.publishing.publish import publish
        from lms.org.models import User, UserRole

        publish(parse_folder(TMP / "content"), None, "bench")
        trainer = User(employee_no="bench-trainer", name="培训师", password_hash="x", active=True)
        trainer.role_rows = [UserRole(role="trainer")]
        db.session.add(trainer)
        db.session.commit()

        questions = bank(args.questions)
        print(f"{args.questions} questions ({TMP})")
        data = timed("export xlsx", lambda: xlsx_export.export_xlsx(questions))
        result = timed("read xlsx", lambda: xlsx.read_xlsx(data, "bench.xlsx"))
        assert not result.problems, result.problems[:3]
        text = gift_text(questions)
        gift_result = timed("read gift", lambda: gift.read_gift(text, "bench.gift.txt"))
        assert not gift_result.problems, gift_result.problems[:3]

        def markdown_round_trip():
            md = serialize.bank_markdown(result.questions)
            back, problems = parse_question_bank(md, "courses/products/questions/bench.md", "products")
            assert not problems and len(back) == len(questions)

        timed("bank markdown", markdown_round_trip)
        with app.test_request_context():
            from flask_login import login_user

            login_user(trainer)
            preview = timed("preview", lambda: services.prepare(data, "bench.xlsx", "products", "bench", trainer))
            assert preview.ok, preview.problems[:3]
            counts = timed("confirm", lambda: services.confirm(preview.token, trainer,
                                                               reviewed=preview.plan.fingerprint)).counts
            assert counts["added"] == args.questions, counts

            def again():
                p = services.prepare(data, "bench.xlsx", "products", "bench", trainer)
                return services.confirm(p.token, trainer, reviewed=p.plan.fingerprint)

            counts = timed("re-import", again).counts
            assert counts["unchanged"] == args.questions, counts

            edited = TMP / "content" / "courses" / "products" / "questions" / "other.md"
            seen = services.prepare(data, "bench.xlsx", "products", "bench", trainer)
            edited.write_text("## other-001\ntype: truefalse\nanswer: true\n\n另一题。\n", encoding="utf-8")

            def changed():
                try:
                    services.confirm(seen.token, trainer, reviewed=seen.plan.fingerprint)
                except services.ImportChanged:
                    return services.preview_again(seen.token, trainer)
                raise AssertionError("published what the preview did not show")

            shown = timed("changed, shown again", changed)
            assert shown.ok and "other-001" in shown.plan.kinds["question"].added


if __name__ == "__main__":
    main()
