"""The signed-in user as Flask-Login's user loader gives it to every request:
one statement brings the user and the names of their roles; the role rows
and positions load only where something reads them; the roles a view checks
are the roles stored, also after a change or a refresh in the same request."""
from __future__ import annotations

from lms.extensions import db
from lms.org import services
from lms.org.models import User
from tests.statements import counting_statements


def _load(app, user: User | str) -> User:
    """The user as the next request's user loader gives it (``user``: the
    user, or their session id read before)."""
    session_id = user if isinstance(user, str) else user.get_id()
    db.session.expunge_all()  # as a new request finds the session: nothing in memory
    return app.login_manager._user_callback(session_id)


def test_one_statement_gives_the_user_and_their_roles(app, make_user):
    user = make_user(roles=("learner", "trainer"))
    name, session_id = user.name, user.get_id()
    with app.test_request_context("/"):
        with counting_statements() as statements:
            loaded = _load(app, session_id)
            assert loaded.roles == {"learner", "trainer"}
            assert loaded.has_role("trainer") and not loaded.has_role("hr")
            assert loaded.name == name and loaded.must_change_password is False
        assert len(statements) == 1, statements
        assert "user_role" in statements[0]


def test_a_user_without_roles_has_none_without_another_statement(app, make_user):
    session_id = make_user(roles=()).get_id()
    with app.test_request_context("/"):
        with counting_statements() as statements:
            loaded = _load(app, session_id)
            assert loaded.roles == set() and not loaded.has_role("learner")
        assert len(statements) == 1, statements


def test_roles_changed_in_the_request_are_the_roles_checked(app, make_user):
    admin = make_user(roles=("admin",))
    person = make_user(roles=("learner",))
    admin_id = admin.id
    with app.test_request_context("/"):
        loaded = _load(app, person)
        assert loaded.roles == {"learner"}
        services.set_roles(loaded, ["learner", "mentor"], actor=db.session.get(User, admin_id))
        assert loaded.roles == {"learner", "mentor"}
        db.session.expire_all()
        assert loaded.roles == {"learner", "mentor"}
        assert _load(app, loaded).roles == {"learner", "mentor"}


def test_an_expired_user_reads_its_roles_again(app, make_user):
    user = make_user(roles=("learner",))
    with app.test_request_context("/"):
        loaded = _load(app, user)
        db.session.execute(db.text("INSERT INTO user_role (user_id, role) VALUES (:u, 'mentor')"), {"u": loaded.id})
        db.session.commit()
        db.session.expire(loaded)
        assert loaded.roles == {"learner", "mentor"}
