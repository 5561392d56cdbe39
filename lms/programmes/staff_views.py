"""The staff's side of programmes: the audience page (HR adds and removes
people, trainers read it) and a person's training record with read-only
attempt results (HR; a branch manager for the people of their branches)."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.content.models import Programme
from lms.exams.views import read_only_attempt
from lms.extensions import db
from lms.org.branch_filter import branch_choices, chosen_subtree
from lms.org.models import POSITIONS, User
from lms.org.scope import branch_scope, may_see_person
from lms.programmes import audience_admin, audience_page as listing
from lms.programmes.audience import members, rule_in_words
from lms.programmes.forms import ListReturnForm, MemberChangeForm
from lms.programmes.record import training_record
from lms.text_search import SEARCH_MAX, SearchTooLong
from lms.web import is_htmx, roles_required

bp = Blueprint("programme_admin", __name__, url_prefix="/programmes")

RECORD_ROLES = ("hr", "trainer", "branch_manager")


@bp.get("/manage")
@roles_required("hr", "trainer")
def index():
    """Every programme (not retired) with the size of its audience. Two programmes may share a
    title (this year's and next year's 新员工培训): each row also shows the programme's id in the
    content files and the dates its weeks run, which tell them apart."""
    programmes = list(db.session.scalars(
        select(Programme).where(Programme.retired.is_(False)).order_by(Programme.title, Programme.slug)))
    return render_template("programmes/manage.html",
                           rows=[(p, _span(p), len(members(p))) for p in programmes])


def _span(programme: Programme):
    """(first week's opening day, last week's due day) of the live weeks, or None without any."""
    items = [i for i in programme.items if not i.retired]
    if not items:
        return None
    return min(i.opens_on for i in items), max(i.due_on for i in items)


def _programme(programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id)
    if programme is None or programme.retired:
        abort(404)
    return programme


def _audience_query(programme: Programme) -> tuple[listing.AudienceFilter, dict, list[int] | None]:
    """The list's filter (a branch outside the viewer's: 404), the query that reproduces it
    (pager, the forms' return) and the viewer's branches. A page's filter is its query string;
    an add or remove form's is its ``back`` field, the query of the list it was sent beside
    (kept current as the list is filtered and paged in place)."""
    scope = branch_scope(current_user._get_current_object())
    args = MultiDict(parse_qsl(ListReturnForm().back.data or "")) if request.method == "POST" else request.args
    q = args.get("q", "").strip()
    if len(q) > SEARCH_MAX:
        raise SearchTooLong("q", len(q))
    branch_id = args.get("branch", type=int)
    branch_ids = chosen_subtree(branch_id, scope)
    position = args.get("position", "") if args.get("position", "") in POSITIONS else ""
    why = args.get("why", "") if args.get("why", "") in listing.WHYS else ""
    flt = listing.AudienceFilter(q=q, branch_ids=branch_ids, position=position, why=why)
    query = {"q": q, "branch": branch_ids and branch_id, "position": position, "why": why,
             "page": args.get("page", type=int)}
    return flt, {k: v for k, v in query.items() if v}, scope


def _render_audience(programme: Programme, add_form=None, remove_form=None, status: int = 200):
    flt, query, scope = _audience_query(programme)
    found = listing.audience_page(programme, scope, flt, query.get("page", 1))
    context = dict(programme=programme, found=found, flt=flt, query=query, filters={
        k: v for k, v in query.items() if k != "page"}, back=urlencode(query), branch_choices=branch_choices(scope),
        may_change=current_user.has_role("hr"))
    if is_htmx() and request.method == "GET":
        return render_template("programmes/_audience_rows.html", swapped=True, **context), status, {"Vary": "HX-Request"}
    return render_template("programmes/audience.html", add_form=add_form or MemberChangeForm(prefix="add"),
                           remove_form=remove_form or MemberChangeForm(prefix="remove"),
                           rule_lines=rule_in_words(programme), **context), status, {"Vary": "HX-Request"}


@bp.get("/<int:programme_id>/audience")
@roles_required("hr", "trainer")
def audience(programme_id: int):
    return _render_audience(_programme(programme_id))


def _change(programme_id: int, which: str):
    programme = _programme(programme_id)
    # Back to the page and filter the form was sent beside (its ``back`` field), checked first:
    # a return the viewer may not see changes nothing.
    _flt, query, _scope = _audience_query(programme)
    form = MemberChangeForm(prefix=which)
    forms = {f"{which}_form": form}
    if not form.validate_on_submit():
        return _render_audience(programme, status=400, **forms)
    change = audience_admin.add_person if which == "add" else audience_admin.remove_person
    try:
        person = change(programme, form.employee_no.data, form.reason.data, current_user._get_current_object())
    except audience_admin.AudienceError as exc:
        form.employee_no.errors.append(str(exc))
        return _render_audience(programme, status=400, **forms)
    flash(_("%(name)s was added to the audience.", name=person.name) if which == "add"
          else _("%(name)s was removed from the audience.", name=person.name), "success")
    return redirect(url_for("programme_admin.audience", programme_id=programme.id, **query))


@bp.post("/<int:programme_id>/audience/add")
@roles_required("hr")
def add_member(programme_id: int):
    return _change(programme_id, "add")


@bp.post("/<int:programme_id>/audience/remove")
@roles_required("hr")
def remove_member(programme_id: int):
    return _change(programme_id, "remove")


def _visible_person(user_id: int) -> User:
    """The person, if the signed-in user may see them (404 otherwise: no IDOR)."""
    person = db.session.get(User, user_id)
    if person is None or not may_see_person(current_user, person):
        abort(404)
    return person


@bp.get("/people/<int:user_id>")
@roles_required(*RECORD_ROLES)
def person_record(user_id: int):
    person = _visible_person(user_id)
    return render_template("programmes/person_record.html", person=person,
                           section={"record": training_record(person), "person": person})


@bp.get("/people/<int:user_id>/attempts/<int:attempt_id>")
@roles_required(*RECORD_ROLES)
def person_attempt(user_id: int, attempt_id: int):
    """One attempt's result, read only: score, pass/fail, each answer's outcome,
    and the review only as far as the exam's review policy shows it to the learner."""
    return render_template("programmes/person_attempt.html",
                           **read_only_attempt(current_user, _visible_person(user_id), attempt_id))
