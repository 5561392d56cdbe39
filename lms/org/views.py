from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import or_, select

from lms.extensions import db
from lms.org.models import Branch, User
from lms.web import render_page_or_partial, roles_required

bp = Blueprint("org", __name__, url_prefix="/org")


@bp.get("/people")
@roles_required("hr")
def people():
    q = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.employee_no)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.employee_no.ilike(like), User.name.ilike(like)))
    users = db.session.scalars(stmt.limit(200)).all()
    return render_page_or_partial("org/people.html", "org/_people_rows.html", users=users, q=q)


@bp.get("/branches")
@roles_required("hr")
def branches():
    roots = db.session.scalars(select(Branch).where(Branch.parent_id.is_(None)).order_by(Branch.code)).all()
    return render_template("org/branches.html", roots=roots)
