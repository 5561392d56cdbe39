"""HR's screens: people (list, page, create, edit, actions), branches, bulk import.
Views parse input, call ``services`` / ``imports`` and choose a page or a partial."""
from __future__ import annotations

import base64
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import printable
from lms.extensions import db
from lms.forms import EmptyForm
from lms.org import branches as org_branches
from lms.org import dependents, imports, leavers, person_sections, position_gates, services, stale_edit
from lms.imports.forms import ImportConfirmForm
from lms.imports.pages import ImportPages, blank_file
from lms.org.forms import (BranchForm, EditPersonForm, NewPersonForm, PersonForm, PositionForm, ReasonForm,
                           RenameBranchForm, RolesForm)
from lms.org.models import POSITIONS, ROLES, Branch, User
from lms.text_search import search_text
from lms.web import is_htmx, render_page_or_partial, roles_required

bp = Blueprint("org", __name__, url_prefix="/org")

IMPORT = ImportPages("people-imports", "people_import", "org.import_people", "org.confirm_import",
                     "org.import_template", "org.import_problems", "org/import.html", "org/import_preview.html")


def _actor() -> User:
    return current_user._get_current_object()


def _refused(exc: services.NotAllowed, user: User | None = None):
    """403 with the rule's message; for htmx, back to the page, which shows it."""
    if is_htmx():
        flash(str(exc), "error")
        target = url_for("org.person", user_id=user.id) if user is not None else url_for("org.people")
        return "", 403, {"HX-Redirect": target}
    return render_template("errors/error.html", status=403, title=_("Not allowed"), message=str(exc)), 403


def get_person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


# --- people list ------------------------------------------------------------------

def _people_filter() -> services.PeopleFilter:
    args = request.args
    status = args.get("status", "active")
    return services.PeopleFilter(
        q=search_text(),
        branch_id=args.get("branch", type=int) or None,
        role=args.get("role", "") if args.get("role", "") in ROLES else "",
        position=args.get("position", "") if args.get("position", "") in POSITIONS else "",
        status=status if status in ("active", "inactive", "all") else "active",
    )


@bp.get("/people")
@roles_required("hr")
def people():
    flt = _people_filter()
    result = services.find_people(flt, page=request.args.get("page", 1, type=int))
    query = {"q": flt.q, "branch": flt.branch_id or "", "role": flt.role, "position": flt.position,
             "status": flt.status}
    return render_page_or_partial("org/people.html", "org/_people_rows.html", result=result, flt=flt,
                                  query={k: v for k, v in query.items() if v},
                                  branch_choices=org_branches.branch_choices())


# --- one person --------------------------------------------------------------------

def _next_position(user: User) -> str:
    """The step after the current one on the career path: the likeliest change."""
    order = list(POSITIONS)
    current = user.current_position
    if current is None or current.position not in order:
        return order[0]
    return order[min(order.index(current.position) + 1, len(order) - 1)]


def _render_person(user: User, **forms):
    forms.setdefault("roles_form", RolesForm(data={"roles": sorted(user.roles)}))
    forms.setdefault("position_form", PositionForm(data={"position": _next_position(user)}))
    forms.setdefault("reason_form", ReasonForm())
    gate_checks = _gate_checks(user, forms["position_form"].position.data)
    leaving = dependents.affected(user, roles_after=user.roles, active_after=False) if user.active else []
    return render_template("org/person.html", person=user, events=services.person_events(user), gate_checks=gate_checks,
                           sections=person_sections.sections_for(user, _actor()), leaving=leaving,
                           left_on=None if user.active else leavers.left_on(user)[1],
                           may_manage=services.may_manage(_actor(), user), **_roles_context(user), **forms)


def _roles_context(user: User | None) -> dict:
    """What the roles form offers: the roles the signed-in user may not change are shown locked;
    and what taking a role away would leave without someone to act, role by role
    (``role_dependents``: {role: [Dependents]}), for the form to list."""
    assignable = services.assignable_roles(_actor(), user)
    role_dependents = {}
    if user is not None and user.active:
        for role in sorted(user.roles & assignable):
            found = dependents.affected(user, roles_after=user.roles - {role}, active_after=True)
            if found:
                role_dependents[role] = found
    return {"locked_choices": set(ROLES) - assignable, "may_change_roles": bool(assignable),
            "role_dependents": role_dependents}


@bp.get("/people/<int:user_id>")
@roles_required("hr")
def person(user_id: int):
    return _render_person(get_person(user_id))


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required("hr")
def new_person():
    form = NewPersonForm()
    if form.validate_on_submit():
        password = services.generate_temporary_password()
        try:
            user = services.create_user(
                form.employee_no.data, form.name.data, branch=db.session.get(Branch, form.branch_id.data),
                roles=form.roles.data, temporary_password=password,
                position=form.position.data, hire_date=form.hire_date.data, locale=form.locale.data,
                email=form.email.data or None, actor=_actor(), override_reason=form.override_reason.data or "")
        except services.NotAllowed as exc:
            return _refused(exc)
        except services.OrgError as exc:
            form.form_errors.append(str(exc))
        else:
            _warn_if_unprintable(user.name)
            return render_template("org/password_shown.html", person=user, password=password, created=True)
    return render_template("org/new_person.html", form=form, **_roles_context(None))


def _warn_if_unprintable(name: str) -> None:
    """The name is kept as entered (a legal name); HR learns now which
    character a certificate would show as a box (``lms.printable``)."""
    warning = printable.warning_for(name)
    if warning is not None:
        flash(warning, "error")


def _checked_field(form, allowed):
    """Inline validation: validate the whole form, answer with one field."""
    name = request.headers.get("HX-Trigger-Name") or request.args.get("field", "")
    if name not in allowed:
        abort(400)
    form.validate()
    return render_template("org/_checked_field.html", field=form[name],
                           check_url=request.path), 200


@bp.post("/people/new/check")
@roles_required("hr")
def check_new_person():
    form = NewPersonForm()
    return _checked_field(form, {"employee_no", "name", "hire_date", "email"})


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required("hr")
def edit_person(user_id: int):
    user = get_person(user_id)
    form = EditPersonForm(obj=user)
    if request.method == "GET":
        form.branch_id.data = user.branch_id or 0
        form.seen.data = stale_edit.seal(user)
    if form.validate_on_submit():
        if not _merge_with_changes_since(form, user):
            form.seen.data = stale_edit.seal(user)  # sent again, the page's values are saved
            return render_template("org/edit_person.html", form=form, person=user), 409
        try:
            changes = services.update_user(user, actor=_actor(), name=form.name.data,
                                           branch=db.session.get(Branch, form.branch_id.data),
                                           hire_date=form.hire_date.data, locale=form.locale.data,
                                           email=form.email.data or None)
        except services.OwnRecord as exc:
            form[exc.field].errors.append(str(exc))
            return render_template("org/edit_person.html", form=form, person=user), 403
        except services.NotAllowed as exc:
            return _refused(exc, user)
        except services.OrgError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Saved.") if changes else _("Nothing changed."), "success")
            _warn_if_unprintable(user.name)
            return redirect(url_for("org.person", user_id=user.id))
    return render_template("org/edit_person.html", form=form, person=user)


def _merge_with_changes_since(form, user) -> bool:
    """The person changed since the page was opened (an import, another HR user):
    keep those changes in the fields this page left alone; False (with the
    fields named) when both changed a field differently."""
    seen = stale_edit.seen_of(form.seen.data)
    if seen is None:
        return True
    now = stale_edit.facts(user)
    values, conflicts = stale_edit.merge(seen, stale_edit.posted(form), now)
    for field in conflicts:
        shown = user.branch.name if field == "branch_id" and user.branch else now[field]
        form[field].errors.append(_("Changed by someone else (an import or another HR user) since you opened this "
                                    "page: it is now “%(now)s”. Save again to replace it with yours.", now=shown))
    if conflicts:
        return False
    form.name.data, form.email.data, form.locale.data = values["name"], values["email"], values["locale"]
    form.branch_id.data = int(values["branch_id"])
    form.hire_date.data = date.fromisoformat(values["hire_date"]) if values["hire_date"] else None
    return True


@bp.post("/people/<int:user_id>/edit/check")
@roles_required("hr")
def check_person(user_id: int):
    get_person(user_id)
    return _checked_field(PersonForm(), {"name", "hire_date", "email"})


@bp.post("/people/<int:user_id>/roles")
@roles_required("hr")
def set_roles(user_id: int):
    user = get_person(user_id)
    form = RolesForm()
    if form.validate_on_submit():
        try:
            wanted = stale_edit.roles_wanted(form.seen.data, set(form.roles.data), user.roles)
            changed = services.set_roles(user, sorted(wanted), actor=_actor(),
                                         end_dependents=form.dependents.data == "end", reason=form.reason.data or "")
        except services.NotAllowed as exc:
            return _refused(exc, user)
        except services.OrgError as exc:
            form.roles.errors.append(str(exc))
        else:
            if not is_htmx():
                flash(_("Roles saved.") if changed else _("Nothing changed."), "success")
                return redirect(url_for("org.person", user_id=user.id))
            form = RolesForm(formdata=None, data={"roles": sorted(user.roles)})
            return render_template("org/_person_roles.html", person=user, roles_form=form, saved=changed,
                                   may_manage=services.may_manage(_actor(), user), **_roles_context(user))
    if is_htmx():
        return render_template("org/_person_roles.html", person=user, roles_form=form,
                               may_manage=services.may_manage(_actor(), user), **_roles_context(user))
    return _render_person(user, roles_form=form)


@bp.post("/people/<int:user_id>/position")
@roles_required("hr")
def change_position(user_id: int):
    user = get_person(user_id)
    form, status = PositionForm(), 200
    if form.validate_on_submit():
        try:
            record = services.change_position(user, form.position.data, form.start_date.data, form.note.data or "",
                                              actor=_actor(), override_reason=form.override_reason.data or "")
        except services.OwnRecord as exc:
            form.position.errors.append(str(exc))
            status = 200 if is_htmx() else 403  # htmx swaps only a 2xx answer into the section
        except services.NotAllowed as exc:
            return _refused(exc, user)
        except services.OrgError as exc:
            form.position.errors.append(str(exc))
        else:
            if record is None:
                form.position.errors.append(_("This is the current position already."))
            else:
                if not is_htmx():
                    flash(_("Position change recorded."), "success")
                    return redirect(url_for("org.person", user_id=user.id))
                form = PositionForm(formdata=None, data={"position": _next_position(user)})
    if is_htmx():
        return render_template("org/_person_positions.html", person=user, position_form=form,
                               may_manage=services.may_manage(_actor(), user),
                               gate_checks=_gate_checks(user, form.position.data)), status
    return _render_person(user, position_form=form), status


def _gate_checks(user: User, position: str | None) -> list[position_gates.Check]:
    """What the eligibility rules (if any guard ``position``) say about moving ``user`` there."""
    if position not in POSITIONS:
        return []
    current = user.current_position
    if current is not None and current.position == position:
        return []
    return position_gates.checks(user, position)


@bp.get("/people/<int:user_id>/position/check")
@roles_required("hr")
def check_position(user_id: int):
    """As HR chooses the new position: the rules that guard it, each condition
    with its evidence, and the override reason field when the person is not eligible."""
    user = get_person(user_id)
    position = request.args.get("position", "")
    return render_template("org/_position_gate.html", gate_checks=_gate_checks(user, position),
                           position_form=PositionForm(formdata=None), position=position)


def _status_change(user_id: int, change, done_message: str, options):
    user = get_person(user_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            change(user, form.reason.data.strip(), actor=_actor(), **options(form))
        except services.NotAllowed as exc:
            return _refused(exc, user)
        except services.OrgError as exc:
            flash(str(exc), "error")
            return redirect(url_for("org.person", user_id=user.id))
        flash(done_message, "success")
        return redirect(url_for("org.person", user_id=user.id))
    return _render_person(user, reason_form=form)


@bp.post("/people/<int:user_id>/deactivate")
@roles_required("hr")
def deactivate(user_id: int):
    return _status_change(user_id, services.deactivate,
                          _("Deactivated. The person can no longer sign in; their sessions have ended."),
                          options=lambda form: {"end_dependents": form.dependents.data == "end"})


@bp.post("/people/<int:user_id>/reactivate")
@roles_required("hr")
def reactivate(user_id: int):
    return _status_change(user_id, services.reactivate, _("Reactivated. The person can sign in again."),
                          options=lambda form: {})


@bp.post("/people/<int:user_id>/password")
@roles_required("hr")
def reset_password(user_id: int):
    user = get_person(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        password = services.reset_password(user, actor=_actor())
    except services.NotAllowed as exc:
        return _refused(exc, user)
    except services.OrgError as exc:
        flash(str(exc), "error")
        return redirect(url_for("org.person", user_id=user.id))
    return render_template("org/password_shown.html", person=user, password=password, created=False)


# --- branches ----------------------------------------------------------------------

def _render_branches(form=None, rename_errors=None, status=200):
    return render_template("org/branches.html", roots=org_branches.branch_tree(), form=form or BranchForm(),
                           headcount=org_branches.headcount_by_branch(),
                           rename_errors=rename_errors or {}), status


@bp.get("/branches")
@roles_required("hr")
def branches():
    return _render_branches()


@bp.post("/branches")
@roles_required("hr")
def create_branch():
    form = BranchForm()
    if form.validate_on_submit():
        parent = db.session.get(Branch, form.parent_id.data) if form.parent_id.data else None
        try:
            branch = org_branches.create_branch(form.code.data, form.name.data, parent=parent)
        except services.OrgError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Branch %(name)s created.", name=branch.name), "success")
            return redirect(url_for("org.branches"))
    return _render_branches(form)


@bp.post("/branches/<int:branch_id>/rename")
@roles_required("hr")
def rename_branch(branch_id: int):
    branch = db.session.get(Branch, branch_id) or abort(404)
    form = RenameBranchForm()
    if form.validate_on_submit():
        try:
            org_branches.rename_branch(branch, form.name.data)
        except services.OrgError as exc:
            return _render_branches(rename_errors={branch_id: [str(exc)]})
        flash(_("Branch renamed."), "success")
        return redirect(url_for("org.branches"))
    return _render_branches(rename_errors={branch_id: form.name.errors})


# --- bulk import ---------------------------------------------------------------------

@bp.route("/people/import", methods=["GET", "POST"])
@roles_required("hr")
def import_people():
    """Upload → every row checked → a preview; nothing changes until confirmed."""
    return IMPORT.upload(lambda data, filename: imports.plan_import(data, filename, actor=_actor()),
                         headers=imports.HEADERS)


@bp.post("/people/import/confirm")
@roles_required("hr")
def confirm_import():
    def done(result, filename):
        passwords_href = None
        if result.passwords:
            passwords_href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(
                imports.passwords_csv(result)).decode("ascii")
        return render_template("org/import_done.html", result=result, filename=filename,
                               passwords_href=passwords_href)

    # The organisation may have changed since the preview: the file is checked again.
    end_dependents = ImportConfirmForm().dependents.data == "end"  # else they stay, flagged (需处理)
    return IMPORT.confirm(lambda data, filename: imports.plan_import(data, filename, actor=_actor()),
                          lambda plan: imports.apply_import(plan, actor=_actor(), end_dependents=end_dependents),
                          done)


@bp.get("/people/import/<token>/problems.<fmt>")
@roles_required("hr")
def import_problems(token: str, fmt: str):
    """The uploader's file with its problems, to correct and upload again; changes nothing."""
    return IMPORT.problems(token, fmt, lambda data, filename: imports.plan_import(data, filename, actor=_actor()))


@bp.get("/people/import/template.<fmt>")
@roles_required("hr")
def import_template(fmt: str):
    return blank_file(fmt, imports.template_csv, imports.template_xlsx, "people_import_template",
                      _("People import template"))
