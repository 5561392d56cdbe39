"""``flask content import-gift``, ``import-xlsx`` and ``export-xlsx``: the
import page's use cases on the command line, added to the ``content`` group
by ``lms.content.setup.init_app`` (``COMMANDS``)."""
from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext as _

from lms import private_files
from lms.content.importers import messages_locale, services
from lms.content.importers.xlsx_export import export_xlsx as write
from lms.control_characters import command_line_text
from lms.numbers import counted, reading_number
from lms.exams.regrade import KEEP, MAX_REASON, REGRADE, Decision
from lms.org.models import user_by_employee_no


def _actor(as_employee: str | None):
    if not as_employee:
        return None
    actor = user_by_employee_no(as_employee)
    if actor is None or not actor.active:
        raise click.UsageError(f"no active user with employee number {as_employee}")
    if not actor.has_role("trainer"):
        raise click.UsageError(f"{as_employee} is not a trainer or administrator")
    return actor


def _regrade_options(command):
    """--regrade / --keep-results with --reason, as `flask content publish` has
    them: needed when the import corrects a key that changes submitted scores."""
    command = click.option("--reason", default="", callback=command_line_text,
                           help="Why you re-grade or keep the results (audited).")(command)
    command = click.option("--keep-results", "choice", flag_value=KEEP,
                           help="A corrected key changes submitted scores: leave them (needs --reason).")(command)
    return click.option("--regrade", "choice", flag_value=REGRADE,
                        help="A corrected key changes submitted scores: re-grade them (needs --reason).")(command)


def _import(path: str, course: str, bank: str | None, as_employee: str | None, choice: str | None = None,
            reason: str = "") -> None:
    file = Path(path)
    actor = _actor(as_employee)
    if not bank:
        named = services.default_bank(file.name, course)
        bank = named.name
        if named.note:
            click.echo(named.note)
    decision = Decision(choice, reason[:MAX_REASON]) if choice else None
    try:
        done, notes = services.import_file(file.read_bytes(), file.name, course, bank, actor, decision)
    except services.ImportRefused as refused:
        for problem in refused.problems:
            click.echo(f"{problem.source.path}: {problem.message}", err=True)
        click.echo(refused.message, err=True)
        raise SystemExit(1) from None
    counts = done.counts
    with messages_locale():  # in Chinese, as its problems and `flask content publish` are
        for note in notes:
            click.echo(f"{file.name}:{note.line}: {note.message}")
        click.echo(_("Imported %(file)s into %(path)s and published: %(added)s added, %(changed)s changed, "
                     "%(retired)s retired, %(unchanged)s unchanged.", file=file.name, path=done.path,
                     added=counted("%(num)s question", "%(num)s questions", counts["added"]),
                     changed=reading_number(counts["changed"]), retired=reading_number(counts["retired"]),
                     unchanged=reading_number(counts["unchanged"])))


@click.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", required=True, help="Course id (as in its course.md).")
@click.option("--bank", help="Bank name: questions/<bank>.md (default: from the file name).")
@click.option("--as", "as_employee", metavar="EMPLOYEE_NO", help="Import as this trainer (default: the system).")
@_regrade_options
def import_gift(file: str, course: str, bank: str | None, as_employee: str | None, choice: str | None, reason: str):
    """Import a Moodle GIFT file as a bank of COURSE and publish it; any
    problem (each with its line): nothing changes, exit 1."""
    _import(file, course, bank, as_employee, choice, reason)


@click.command("import-xlsx")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", required=True, help="Course id (as in its course.md).")
@click.option("--bank", help="Bank name: questions/<bank>.md (default: from the file name).")
@click.option("--as", "as_employee", metavar="EMPLOYEE_NO", help="Import as this trainer (default: the system).")
@_regrade_options
def import_xlsx(file: str, course: str, bank: str | None, as_employee: str | None, choice: str | None, reason: str):
    """Import an Excel question bank (the template's columns) into COURSE and
    publish it; any problem (each with row and column): nothing changes, exit 1."""
    _import(file, course, bank, as_employee, choice, reason)


@click.command("export-xlsx")
@click.option("--course", required=True, help="Course id.")
@click.option("--bank", help="Only this bank of the course (its name or path).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .xlsx to write.")
def export_xlsx(course: str, bank: str | None, output: str):
    """Write the published questions of COURSE (current versions) in the
    import template, so that they can be edited in Excel and imported again."""
    questions = services.published_questions(course, bank)
    if questions is None:
        raise click.UsageError(f"no published course {course}")
    try:  # the answer keys: readable by whoever exports them, never written through a link
        private_files.write_new(Path(output), write(questions))
    except OSError as exc:
        raise click.UsageError(f"{output}: {exc if isinstance(exc, private_files.Refused) else exc.strerror or exc}; "
                               "nothing written") from None
    with messages_locale():
        click.echo(_("%(questions)s of %(course)s written to %(path)s.", course=course, path=output,
                     questions=counted("%(num)s question", "%(num)s questions", len(questions))))


COMMANDS = [import_gift, import_xlsx, export_xlsx]
