"""Access rows of the mentor's desk, the apprentice page (with an attempt and
a new check-in) and the apprentice's "my mentor" page.

Decisions: the desk is a mentor's page (403 without the mentor role; a
mentor without apprentices sees an empty desk). Every page about an
apprentice answers 200 only to the apprentice's *active* mentor
(``own_mentor``) and 404 to everyone else — a mentor of someone else, a
former mentor, the apprentice, HR and the branch manager (they read the
person through HR's pages), the administrator: no id in a URL shows who is
whose apprentice; only the check-in's author (the active mentor) adds a
correction to it. "My mentor" is every signed-in user's own page; only the
apprentice acknowledges their check-in (404 for anyone else)."""
from datetime import timedelta

from lms import clock
from lms.exams import attempts as exam_attempts
from lms.extensions import db
from lms.mentoring.models import CheckIn
from tests.access import Row, expect, only, signed_in
from tests.access.exams import _exam


def setup(w):
    exam = _exam("access-mentoring-exam", open_to_all=True)
    w.apprentice_attempt = exam_attempts.start_attempt(w.learner, exam)
    exam_attempts.submit(w.apprentice_attempt, w.learner)
    w.check_in = CheckIn(pairing_id=w.pairing.id, held_on=clock.today() - timedelta(days=3), form="phone",
                         notes="电话沟通", created_by_id=w.own_mentor.id)
    db.session.add(w.check_in)
    db.session.commit()


def _apprentice(suffix=""):
    return lambda w: f"/mentoring/apprentices/{w.learner.id}{suffix}"


ACTIVE_MENTOR_ONLY = expect(404, anonymous=302, own_mentor=200)

ROWS = {
    ("mentoring.desk_page", "GET"): Row(lambda w: "/mentoring/desk", only("mentor")),
    ("mentoring.desk_poll", "GET"): Row(lambda w: "/mentoring/desk/poll", only("mentor")),
    ("mentoring.apprentice", "GET"): Row(_apprentice(), ACTIVE_MENTOR_ONLY),
    ("mentoring.apprentice_attempt", "GET"): Row(
        lambda w: f"/mentoring/apprentices/{w.learner.id}/attempts/{w.apprentice_attempt.id}", ACTIVE_MENTOR_ONLY),
    ("mentoring.new_check_in", "GET"): Row(_apprentice("/check-ins/new"), ACTIVE_MENTOR_ONLY),
    ("mentoring.new_check_in", "POST"): Row(
        _apprentice("/check-ins/new"), expect(404, anonymous=302, own_mentor=302),
        data=lambda w: {"held_on": clock.today().isoformat(), "form": "phone", "notes": "矩阵"}),
    # The world's pairing has a sign-off in force (mentoring_signoff): the author gets past access
    # and the rule refuses (400, said on the page); everyone else 404. Adding one: tests/mentoring.
    ("mentoring.correct_check_in", "POST"): Row(
        lambda w: f"/mentoring/apprentices/{w.learner.id}/check-ins/{w.check_in.id}/correction",
        expect(404, anonymous=302, own_mentor=400), data=lambda w: {"text": "更正：是面谈"}),
    ("mentoring.me", "GET"): Row(lambda w: "/mentoring/me", signed_in()),
    ("mentoring.acknowledge", "POST"): Row(lambda w: f"/mentoring/me/check-ins/{w.check_in.id}/acknowledge",
                                           expect(404, anonymous=302, learner=302)),
}
