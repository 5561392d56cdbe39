"""A corrected key re-grading many attempts: what follows the publish (each
learner told, the certifications evaluated) costs as many statements for 60
attempts as for 6, and reaches every learner. Before, every attempt had a
callback of its own after the commit, each a transaction of ~19 statements,
and past ~150 of them the rest were dropped (bench/regrade.py: 2,000
attempts, 74 s after the commit once all of them ran)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import func, select

from lms.content.publishing.publish import publish
from lms.content.source.parser import parse_folder
from lms.exams import regrade
from lms.exams.models import Attempt
from lms.extensions import db
from lms.notify.models import Notification
from lms.org.models import User
from tests.statements import counting_statements

_spec = importlib.util.spec_from_file_location("bench_regrade", Path(__file__).parents[2] / "bench" / "regrade.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _publish_counting_after_commit(root) -> tuple[int, int]:
    """Publish with 重新评分; returns (attempts re-graded, statements run after the commit)."""
    import lms.database as database

    real, seen = database.run_committed_callbacks, []

    def run():
        if seen:  # a subscriber's own transaction ends inside the outer run
            return real()
        with counting_statements() as statements:
            seen.append(statements)
            real()
        return None

    database.run_committed_callbacks = run
    try:
        result = publish(parse_folder(root), None, "test",
                         decision=regrade.Decision(regrade.REGRADE, "更正答案：逾期 30 天以内先提醒"))
    finally:
        database.run_committed_callbacks = real
    return result.regraded, sum(len(s) for s in seen)


def _told(name: str) -> tuple[int, int]:
    """(learners of bench-``name`` told of the re-grade, learners of bench-``name``)."""
    learners = select(User.id).where(User.employee_no.like(f"bench-{name}-%"))
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "regraded", Notification.recipient_id.in_(learners)))
    return told, db.session.scalar(select(func.count()).select_from(learners.subquery()))


def test_a_regrade_tells_every_learner_in_as_many_statements_for_60_attempts_as_for_6(app, tmp_path):
    root = tmp_path / "content"
    app.config["CONTENT_DIR"] = str(root)
    banks = {name: bench.write_course(root, name) for name in ("few", "many")}
    publish(parse_folder(root), None, "test")
    bench.sit(6, "few")
    bench.sit(60, "many")
    counts = {}
    for name, bank in banks.items():
        bank.write_text(bank.read_text(encoding="utf-8").replace(bench.KEY_BEFORE, bench.KEY_AFTER, 1),
                        encoding="utf-8")
        db.session.remove()
        regraded, counts[name] = _publish_counting_after_commit(root)
        assert regraded == {"few": 6, "many": 60}[name]
        assert _told(name) == ({"few": 6, "many": 60}[name],) * 2
    assert counts["many"] == counts["few"], counts
    # Half of them now pass (对 is right), half no longer do; each notice says which.
    passed = db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.passed.is_(True)))
    assert passed == 3 + 30
    now_passed = [n for n in db.session.scalars(select(Notification).where(Notification.kind == "regraded"))
                  if n.params["passed"] and not n.params["passed_before"]]
    assert len(now_passed) == 33
