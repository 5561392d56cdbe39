"""Who may fetch a course's images and attachments: exactly who may open its
lessons (``lms.content.lessons.queries.may_read``, one rule for both). A
course is the bank's library: every signed-in employee reads it, in a
programme's audience or not; nobody reads a retired one; anonymous visitors
are sent to sign in. A lesson's file is kept by the reader's browser only
(``private``), never by a shared cache."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.content.lessons import queries
from lms.content.models import Course, Lesson
from lms.content.publishing.publish import publish
from lms.content.source.parser import parse_folder
from lms.extensions import db
from lms.programmes.audience import is_member
from lms.content.models import Programme

IMAGE = "/assets/products/images/flow.png"
DOCUMENT = "/assets/products/attachments/manual.pdf"


@pytest.fixture
def published(folder):
    publish(parse_folder(folder))
    return db.session.scalar(select(Lesson).where(Lesson.slug == "deposits"))


def statuses(client, lesson) -> tuple[int, int, int, int]:
    return (client.get(f"/lessons/{lesson.id}").status_code, client.get("/courses/products").status_code,
            client.get(IMAGE).status_code, client.get(DOCUMENT).status_code)


def people(make_user):
    programme = db.session.scalar(select(Programme).where(Programme.slug == "rm-foundation"))
    assigned = make_user(position="teller")
    unassigned = make_user(position="manager")
    assert is_member(assigned, programme) and not is_member(unassigned, programme)
    return {"assigned learner": assigned, "learner of no programme": unassigned,
            "trainer": make_user(roles=("trainer",)), "HR": make_user(roles=("hr",)),
            "admin": make_user(roles=("admin",))}


def test_whoever_may_open_the_lesson_may_fetch_its_files_and_nobody_else(published, client, login, make_user):
    for who, user in people(make_user).items():
        login(user)
        assert statuses(client, published) == (200, 200, 200, 200), who
        client.post("/logout")


def test_the_files_follow_the_lesson_pages_rule_not_one_of_their_own(published, client, login, make_user,
                                                                      monkeypatch):
    """Whatever ``may_read`` decides (here: nobody but one trainer), the lesson,
    the course page and the files answer alike."""
    users = people(make_user)
    monkeypatch.setattr(queries, "may_read", lambda user, course: user.id == users["trainer"].id)
    for who, user in users.items():
        login(user)
        expected = 200 if who == "trainer" else 404
        assert statuses(client, published) == (expected,) * 4, who
        client.post("/logout")


def test_a_retired_course_serves_neither_lessons_nor_files(published, client, login, make_user):
    db.session.scalar(select(Course).where(Course.slug == "products")).retired = True
    db.session.commit()
    for who, user in people(make_user).items():
        login(user)
        assert statuses(client, published) == (404, 404, 404, 404), who
        client.post("/logout")


def test_anonymous_visitors_are_sent_to_sign_in_for_the_lesson_and_its_files(published, client):
    for url in (f"/lessons/{published.id}", IMAGE, DOCUMENT):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
        assert client.get(url, headers={"HX-Request": "true"}).headers.get("HX-Redirect", "").startswith("/login")


def test_a_lesson_file_is_cached_by_the_readers_browser_only(published, client, login, make_user):
    login(make_user())
    first = client.get(IMAGE)
    assert first.status_code == 200
    assert first.cache_control.private and not first.cache_control.public and first.cache_control.max_age
    again = client.get(IMAGE, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.cache_control.private and not again.cache_control.public
