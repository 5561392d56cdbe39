from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import or_, select

from lms.audit import labels
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.text_search import matching, search_text
from lms.web import render_page_or_partial, roles_required

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


@bp.get("/")
@roles_required("hr")
def events():
    """The audit log, newest first, searchable by action, object or actor."""
    q = search_text()
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if q:
        # A person by 工号 as well (the actor's label and the details name them): Ｅ１００１ finds E1001.
        stmt = stmt.where(or_(matching(q, names=(AuditEvent.action, AuditEvent.actor_label, AuditEvent.object_type,
                                                 AuditEvent.details), codes=(AuditEvent.actor_label, AuditEvent.details)),
                              AuditEvent.object_id == q))
    rows = db.session.scalars(stmt.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    labels.prefetch(rows[:PAGE_SIZE])
    return render_page_or_partial("audit/events.html", "audit/_events.html",
                                  events=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE, page=page, q=q)
