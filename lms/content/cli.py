"""``flask content check`` and ``flask content publish``."""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask.cli import AppGroup
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from lms.content import audit_labels
from lms.content.console.queries import CHANGE_LABELS
from lms.content.source.checks import check
from lms.content.source.parser import parse_folder
from lms.content.publishing.wording import describe as describe_effect, moved_note, regraded_text
from lms.content.publishing.publish import KINDS, ContentProblems, Plan, plan, publish
from lms.control_characters import command_line_text
from lms.exams.regrade import MAX_REASON, Decision
from lms.content.source.advice import content_warnings
from lms.extensions import db
from lms.numbers import counted
from lms import punctuation
from lms.punctuation import listing
from lms.org.models import user_by_employee_no

content_cli = AppGroup("content", help="The curriculum: check and publish the content folder.")

PROGRESS_THRESHOLD = 200  # items written; above this publish shows a progress bar
CHANGES = ("added", "changed", "retired", "unchanged")
KIND_LABELS = {"course": _l("courses"), "lesson": _l("lessons"), "asset": _l("assets"),
               "question": _l("questions"), "exam": _l("exams"), "programme": _l("programmes"),
               "programme_item": _l("programme items"), "certification": _l("certifications"),
               "eligibility_rule": _l("eligibility rules")}


def _read(path: str | None):
    root = Path(current_app.config["CONTENT_DIR"]).resolve()
    if path is None:
        return root, parse_folder(root)
    # Not resolved: a symbolic link is refused by the reader, never followed.
    target = Path(os.path.abspath(path))
    if target == root or root in target.parents:
        return root, parse_folder(root, target)
    # A path outside CONTENT_DIR is a content folder of its own.
    return target, parse_folder(target)


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(f"{problem.source}: {problem.message}", err=True)
    files = len({p.source.path for p in problems})
    click.echo(_("%(problems)s in %(files)s.", problems=counted("%(num)s problem", "%(num)s problems", len(problems)),
                 files=counted("%(num)s file", "%(num)s files", files)), err=True)


def _print_warnings(bundle, db_lookup: bool = True) -> None:
    """Warnings do not stop a check or a publish; they are printed first."""
    for warning in content_warnings(bundle, db_lookup):
        click.echo(f"{warning.source}: warning: {warning.message}", err=True)


def _counts(bundle) -> str:
    return listing([
        counted("%(num)s course", "%(num)s courses", len(bundle.courses)),
        counted("%(num)s lesson", "%(num)s lessons", len(bundle.lessons)),
        counted("%(num)s question", "%(num)s questions", len(bundle.questions)),
        counted("%(num)s exam", "%(num)s exams", len(bundle.exams)),
        counted("%(num)s programme", "%(num)s programmes", len(bundle.programmes)),
        counted("%(num)s asset", "%(num)s assets", len(bundle.assets)),
        counted("%(num)s certification", "%(num)s certifications", len(bundle.certifications)),
        counted("%(num)s eligibility rule", "%(num)s eligibility rules", len(bundle.eligibility_rules))])


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_plan(result: Plan) -> None:
    """Added / changed / retired / unchanged per kind, as a table in the language of
    the other commands' messages (Chinese unless told otherwise), its columns lined up
    whatever the width of the words."""
    heads = [str(CHANGE_LABELS[change]) if change in CHANGE_LABELS else _("unchanged") for change in CHANGES]
    kinds = [str(KIND_LABELS[kind]) for kind in KINDS]
    first = max(max(_width(kind) for kind in kinds) + 1, 18)
    widths = [max(_width(head) + 2, 8) for head in heads]
    click.echo(" " * first + "".join(" " * (w - _width(h)) + h for h, w in zip(heads, widths)))
    for kind, label in zip(KINDS, kinds):
        counts = result.kinds[kind].counts()
        click.echo(label + " " * (first - _width(label))
                   + "".join(f"{counts[change]:>{w}}" for change, w in zip(CHANGES, widths)))


def print_effects(result: Plan) -> None:
    """What the change does to learners in the middle of the course."""
    if result.effects:
        click.echo(_("What this does to learners in the middle of the course:"))
    for effect in result.effects:
        click.echo(f"  - {describe_effect(effect)}")


def _scope(bundle) -> str:
    return audit_labels.scope(bundle.scope.describe())


def _database_ready() -> bool:
    """The curriculum's tables exist (``flask db upgrade`` has run)."""
    try:  # through the session's connection: the one the command goes on with
        return inspect(db.session.connection()).has_table("content_release")
    except SQLAlchemyError:
        db.session.rollback()
        return False


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path())
def check_command(path: str | None):
    """Check the content folder (or PATH inside it); exit 1 on any problem.
    Works without a database: then only the files are checked."""
    root, bundle = _read(path)
    with_database = _database_ready()
    if not with_database:
        click.echo("The database is not set up (run `flask db upgrade`): checking the files only, without what "
                   "is already published.", err=True)
    problems = check(bundle, db_lookup=with_database)
    if problems:
        _print_problems(problems)
        raise SystemExit(1)
    _print_warnings(bundle, db_lookup=with_database)
    click.echo(_("OK: %(counts)s (%(scope)s of %(root)s).", counts=_counts(bundle),
                 scope=_scope(bundle), root=root))


@content_cli.command("plan")
@click.argument("path", required=False, type=click.Path())
def plan_command(path: str | None):
    """Check, then show what publishing the content folder (or PATH inside it)
    would change and what that does to learners; changes nothing."""
    if not _database_ready():
        raise click.ClickException("the database is not set up: run `flask db upgrade` first")
    root, bundle = _read(path)
    problems = check(bundle)
    if problems:
        _print_problems(problems)
        raise SystemExit(1)
    _print_warnings(bundle)
    result = plan(bundle)
    db.session.rollback()  # read only
    print_plan(result)
    for kind in KINDS:
        changes = result.kinds[kind]
        for change in ("added", "changed", "retired"):
            for ident in getattr(changes, change):
                note = moved_note(result, ident) if kind == "question" else ""
                line = punctuation.labelled(KIND_LABELS[kind], f"{CHANGE_LABELS[change]} {ident}")
                click.echo(f"  {punctuation.labelled(line, note) if note else line}")
    print_effects(result)
    if not result.has_changes:
        click.echo(_("Nothing would change (%(scope)s).", scope=_scope(bundle)))


@content_cli.command("publish")
@click.argument("path", required=False, type=click.Path())
@click.option("--as", "as_employee", metavar="EMPLOYEE_NO",
              help="Publish as this trainer or administrator (default: the system).")
@click.option("--regrade", "choice", flag_value="regrade",
              help="A corrected key changes submitted scores: re-grade those attempts (needs --reason).")
@click.option("--keep-results", "choice", flag_value="keep",
              help="A corrected key changes submitted scores: leave those results as they are (needs --reason).")
@click.option("--reason", default="", callback=command_line_text,
              help="Why you re-grade or keep the results (kept in the audit log).")
def publish_command(path: str | None, as_employee: str | None, choice: str | None, reason: str):
    """Check, then publish the content folder (or PATH inside it) in one
    transaction. Any problem: nothing changes, exit 1. When a corrected key
    changes the score of submitted attempts, choose --regrade or
    --keep-results and give --reason."""
    if not _database_ready():
        raise click.ClickException("the database is not set up: run `flask db upgrade` first")
    actor = None
    if as_employee:
        actor = user_by_employee_no(as_employee)
        if actor is None or not actor.active:
            raise click.UsageError(f"no active user with employee number {as_employee}")
        if not actor.has_role("trainer"):
            raise click.UsageError(f"{as_employee} is not a trainer or administrator")
    root, bundle = _read(path)
    problems = check(bundle)
    if problems:
        _print_problems(problems)
        click.echo(_("Nothing was published."), err=True)
        raise SystemExit(1)
    _print_warnings(bundle)

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total <= PROGRESS_THRESHOLD:
            return
        if bar is None:
            bar = click.progressbar(length=total, label=_("Publishing"), file=click.get_text_stream("stderr"))
            bar.__enter__()
        bar.update(done - bar.pos)

    source = f"cli:{bundle.scope.path or root}"
    decision = Decision(choice, reason) if choice else None
    if decision is not None and len(decision.reason) > MAX_REASON:
        raise click.UsageError(f"--reason is too long (at most {MAX_REASON} characters)")
    try:
        result = publish(bundle, actor, source, checked=True, progress=progress, decision=decision)
    except ContentProblems as refused:
        _print_problems(refused.problems)
        click.echo(_("Nothing was published."), err=True)
        raise SystemExit(1) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    print_plan(result)
    print_effects(result)
    if result.release_id is None:
        click.echo(_("Nothing changed (%(scope)s).", scope=_scope(bundle)))
    else:
        click.echo(_("Published release %(release)s (%(scope)s).", release=result.release_id, scope=_scope(bundle)))
        if result.regraded:
            click.echo(regraded_text(result.regraded))
