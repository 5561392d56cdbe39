"""How much of a form the app reads (lms/form_limits.py): Flask's 500 kB of a
form's text and 1,000 multipart fields everywhere, except the trainer's editor
and the exam page sent whole, which hold more by design; a form over a limit is
told as such, not as an upload over 20 MB."""
from __future__ import annotations

from lms.exams import attempts as exam_attempts, errors as exam_errors
from lms.exams.models import AttemptItem
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.console_samples import DEPOSITS_MD, content_dir, review_for_publish, trainer  # noqa: F401
from tests.content.test_console_edit import LESSON, _form
from tests.exams.takers import learner  # noqa: F401

# 60,000 Chinese characters: 540 kB once percent-encoded (9 bytes each), a long
# regulation pasted into a lesson, well within the editor's 2,000,000 characters.
LONG_LESSON = DEPOSITS_MD + "\n" + "存款" * 30_000 + "\n"


def test_a_long_lesson_is_previewed_reviewed_and_published(client, content_dir, trainer):
    data = _form(content_dir, LESSON, LONG_LESSON)
    preview = client.post("/console/preview", data=data, headers={"HX-Request": "true"})
    assert preview.status_code == 200 and "存款存款" in preview.text
    assert review_for_publish(client, data).status_code == 200
    assert client.post("/console/publish", data=data).status_code == 302
    assert (content_dir / LESSON).read_text(encoding="utf-8").count("存款存款") > 10_000


def test_the_exam_page_sent_whole_keeps_three_long_essays(client, learner, make_question, make_exam):
    questions = [make_question("essay") for _ in range(3)]
    attempt = exam_attempts.start_attempt(learner, make_exam([{"questions": [q.slug for q in questions]}]))
    db.session.commit()
    items = sorted(attempt.items, key=lambda item: item.position)
    essay = "论" * (exam_errors.MAX_ANSWER_CHARS - 1_000)  # 171 kB each once encoded, 513 kB together
    sign_in(client, learner)
    data = {"shown": ",".join(str(item.id) for item in items), "go": "",
            **{f"a-{item.id}": essay for item in items}}
    response = client.post(f"/attempts/{attempt.id}/save", data=data)
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert [db.session.get(AttemptItem, item.id).answer for item in items] == [essay] * 3


def test_a_form_over_the_limit_says_so_not_that_a_file_was_over_20_mb(client, content_dir, trainer):
    for data, content_type in (({f"f{i}": "x" for i in range(1_500)}, "multipart/form-data"),
                               ({"note": "长" * 60_000}, None)):
        response = client.post("/notifications/read-all", data=data, content_type=content_type)
        assert response.status_code == 413
        assert "20 MB" not in response.text
        assert "表单" in response.text and "未保存任何内容" in response.text


def test_only_a_signed_in_user_sends_a_large_form(client, content_dir):
    response = client.post("/console/preview", data=_form(content_dir, LESSON, LONG_LESSON), csrf=False)
    assert response.status_code == 413


def test_a_streamed_upload_over_the_limit_says_the_limit_not_that_a_form_was_too_long(app, client):
    """A body sent without a Content-Length (chunked, as a script or a proxy may
    send it) is cut off at MAX_CONTENT_LENGTH as it is read: the page says how
    large an upload may be, not that the form's text or fields were too many."""
    import io

    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    body = (b"--xx\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"big.pdf\"\r\n"
            b"Content-Type: application/pdf\r\n\r\n%PDF" + b"\0" * (2 * 1024 * 1024) + b"\r\n--xx--\r\n")
    response = client.post("/verify/", input_stream=io.BytesIO(body), content_type="multipart/form-data; boundary=xx",
                           headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert "超过 1 MB" in response.text and "未保存任何内容" in response.text
    assert "表单" not in response.text.split('id="error-page"')[1]
