from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.auth.passwords import policy_problems
from lms.extensions import db
from lms.org import services
from lms.org.models import user_by_employee_no


@click.command("create-admin")
@click.option("--employee-no", prompt=True, help="Employee number (工号) to sign in with.")
@click.option("--name", prompt=True)
@click.password_option(help="At least 10 characters, not a common password.")
@with_appcontext
def create_admin(employee_no: str, name: str, password: str):
    """Create an administrator account."""
    problems = policy_problems(password, employee_no)
    if problems:
        raise click.UsageError(" ".join(str(p) for p in problems))
    if user_by_employee_no(employee_no):
        raise click.UsageError(f"employee number {employee_no} exists already")
    services.create_user(employee_no, name, roles=("admin",), password=password)
    db.session.commit()
    click.echo(f"Administrator {employee_no} created.")


@click.command("demo")
@click.option("--password", default="demo-pass-2024", show_default=True,
              help="Password of every demo account.")
@with_appcontext
def demo(password: str):
    """Load the demo organisation (and curriculum) and print the accounts."""
    from lms.demo import load_demo

    accounts = load_demo(password)
    click.echo("Demo accounts (password: %s):" % password)
    for employee_no, name, roles in accounts:
        click.echo(f"  {employee_no:<10} {name:<8} {', '.join(roles)}")
