"""The health check (``GET /health``) for the reverse proxy and monitoring.

Open without signing in, so it says nothing but its state: ``ok`` (200) when
the database answers and its schema is the one this code was written for;
otherwise 503 and which of the two failed. The schema check catches the step
an upgrade forgets: new code started before ``flask db upgrade`` ran."""
from __future__ import annotations

from functools import lru_cache

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms.extensions import db

OK = "ok"
UNAVAILABLE = "database unavailable"
NOT_UPGRADED = "database schema not upgraded: run flask db upgrade"


@lru_cache(maxsize=None)
def code_head(directory: str) -> str:
    """The newest migration of the code that runs (read once per process)."""
    return ScriptDirectory(directory).get_current_head()


def state() -> tuple[str, int]:
    """What to answer and with which status; each query a few microseconds."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: the database did not answer")
        return UNAVAILABLE, 503
    try:
        revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError:  # no alembic_version at all: never upgraded
        db.session.rollback()
        revision = None
    finally:
        db.session.rollback()  # read only: end the transaction, hold no connection state
    if revision != code_head(current_app.extensions["migrate"].directory):
        current_app.logger.warning("health check: the database's schema is %s, the code's %s", revision,
                                   code_head(current_app.extensions["migrate"].directory))
        return NOT_UPGRADED, 503
    return OK, 200
