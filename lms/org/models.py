"""People and the organisation: branches, users, roles and position history."""
from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from lms import clock
from lms.extensions import db
from lms.org import employee_numbers

# Roles a user may hold (several at once).
ROLES: dict[str, object] = {
    "learner": _l("Learner"),
    "mentor": _l("Mentor"),
    "trainer": _l("Trainer"),
    "hr": _l("HR"),
    "branch_manager": _l("Branch manager"),
    "admin": _l("Administrator"),
}

# Positions in the career path, in order (实习 → 柜员 → 客户经理等级 → 中层).
POSITIONS: dict[str, object] = {
    "intern": _l("Intern"),
    "teller": _l("Teller"),
    "rm_junior": _l("Junior RM"),
    "rm_intermediate": _l("Intermediate RM"),
    "rm_senior": _l("Senior RM"),
    "rm_principal": _l("Principal RM"),
    "manager": _l("Manager"),
}

LOCALES = {"zh_CN": "中文", "en": "English"}

# An address e-mail notifications can be sent to: one @, no spaces, a dot in the domain.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Branch(db.Model):
    """A branch (分行) or sub-branch (支行); sub-branches point at their parent."""

    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))

    parent: Mapped[Branch | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Branch]] = relationship(back_populates="parent", order_by="Branch.code")

    def path(self) -> str:
        return f"{self.parent.path()} / {self.name}" if self.parent else self.name

    def subtree_ids(self) -> list[int]:
        """This branch and every branch under it (children in code order, depth first), in one
        statement: walking ``children`` read each branch's children in turn, one statement a
        branch, and a city-level manager's scope is asked for on every page they open."""
        under: dict[int | None, list[int]] = {}
        for branch_id, parent_id in db.session.execute(
                select(Branch.id, Branch.parent_id).order_by(Branch.code)):
            under.setdefault(parent_id, []).append(branch_id)
        ids, todo = [], [self.id]
        while todo:
            branch_id = todo.pop()
            ids.append(branch_id)
            todo.extend(reversed(under.get(branch_id, [])))
        return ids

    def __repr__(self) -> str:
        return f"<Branch {self.code}>"


def roles_admitted(*roles: str) -> tuple[str, ...]:
    """The roles that open what ``roles`` open: those and admin, who holds every role."""
    return (*roles, "admin")


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


def whole_months(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``: n once ``end`` reaches the same
    day n months later, or that month's last day when it is shorter (31 August
    → 28 February is six months), as a certificate's validity counts them
    (``add_months``)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day and end.day < monthrange(end.year, end.month)[1]:
        months -= 1
    return max(months, 0)


class PositionRecord(db.Model):
    """One stint in one position; the open one (no end date) is the current position."""

    __tablename__ = "position_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    position: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(255), default="")

    @property
    def label(self):
        return POSITIONS.get(self.position, self.position)

    def months(self, on: date | None = None) -> int:
        """Whole months served in this position up to ``on`` (today by default):
        up to its end if it ended before then."""
        until = on or clock.today()
        return whole_months(self.start_date, min(self.end_date, until) if self.end_date else until)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day if it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(8), default="zh_CN")
    hire_date: Mapped[date | None]
    # Where e-mail notifications go (lms.notify); none: in-app only.
    email: Mapped[str | None] = mapped_column(String(255))
    # Bumped to end every session of this user (deactivation, password reset).
    session_version: Mapped[int] = mapped_column(default=1)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]

    branch: Mapped[Branch | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    positions: Mapped[list[PositionRecord]] = relationship(
        cascade="all, delete-orphan", order_by="PositionRecord.start_date", lazy="selectin"
    )
    # The role names ("learner,trainer"), where the query that loaded the user
    # asked for them (``with_expression(User.role_names, ROLE_NAMES)``: the
    # signed-in user's one query); otherwise nothing, and ``roles`` reads
    # ``role_rows``.
    role_names: Mapped[str | None] = query_expression()

    # Flask-Login: the session stores id and session version together, so a bump
    # of the version logs the user out everywhere.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def roles(self) -> set[str]:
        loaded = self.__dict__
        if "role_rows" not in loaded and loaded.get("role_names") is not None:
            # The names came with the user; the rows, once read or changed, decide.
            return set(filter(None, loaded["role_names"].split(",")))
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles_admitted(*roles))

    @property
    def current_position(self) -> PositionRecord | None:
        open_ = [p for p in self.positions if p.end_date is None]
        return open_[-1] if open_ else None

    def months_in(self, position: str, on: date | None = None) -> int:
        """Total tenure in a position, across stints."""
        return sum(p.months(on) for p in self.positions if p.position == position)

    def __repr__(self) -> str:
        return f"<User {self.employee_no}>"


# A user's role names in the statement that loads the user (``User.role_names``).
ROLE_NAMES = (select(func.coalesce(func.aggregate_strings(UserRole.role, ","), ""))
              .where(UserRole.user_id == User.id).correlate(User).scalar_subquery())


def user_by_employee_no(employee_no: str) -> User | None:
    """The person with this 工号, typed as people type it (full-width, spaces: ``employee_numbers.for_lookup``)."""
    return db.session.scalar(select(User).where(User.employee_no == employee_numbers.for_lookup(employee_no)))


def case_twins(employee_no: str | None = None) -> dict[str, list[User]]:
    """The 工号 two or more people hold but for upper and lower case (ZZ01 and zz01, made before
    ``employee_numbers`` refused the second): {the 工号 in lower case: those people, by 工号}.
    ``employee_no``: only its own group, if it has one. A lookup by such a 工号 cannot know whom it
    means, so every path that finds one person by 工号 refuses it (``person_by_employee_no``)."""
    folded = func.lower(User.employee_no)
    twins = select(folded).group_by(folded).having(func.count() > 1)
    if employee_no is not None:
        twins = twins.where(folded == employee_numbers.for_lookup(employee_no).lower())
    groups: dict[str, list[User]] = {}
    for key, user in db.session.execute(select(folded, User).where(folded.in_(twins))
                                        .order_by(User.employee_no, User.id)).tuples():
        groups.setdefault(key, []).append(user)
    return groups


class CaseTwins(ValueError):
    """A 工号 typed that two people hold but for case (``case_twins``); the message names both."""

    def __init__(self, typed: str, people: list[User]):
        self.people = people
        super().__init__(employee_numbers.twins_problem(typed, people))


def person_by_employee_no(employee_no: str) -> User | None:
    """The one person a 工号 typed in a form names (full-width too), or None: as ``user_by_employee_no``,
    but a 工号 that two people hold but for upper and lower case raises ``CaseTwins``, whichever of the
    two was typed: the form would act on one of them when HR may mean the other."""
    if twins := case_twins(employee_no):
        raise CaseTwins(employee_numbers.for_lookup(employee_no), next(iter(twins.values())))
    return user_by_employee_no(employee_no)


class SystemSetting(db.Model):
    """A setting an administrator changes on the system page (``lms.org.settings``)."""

    __tablename__ = "system_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # a channel with every kind of notification is over 300 characters
    changed_at: Mapped[datetime]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @classmethod
    def store(cls, key: str, value: str, actor: User) -> None:
        """Set ``key`` to ``value``, noting who changed it and when (the row made the first time)."""
        values = {"value": value, "changed_at": clock.now(), "changed_by_id": actor.id}
        row = db.session.get(cls, key)
        if row is None:
            db.session.add(cls(key=key, **values))
        else:
            for name, v in values.items():
                setattr(row, name, v)
