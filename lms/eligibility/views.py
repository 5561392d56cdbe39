"""The eligibility register, a person's eligibility, the 持证上岗 monitor and
their downloads, for HR and administrators (the whole bank) and branch
managers (their branch tree, ``lms.org.scope``). A branch or person outside
the viewer's scope is 404. Nothing here changes anything."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.eligibility import engine, facts as facts_mod, monitor as monitor_rules, register as reg, xlsx
from lms.extensions import db
from lms.ids import db_int
from lms.org import scope as org_scope
from lms.org.branch_filter import branch_choices, chosen_branch, chosen_subtree
from lms.org.models import POSITIONS, Branch, User
from lms.reports import exports
from lms.text_search import search_text
from lms.web import render_page_or_partial, roles_required

bp = Blueprint("eligibility", __name__, url_prefix="/eligibility")
VIEWERS = ("hr", "branch_manager")


def _scope():
    return org_scope.branch_scope(current_user._get_current_object())


def _filter(scope, rules) -> reg.RegisterFilter:
    args = request.args
    rule_id = args.get("rule", type=db_int)
    return reg.RegisterFilter(
        q=search_text(), branch_ids=chosen_subtree(args.get("branch", type=db_int), scope),
        position=args.get("position", "") if args.get("position", "") in POSITIONS else "",
        rule_id=rule_id if rule_id in {r.id for r in rules} else None,
        state=args.get("state", "") if args.get("state", "") in engine.STATES else "")


def _query(flt: reg.RegisterFilter) -> dict:
    q = {"q": flt.q, "branch": request.args.get("branch", type=db_int) if flt.branch_ids is not None else None,
         "position": flt.position, "rule": flt.rule_id, "state": flt.state}
    return {k: v for k, v in q.items() if v}


@bp.get("/")
@roles_required(*VIEWERS)
def register():
    scope = _scope()
    rules = facts_mod.active_rules()
    flt = _filter(scope, rules)
    result = reg.build(scope, flt, page=request.args.get("page", 1, type=int))
    return render_page_or_partial(
        "eligibility/register.html", "eligibility/_register_rows.html", result=result, flt=flt, all_rules=rules,
        query=_query(flt), branch_choices=branch_choices(scope), whole_bank=scope is None,
        target_label=reg.target_label, state_label=reg.state_label,
        position_words={code: str(label) for code, label in POSITIONS.items()})


@bp.get("/export.<fmt>")
@roles_required(*VIEWERS)
def export(fmt: str):
    """Every matching person × rule, with the conditions' evidence."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    scope = _scope()
    flt = _filter(scope, facts_mod.active_rules())
    headers, rows = reg.export_table(reg.build(scope, flt, page=None), flt.state)
    return _download("eligibility", _("Eligibility"), headers, rows, fmt, widths={2: 12, 3: 14, 8: 50, 9: 80},
                     wrapped=(8, 9))


@bp.get("/people/<int:user_id>")
@roles_required(*VIEWERS)
def person(user_id: int):
    """Every rule in force for one person, with every condition and its evidence."""
    person = db.session.get(User, user_id)
    if person is None or not org_scope.may_see_person(current_user._get_current_object(), person):
        abort(404)
    return render_template("eligibility/person.html", person=person, verdicts=engine.verdicts_for(person),
                           today=clock.today(), target_label=reg.target_label)


def _monitor_scope(scope) -> tuple[list[int] | None, Branch | None]:
    """The monitor's people: the viewer's scope, narrowed by ``?branch=`` to a
    branch and its sub-branches (one outside the scope is 404), so a branch
    manager's figure and HR's list filtered to that branch count the same rows."""
    branch = chosen_branch(request.args.get("branch", type=db_int), scope)
    if branch is None:
        return scope, None
    subtree = branch.subtree_ids()
    return (subtree if scope is None else [b for b in subtree if b in scope]), branch


@bp.get("/monitor")
@roles_required(*VIEWERS)
def monitor():
    scope = _scope()
    narrowed, branch = _monitor_scope(scope)
    return render_template("eligibility/monitor.html", monitor=monitor_rules.build(narrowed), whole_bank=scope is None,
                           branch=branch, branch_choices=branch_choices(scope))


@bp.get("/monitor.<fmt>")
@roles_required(*VIEWERS)
def monitor_export(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    headers, rows = monitor_rules.export_table(monitor_rules.build(_monitor_scope(_scope())[0]))
    return _download("certified-to-work", _("Certified to work"), headers, rows, fmt, widths={1: 14, 5: 60})


def _download(name: str, title: str, headers, rows, fmt: str, widths=None, wrapped=()) -> Response:
    stamp = clock.today().isoformat()
    if fmt == "csv":
        body = exports.to_csv(headers, rows)
    else:
        widths = {**exports.fitted_widths(headers, rows), **(widths or {})}
        body = xlsx.to_xlsx(title, headers, rows, widths=widths, wrapped=wrapped)
    return exports.download(body, fmt, exports.file_name(title, stamp), f"{name}-{stamp}")
