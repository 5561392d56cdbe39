"""HR's mentoring pages (师徒结对): the pairings register with the mentors'
load and the people without a mentor, pairing, ending and changing, a
pairing's history, bulk pairing from a file, and the mentoring settings.

HR and administrators change; a branch manager reads the register and the
pairings of their branch tree (a pairing outside it: 404). Views parse input,
call ``pairing`` / ``imports`` / ``settings`` and choose a page or a partial."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms import clock
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.ids import db_int
from lms.imports.pages import ImportPages, blank_file
from lms.mentoring import imports, register, settings
from lms.mentoring import pairing as rules
from lms.mentoring.forms import (CapacityForm, ChangeMentorForm, DimensionChangeForm, DimensionForm, EndForm, PairForm,
                                 RuleForm)
from lms.mentoring.models import Pairing
from lms.numbers import counted
from lms.org import scope as org_scope
from lms.org.branch_filter import branch_choices, chosen_subtree
from lms.org.models import CaseTwins, User, person_by_employee_no
from lms.reports import exports
from lms.text_search import search_text
from lms.web import render_page_or_partial, roles_required

bp = Blueprint("mentoring_admin", __name__, url_prefix="/mentoring/admin")
READERS = ("hr", "branch_manager")
IMPORT = ImportPages("pairing-imports", "pairing_import", "mentoring_admin.import_pairings",
                     "mentoring_admin.confirm_import", "mentoring_admin.import_template",
                     "mentoring_admin.import_problems", "mentoring/admin/import.html",
                     "mentoring/admin/import_preview.html")


def _actor() -> User:
    return current_user._get_current_object()


def _scope():
    return org_scope.branch_scope(_actor())


def _person(employee_no: str, field) -> User | None:
    """The person with this 工号, or an error on the field (also when two people hold it but for case)."""
    try:
        user = person_by_employee_no(employee_no or "")
    except CaseTwins as exc:
        field.errors.append(str(exc))
        return None
    if user is None:
        field.errors.append(_("No one has the employee number “%(value)s”.", value=employee_no))
    return user


def _problems_to_form(exc: rules.PairingError, form, fields: dict) -> None:
    for name, message in exc.problems:
        target = fields.get(name)
        (form[target].errors if target else form.form_errors).append(message)


def get_pairing(pairing_id: int) -> Pairing:
    """The pairing, if the viewer may read it (404 otherwise: no probing ids)."""
    pairing = db.session.get(Pairing, pairing_id)
    if pairing is None or not org_scope.may_see_person(_actor(), pairing.apprentice):
        abort(404)
    return pairing


# --- the register ---------------------------------------------------------------------

def _filter(scope) -> register.RegisterFilter:
    args = request.args
    state = args.get("state", "")
    return register.RegisterFilter(branch_ids=chosen_subtree(args.get("branch", type=db_int), scope), mentor_id=args.get("mentor", type=db_int) or None,
                                   state=state if state in rules.STATE_LABELS or state == register.ATTENTION else "",
                                   q=search_text())


def _context(page: str) -> dict:
    scope = _scope()
    flt = _filter(scope)
    query = {"branch": request.args.get("branch", type=db_int), "mentor": flt.mentor_id, "state": flt.state, "q": flt.q}
    return {"scope": scope, "flt": flt, "page": page, "query": {k: v for k, v in query.items() if v},
            "branch_choices": branch_choices(scope), "mentor_choices": register.mentor_choices(scope),
            "states": {**rules.STATE_LABELS, register.ATTENTION: rules.ATTENTION_LABEL}, "whole_bank": scope is None,
            "may_change": _actor().has_role("hr")}


@bp.get("/")
@roles_required(*READERS)
def index():
    ctx = _context("pairings")
    found = register.pairings(ctx["scope"], ctx["flt"], page=request.args.get("page", 1, type=int))
    return render_page_or_partial("mentoring/admin/register.html", "mentoring/admin/_pairings_table.html",
                                  rows=found.rows, total=found.total, pager=found, **ctx)


@bp.get("/mentors")
@roles_required(*READERS)
def mentors():
    ctx = _context("mentors")
    found = register.mentors_page(ctx["scope"], ctx["flt"].branch_ids, page=request.args.get("page", 1, type=int))
    return render_page_or_partial("mentoring/admin/register.html", "mentoring/admin/_mentors_table.html",
                                  loads=found.rows, total=found.total, pager=found, rule=settings.mentor_rule(), **ctx)


@bp.get("/unpaired")
@roles_required(*READERS)
def unpaired():
    ctx = _context("unpaired")
    found = register.unpaired_page(ctx["scope"], ctx["flt"].branch_ids, page=request.args.get("page", 1, type=int))
    anyone = found.total > 0 or register.anyone_to_pair(ctx["scope"], ctx["flt"].branch_ids)
    return render_page_or_partial("mentoring/admin/register.html", "mentoring/admin/_unpaired_table.html",
                                  people=found.rows, total=found.total, pager=found, anyone_to_pair=anyone,
                                  unpaired_positions=register.UNPAIRED_POSITIONS, **ctx)


@bp.get("/export/<table>.<fmt>")
@roles_required(*READERS)
def export(table: str, fmt: str):
    """A register table as XLSX or CSV, with the page's filters and scope, every row."""
    if table not in ("pairings", "mentors", "unpaired") or fmt not in ("xlsx", "csv"):
        abort(404)
    scope = _scope()
    flt = _filter(scope)
    if table == "pairings":
        headers, rows = register.pairings_table(register.pairings(scope, flt, page=None).rows)
        title = _("Pairings")
    elif table == "mentors":
        headers, rows = register.mentors_table(register.mentors(scope, flt.branch_ids))
        title = _("Mentors' load")
    else:
        headers, rows = register.unpaired_table(register.unpaired(scope, flt.branch_ids))
        title = _("Without a mentor")
    stamp = clock.today().isoformat()
    body = exports.to_csv(headers, rows) if fmt == "csv" else exports.to_xlsx(title, headers, rows)
    return exports.download(body, fmt, exports.file_name(title, stamp), f"mentoring-{table}-{stamp}")


# --- pairing, ending, changing -----------------------------------------------------------

def _pair_page(form, status=200):
    scope = _scope()
    apprentices = register.apprentice_choices(scope)
    return render_template("mentoring/admin/pair.html", form=form, loads=register.mentors(scope),
                           apprentices=apprentices, rule=settings.mentor_rule(),
                           anyone_to_pair=bool(apprentices) or register.anyone_to_pair(scope),
                           unpaired_positions=register.UNPAIRED_POSITIONS,
                           rule_certification=settings.certification_title(settings.mentor_rule().certification),
                           default_capacity=settings.default_capacity()), status


@bp.route("/pair", methods=["GET", "POST"])
@roles_required("hr")
def pair():
    form = PairForm()
    if request.method == "GET":
        form.apprentice_no.data = request.args.get("apprentice", "")[:32]
        form.mentor_no.data = request.args.get("mentor", "")[:32]
        form.start_date.data = clock.today()
        form.planned_end_date.data = clock.today() + timedelta(days=182)
    if form.validate_on_submit():
        mentor = _person(form.mentor_no.data, form.mentor_no)
        apprentice = _person(form.apprentice_no.data, form.apprentice_no)
        if mentor is not None and apprentice is not None:
            try:
                made = rules.pair(mentor, apprentice, form.start_date.data, form.planned_end_date.data,
                                  form.goals.data or "", actor=_actor())
            except rules.PairingError as exc:
                _problems_to_form(exc, form, {rules.MENTOR: "mentor_no", rules.APPRENTICE: "apprentice_no",
                                              rules.START: "start_date", rules.END: "planned_end_date",
                                              rules.GOALS: "goals"})
            else:
                flash(_("%(mentor)s now mentors %(apprentice)s.", mentor=rules.who(mentor),
                        apprentice=rules.who(apprentice)), "success")
                return redirect(url_for("mentoring_admin.detail", pairing_id=made.id))
    return _pair_page(form)


def _detail_page(pairing: Pairing, end_form=None, change_form=None, status=200):
    apprentice_history, _mentored = rules.history_of(pairing.apprentice)
    ids = [str(p.id) for p in apprentice_history]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "pairing",
                                                         AuditEvent.object_id.in_(ids))
                                .order_by(AuditEvent.seq.desc())).all()
    if change_form is None:
        change_form = ChangeMentorForm(prefix="change", data={"planned_end_date": pairing.planned_end_date})
    return render_template("mentoring/admin/pairing.html", pairing=pairing, history=apprentice_history,
                           events=events, end_form=end_form or EndForm(prefix="end"), change_form=change_form,
                           attention=rules.attention(pairing),
                           states=rules.STATE_LABELS, may_change=_actor().has_role("hr"),
                           loads=register.mentors(_scope()) if _actor().has_role("hr") else []), status


@bp.get("/pairings/<int:pairing_id>")
@roles_required(*READERS)
def detail(pairing_id: int):
    return _detail_page(get_pairing(pairing_id))


@bp.post("/pairings/<int:pairing_id>/end")
@roles_required("hr")
def end(pairing_id: int):
    pairing = get_pairing(pairing_id)
    form = EndForm(prefix="end")
    if form.validate_on_submit():
        try:
            rules.end(pairing, form.reason.data, actor=_actor())
        except rules.PairingError as exc:
            form.reason.errors.append(str(exc))
        else:
            flash(_("The pairing has ended."), "success")
            return redirect(url_for("mentoring_admin.detail", pairing_id=pairing.id))
    return _detail_page(pairing, end_form=form)


@bp.post("/pairings/<int:pairing_id>/change")
@roles_required("hr")
def change(pairing_id: int):
    pairing = get_pairing(pairing_id)
    form = ChangeMentorForm(prefix="change")
    if form.validate_on_submit():
        mentor = _person(form.mentor_no.data, form.mentor_no)
        if mentor is not None:
            try:
                new = rules.change_mentor(pairing, mentor, form.reason.data, actor=_actor(),
                                          planned_end_date=form.planned_end_date.data)
            except rules.PairingError as exc:
                _problems_to_form(exc, form, {rules.MENTOR: "mentor_no", rules.END: "planned_end_date"})
            else:
                flash(_("%(apprentice)s's mentor is now %(mentor)s.", apprentice=rules.who(new.apprentice),
                        mentor=rules.who(mentor)), "success")
                return redirect(url_for("mentoring_admin.detail", pairing_id=new.id))
    db.session.refresh(pairing)
    return _detail_page(pairing, change_form=form)


# --- bulk pairing ---------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@roles_required("hr")
def import_pairings():
    """Upload → every row checked → a preview; nothing changes until confirmed."""
    return IMPORT.upload(lambda data, filename: imports.plan_import(data, filename, actor=_actor()),
                         headers=imports.HEADERS, english=imports.ENGLISH)


@bp.post("/import/confirm")
@roles_required("hr")
def confirm_import():
    def done(made, filename):
        flash(counted("%(num)s pairing made from %(file)s.", "%(num)s pairings made from %(file)s.", len(made),
                      file=filename), "success")
        return redirect(url_for("mentoring_admin.index", state="active"))

    # Pairings may have changed since the preview: the file is checked again.
    return IMPORT.confirm(lambda data, filename: imports.plan_import(data, filename, actor=_actor()),
                          lambda plan: imports.apply_import(plan, actor=_actor()), done)


@bp.get("/import/<token>/problems.<fmt>")
@roles_required("hr")
def import_problems(token: str, fmt: str):
    """The uploader's file with its problems, to correct and upload again; changes nothing."""
    return IMPORT.problems(token, fmt, lambda data, filename: imports.plan_import(data, filename, actor=_actor()))


@bp.get("/import/template.<fmt>")
@roles_required("hr")
def import_template(fmt: str):
    return blank_file(fmt, imports.template_csv, imports.template_xlsx, "pairing_import_template",
                      _("Pairing import template"))


# --- settings -----------------------------------------------------------------------------------

def _settings_page(rule_form=None, capacity_form=None, dimension_form=None, dimension_errors=None, status=200):
    rule = settings.mentor_rule()
    if rule_form is None:
        rule_form = RuleForm(data={"min_position": rule.min_position, "min_months": rule.min_months,
                                   "certification": rule.certification, "capacity": settings.default_capacity()})
    overrides = settings.capacity_overrides()
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(overrides)))} if overrides else {}
    history = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("mentoring.%"))
                                 .order_by(AuditEvent.seq.desc()).limit(30)).all()
    return render_template("mentoring/admin/settings.html", rule_form=rule_form,
                           capacity_form=capacity_form or CapacityForm(prefix="capacity"),
                           dimension_form=dimension_form or DimensionForm(prefix="dimension"),
                           dimensions=settings.dimensions(), dimension_errors=dimension_errors or {},
                           overrides=sorted(((people[i], c) for i, c in overrides.items() if i in people),
                                            key=lambda pc: pc[0].employee_no),
                           history=history, change_form=DimensionChangeForm), status


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("hr")
def settings_page():
    form = RuleForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                changed = settings.set_rule(min_position=form.min_position.data, min_months=form.min_months.data,
                                            certification=form.certification.data or "",
                                            capacity=form.capacity.data, actor=_actor())
            except settings.SettingsError as exc:
                form.form_errors.append(str(exc))
            else:
                flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
                return redirect(url_for("mentoring_admin.settings_page"))
        return _settings_page(rule_form=form)
    return _settings_page()


@bp.post("/settings/capacity")
@roles_required("hr")
def set_capacity():
    form = CapacityForm(prefix="capacity")
    if form.validate_on_submit():
        mentor = _person(form.mentor_no.data, form.mentor_no)
        if mentor is not None and "mentor" not in mentor.roles:
            form.mentor_no.errors.append(_("%(name)s does not hold the mentor role.", name=rules.who(mentor)))
        elif mentor is not None:
            try:
                changed = settings.set_capacity(mentor, form.capacity.data, actor=_actor())
            except settings.SettingsError as exc:
                form.capacity.errors.append(str(exc))
            else:
                flash(_("Capacity saved.") if changed else _("Nothing changed."), "success")
                return redirect(url_for("mentoring_admin.settings_page") + "#capacity")
    return _settings_page(capacity_form=form)


@bp.post("/settings/dimensions")
@roles_required("hr")
def add_dimension():
    form = DimensionForm(prefix="dimension")
    if form.validate_on_submit():
        try:
            settings.add_dimension(form.label_zh.data, form.label_en.data, actor=_actor())
        except settings.SettingsError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Dimension added."), "success")
            return redirect(url_for("mentoring_admin.settings_page") + "#dimensions")
    return _settings_page(dimension_form=form)


@bp.post("/settings/dimensions/<key>")
@roles_required("hr")
def change_dimension(key: str):
    if key not in {d.key for d in settings.dimensions()}:
        abort(404)
    form = DimensionChangeForm()
    if not form.validate_on_submit():
        return _settings_page(dimension_errors={key: [m for ms in form.errors.values() for m in ms]})
    action = form.action.data
    kwargs = {"rename": {"label_zh": form.label_zh.data, "label_en": form.label_en.data},
              "up": {"move": -1}, "down": {"move": 1}, "retire": {"active": False}, "restore": {"active": True}}
    if action not in kwargs:
        abort(400)
    try:
        changed = settings.change_dimension(key, actor=_actor(), **kwargs[action])
    except settings.SettingsError as exc:
        return _settings_page(dimension_errors={key: [str(exc)]})
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("mentoring_admin.settings_page") + "#dimensions")
