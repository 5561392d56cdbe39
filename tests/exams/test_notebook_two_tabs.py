"""错题本 practice in two tabs: the entry is cleared when the first right
answer is given, and a second right answer from another tab (which loaded
the entry before the first cleared it) does not move that time — the time an
exam answer is compared with (``results.note_wrong``: a wrong answer given
after the clearing reopens the entry). Threads with their own sessions, on
SQLite and PostgreSQL alike."""
from __future__ import annotations

import threading
from datetime import timedelta

from lms.exams import notebook
from lms.exams.models import NotebookEntry
from lms.extensions import db
from lms.org.models import User
from tests.exams.results_data import notebook_entry


def _in_another_tab(app, fn):
    failures = []

    def run():
        with app.app_context():
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name="other-tab")
    thread.start()
    thread.join()
    assert not failures, failures


def test_the_first_right_practice_answer_keeps_its_clearing_time(app, clock, make_user, make_question):
    learner = make_user(("learner",))
    entry = notebook_entry(learner, make_question("single", tags=("个人存款",)))
    db.session.commit()
    entry_id, user_id = entry.id, learner.id
    tab_two = db.session.get(NotebookEntry, entry_id)  # this tab's page was loaded before the other answered
    assert tab_two.cleared_at is None
    first = clock.now()
    _in_another_tab(app, lambda: notebook.practise(db.session.get(User, user_id),
                                                   db.session.get(NotebookEntry, entry_id), "B"))
    clock.advance(timedelta(minutes=3))
    result = notebook.practise(learner, tab_two, "B")
    assert result.correct and result.cleared
    db.session.expire_all()
    assert db.session.get(NotebookEntry, entry_id).cleared_at == first
    assert notebook.counts(learner) == (0, 1)


def test_marking_an_essay_reviewed_twice_keeps_the_first_time(app, clock, make_user, make_question):
    learner = make_user(("learner",))
    entry = notebook_entry(learner, make_question("essay", data={"rubric": "实地走访"}))
    db.session.commit()
    entry_id, user_id = entry.id, learner.id
    tab_two = db.session.get(NotebookEntry, entry_id)
    first = clock.now()
    _in_another_tab(app, lambda: notebook.mark_reviewed(db.session.get(User, user_id),
                                                        db.session.get(NotebookEntry, entry_id)))
    clock.advance(timedelta(minutes=3))
    notebook.mark_reviewed(learner, tab_two)
    db.session.expire_all()
    assert db.session.get(NotebookEntry, entry_id).cleared_at == first
