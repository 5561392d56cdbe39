"""错题本: a learner's own entries only. Another learner (or a mentor, or an
admin, who pass the learner role check) gets 404 for an entry that is not
theirs; trainers and HR without the learner role get 403."""
import json

from lms.content.models import Question, QuestionVersion
from lms.exams.models import NotebookEntry
from lms.extensions import db
from tests.access import Row, expect


def setup(world):
    question = Question(slug="acc-notebook", bank="access.md")
    db.session.add(question)
    db.session.flush()
    version = QuestionVersion(question_id=question.id, version=1, type="truefalse", stem_md="判断", stem_html="<p>判断</p>",
                              data_json=json.dumps({"correct": True}), points=1, content_hash="acc-nb")
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    entry = NotebookEntry(user_id=world.learner.id, question_id=question.id, version_id=version.id)
    db.session.add(entry)
    db.session.commit()
    world.notebook_entry = entry


def _learners(ok: int, others: int = 404) -> dict:
    """The owner gets ``ok``; other learner-role holders ``others``."""
    return expect(403, anonymous=302, learner=ok, other_learner=others, mentor=others, admin=others,
                  grader_learner=others)


ROWS = {
    ("notebook.index", "GET"): Row(lambda w: "/notebook/", expect(403, anonymous=302, learner=200, other_learner=200,
                                                                  mentor=200, admin=200, grader_learner=200)),
    ("notebook.practice_next", "GET"): Row(lambda w: "/notebook/practice", expect(403, anonymous=302, learner=302,
                                                                                  other_learner=302, mentor=302,
                                                                                  admin=302, grader_learner=302)),
    ("notebook.practice", "GET"): Row(lambda w: f"/notebook/practice/{w.notebook_entry.id}", _learners(200)),
    ("notebook.answer", "POST"): Row(lambda w: f"/notebook/practice/{w.notebook_entry.id}", _learners(302),
                                     data=lambda w: {"answer": "true"}),
    ("notebook.reviewed", "POST"): Row(lambda w: f"/notebook/entries/{w.notebook_entry.id}/reviewed", _learners(302)),
}
