from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from sqlalchemy import select
from flask.cli import AppGroup, with_appcontext

from lms import private_files
from lms.auth.passwords import policy_problems
from lms.control_characters import command_line_name
from lms.demo import load_demo
from lms.extensions import db
from lms.imports.table import RowRefused
from lms.numbers import counted
from lms.org import employee_numbers, imports, services
from lms.org.models import User, case_twins


@click.command("create-admin")
@click.option("--employee-no", prompt=True, callback=command_line_name,
              help="Employee number (工号) to sign in with.")
@click.option("--name", prompt=True, callback=command_line_name)
@click.password_option(help="At least 10 characters, not a common password.")
@with_appcontext
def create_admin(employee_no: str, name: str, password: str):
    """Create an administrator account."""
    problems = policy_problems(password, employee_no)
    if problems:
        raise click.UsageError(" ".join(str(p) for p in problems))
    employee_no = employee_numbers.normalise(employee_no)
    if problem := employee_numbers.problem(employee_no):
        raise click.UsageError(problem)
    if taken := services.employee_no_taken(employee_no):
        raise click.UsageError(f"employee number {taken} exists already")
    services.create_user(employee_no, name, roles=("admin",), password=password)
    db.session.commit()
    click.echo(f"Administrator {employee_no} created.")


@click.command("demo")
@click.option("--password", default="demo-pass-2024", show_default=True,
              help="Password of every demo account.")
@with_appcontext
def demo(password: str):
    """Load the demo organisation (and curriculum) and print the accounts."""
    accounts = load_demo(password)
    click.echo("Demo accounts (password: %s):" % password)
    for employee_no, name, roles in accounts:
        click.echo(f"  {employee_no:<10} {name:<8} {', '.join(roles)}")


people_cli = AppGroup("people", help="People of the organisation.")


@people_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; change nothing.")
@click.option("--passwords", "passwords_file", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the initial passwords of new people to this CSV file (instead of printing them).")
@click.option("--end-pairings", is_flag=True,
              help="End what a deactivation or a removed role leaves without someone to act (a leaver's mentoring "
                   "pairings), with the row's reason; without it they stay flagged for HR.")
@with_appcontext
def import_people(file: Path, dry_run: bool, passwords_file: Path | None, end_pairings: bool = False):
    """Import people from a CSV or XLSX file (all or nothing), as HR does on the web.

    Prints every problem with its row and column and exits with status 1 if
    there is any; nothing is imported then."""
    plan = imports.plan_import(file.read_bytes(), file.name)
    for note in plan.notes:  # read other than as written
        click.echo(f"{file.name}: {note}")
    if plan.problems:
        for problem in plan.problems:
            click.echo(f"{file.name}: {problem}", err=True)
        click.echo(counted("%(num)s problem: nothing imported.", "%(num)s problems: nothing imported.",
                           len(plan.problems)), err=True)
        sys.exit(1)
    click.echo(f"{file.name}: {plan.count('create')} to create, {plan.count('update')} to update, "
               f"{plan.count('unchanged')} unchanged.")
    for row in plan.rows:
        for found in row.dependents:
            for line in found.lines:
                click.echo(f"  row {row.row} ({row.employee_no}): {line} — "
                           + ("ended" if end_pairings else "left flagged (--end-pairings ends them)"))
    if dry_run:
        db.session.rollback()
        return
    passwords_fd, created = None, False
    if passwords_file:
        created = not os.path.lexists(passwords_file)
        try:  # before anything is imported: the passwords are shown once, they must have somewhere to go
            passwords_fd = private_files.claim(passwords_file)
        except OSError as exc:
            db.session.rollback()
            click.echo(f"--passwords {passwords_file}: {_reason(exc)}. Nothing imported.", err=True)
            sys.exit(1)
    try:
        result = imports.apply_import(plan, end_dependents=end_pairings)
    except RowRefused as exc:  # changed since the file was checked (someone imported at the same time)
        _give_back(passwords_fd, passwords_file if created else None)
        click.echo(f"{file.name}: {exc.problem}", err=True)
        click.echo(counted("%(num)s problem: nothing imported.", "%(num)s problems: nothing imported.", 1), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged.")
    if passwords_fd is not None and not result.passwords:
        _give_back(passwords_fd, passwords_file if created else None)
    elif passwords_fd is not None:
        try:
            private_files.write(passwords_fd, passwords_file, imports.passwords_csv(result))
            click.echo(f"Initial passwords written to {passwords_file}.")
            return
        except OSError as exc:  # a full disk: the people are imported, their passwords must not be lost
            click.echo(f"--passwords {passwords_file}: {_reason(exc)}; the file was removed.", err=True)
    if result.passwords:
        click.echo("Initial passwords (shown once):")
        for employee_no, name, password in result.passwords:
            click.echo(f"  {employee_no:<10} {name:<8} {password}")


@people_cli.command("case-twins")
@with_appcontext
def list_case_twins():
    """List the employee numbers two or more people hold but for upper and lower case (ZZ01 and zz01).

    They were made before such a 工号 was refused; the people import, the pairing
    import and every form that finds a person by 工号 refuse them until HR merges
    the records or renames one. Exits with status 1 if there is any."""
    groups = case_twins()
    for people in groups.values():
        click.echo("  ".join(f"{p.employee_no} {p.name}{'' if p.active else ' (inactive)'}"
                             + (f" [{p.branch.code}]" if p.branch else "") for p in people))
    click.echo(counted("%(num)s employee number held by more than one person but for case.",
                       "%(num)s employee numbers held by more than one person but for case.", len(groups)))
    if groups:
        sys.exit(1)


@people_cli.command("renumber")
@click.argument("old")
@click.argument("new")
@click.option("--reason", required=True, callback=command_line_name, help="Why (kept in the audit log).")
@with_appcontext
def renumber(old: str, new: str, reason: str):
    """Give the person whose 工号 is exactly OLD the 工号 NEW (audited).

    The way to tell apart two people whose 工号 differ only in case (see
    `flask people case-twins`): OLD is matched with its case, NEW must be free
    in any case. The person signs in with NEW from then on; certificates issued
    before keep the 工号 printed on them."""
    person = db.session.scalar(select(User).where(User.employee_no == employee_numbers.normalise(old)))
    if person is None:
        raise click.UsageError(f"no one has the employee number {old} (written exactly so)")
    try:
        services.renumber(person, new, reason)
    except services.OrgError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{old} {person.name} is now {person.employee_no}.")


def _reason(exc: OSError) -> str:
    return str(exc) if isinstance(exc, private_files.Refused) else f"cannot write it ({exc.strerror or exc})"


def _give_back(fd: int | None, path: Path | None) -> None:
    """The passwords file claimed for nothing: closed, and removed if this command made it."""
    if fd is None:
        return
    os.close(fd)
    if path is not None:
        path.unlink(missing_ok=True)
