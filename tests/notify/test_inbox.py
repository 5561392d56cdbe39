"""The bell and the list: the unread count (a GET that changes nothing and
keeps no sign-in alive), newest first with pages, in the viewer's language,
mark one or all read; only one's own notifications (404 on another's)."""
from __future__ import annotations

from datetime import timedelta

from lms.extensions import db
from lms.notify import services
from lms.notify.models import Notification
from tests.conftest import sign_in

HX = {"HX-Request": "true"}


def _graded(user, n, percent=80.0, passed=True):
    return services.notify(user, "graded", f"attempt:{n}", {"exam": f"第{n}周测验", "exam_id": n, "attempt_id": n,
                                                           "number": 1, "percent": percent, "passed": passed})


def test_the_bell_counts_unread_and_changes_nothing(client, clock, make_user):
    learner = make_user(("learner",))
    sign_in(client, learner)
    home = client.get("/")
    assert 'hx-get="/notifications/bell"' in home.text and 'hx-trigger="load, every 60s"' in home.text
    assert "bell-count" not in client.get("/notifications/bell", headers=HX).text
    _graded(learner, 1)
    _graded(learner, 2)
    bell = client.get("/notifications/bell", headers=HX)
    assert bell.status_code == 200 and 'class="bell-count" aria-hidden="true">2<' in bell.text
    assert 'hx-trigger="every 60s"' in bell.text and "load" not in bell.text  # no loop of loads
    assert Notification.query.filter(Notification.read_at.is_not(None)).count() == 0



def test_the_bell_is_drawn_not_an_emoji(client, clock, make_user):
    """The header's bell was the emoji 🔔: on a PC without an emoji font (Debian's Chromium, an
    older Windows) it showed as an empty box beside the name. It is drawn (SVG) in both forms."""
    learner = make_user(("learner",))
    sign_in(client, learner)
    _graded(learner, 1)
    for html in (client.get("/").text, client.get("/notifications/bell", headers=HX).text):
        bell = html.split('id="notify-bell"', 1)[1].split("</a>", 1)[0]
        assert '<svg class="bell-icon" aria-hidden="true"' in bell and "🔔" not in bell
        assert '<span class="visually-hidden">通知</span>' in bell

def test_the_bells_poll_does_not_keep_the_sign_in_alive(app, client, clock, make_user):
    app.config["SESSION_IDLE_MINUTES"] = 30
    learner = make_user(("learner",))
    sign_in(client, learner)
    assert client.get("/").status_code == 200  # starts the idle clock
    for _minute in range(40):  # a tab left open polls every minute
        clock.advance(timedelta(minutes=1))
        client.get("/notifications/bell", headers=HX)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_list_is_newest_first_with_pages_in_the_viewers_language(client, clock, make_user):
    learner = make_user(("learner",))
    for n in range(1, 23):
        _graded(learner, n, passed=n % 2 == 0)
        clock.advance(timedelta(minutes=1))
    sign_in(client, learner)
    first = client.get("/notifications/")
    assert first.status_code == 200
    assert first.text.index("第22周测验") < first.text.index("第21周测验")
    assert "已评分：第22周测验第 1 次作答，80%，已通过。" in first.text
    assert "已评分：第21周测验第 1 次作答，80%，尚未通过。" in first.text
    assert "第2周测验" not in first.text and "22 条未读" in first.text and "第 1 页，共 2 页" in first.text
    second = client.get("/notifications/?page=2")
    assert "第2周测验" in second.text and "第1周测验" in second.text and "第3周测验" not in second.text
    learner.locale = "en"
    db.session.commit()
    english = client.get("/notifications/")
    assert "Graded: 第22周测验, attempt 1: 80%, passed." in english.text and "已评分" not in english.text


def test_mark_one_read_and_all_read(client, clock, make_user):
    learner = make_user(("learner",))
    first, second, third = (_graded(learner, n) for n in (1, 2, 3))
    sign_in(client, learner)
    response = client.post(f"/notifications/{first.id}/read", headers=HX)
    assert response.status_code == 200
    assert f'id="notification-{first.id}"' in response.text and "标为已读" not in response.text
    assert 'hx-swap-oob="true"' in response.text and 'class="bell-count" aria-hidden="true">2<' in response.text
    # Opening one marks it read and goes to its page (the attempt's result).
    response = client.post(f"/notifications/{second.id}/read", data={"open": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/attempts/2/result")
    assert services.unread_count(learner) == 1
    response = client.post("/notifications/read-all")
    assert response.status_code == 302
    assert services.unread_count(learner) == 0 and "1 条" in client.get("/notifications/").text
    db.session.expire_all()
    assert all(n.read_at is not None for n in (first, second, third))


def test_another_users_notification_is_404_and_stays_unread(client, clock, make_user):
    owner, other = make_user(("learner",)), make_user(("learner",))
    notification = _graded(owner, 1)
    sign_in(client, other)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 404
    assert client.post(f"/notifications/{notification.id}/read", data={"open": "1"}).status_code == 404
    client.post("/notifications/read-all")
    assert "第1周测验" not in client.get("/notifications/").text
    db.session.refresh(notification)
    assert notification.read_at is None


def test_mark_read_needs_the_csrf_token(client, clock, make_user):
    learner = make_user(("learner",))
    notification = _graded(learner, 1)
    sign_in(client, learner)
    assert client.post(f"/notifications/{notification.id}/read", csrf=False).status_code == 400
    assert client.post("/notifications/read-all", csrf=False).status_code == 400
    assert services.unread_count(learner) == 1


def test_one_notification_per_recipient_kind_and_subject(clock, make_user):
    learner = make_user(("learner",))
    assert _graded(learner, 1) is not None
    assert _graded(learner, 1) is None
    assert Notification.query.count() == 1


def test_no_bell_while_the_password_must_change(client, clock, make_user):
    """The bell's poll would be sent to the password page and reload it for ever."""
    learner = make_user(("learner",))
    learner.must_change_password = True
    db.session.commit()
    sign_in(client, learner)
    page = client.get("/account/password")
    assert page.status_code == 200 and "/notifications/bell" not in page.text


def _read_all_form(page_html: str) -> dict:
    """The fields of the page's 'mark all read' form, as the browser sends them."""
    import re

    form = re.search(r'<form method="post" action="/notifications/read-all".*?</form>', page_html, re.S).group(0)
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))


def test_mark_all_read_leaves_a_notice_that_came_after_the_page_unread(client, clock, make_user):
    """A learner opens the list, a 'graded' notice arrives (a trainer grades an
    essay), the learner clicks 'mark all read': what the page showed is read,
    the new notice is not silently marked read unseen."""
    learner = make_user(("learner",))
    shown = [_graded(learner, n) for n in (1, 2)]
    sign_in(client, learner)
    form = _read_all_form(client.get("/notifications/").text)
    clock.advance(timedelta(seconds=30))
    arrived = _graded(learner, 3, percent=40.0, passed=False)
    response = client.post("/notifications/read-all", data=form, csrf=False)
    assert response.status_code == 302
    db.session.expire_all()
    assert all(n.read_at is not None for n in shown)
    assert arrived.read_at is None and services.unread_count(learner) == 1
    page = client.get("/notifications/").text
    assert "已将 2 条通知标为已读" in page and "1 条通知在页面显示后到达，仍为未读" in page
    # The same form sent again (Back and resubmit) marks nothing more.
    client.post("/notifications/read-all", data=form, csrf=False)
    db.session.expire_all()
    assert arrived.read_at is None


def test_a_screen_reader_hears_the_count_once(client, clock, make_user):
    """The bell showed "15" and a hidden "15 条未读": a screen reader read both ("15 15 unread").
    The drawn number is hidden from it, the label stays, on the page's swap and on the refresh."""
    learner = make_user(("learner",))
    last = [_graded(learner, n) for n in range(1, 17)][-1]
    sign_in(client, learner)
    marked = client.post(f"/notifications/{last.id}/read", headers=HX).text  # the bell swapped out of band
    for html in (client.get("/notifications/bell", headers=HX).text, marked):
        bell = html.split('id="notify-bell"', 1)[1].split("</a>", 1)[0]
        assert '<span class="bell-count" aria-hidden="true">15</span>' in bell
        assert '<span class="visually-hidden">15 条未读</span>' in bell


def test_mark_all_read_with_a_superscript_digit_marks_all_and_does_not_fail(client, clock, make_user):
    """``through`` is the newest id the page showed; a hand-made form sending ² (a digit to
    str.isdigit, not to int()) answered 500. It counts as not given: every notification is marked."""
    learner = make_user(("learner",))
    _graded(learner, 1)
    sign_in(client, learner)
    response = client.post("/notifications/read-all", data={"through": "²"})
    assert response.status_code == 302
    assert services.unread_count(learner) == 0
