"""The demo organisation: a city branch, its sub-branches and about forty people
in every role and position, so a newcomer can sign in as each role at once.

Loading twice changes nothing: people that exist are left alone."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from lms import clock
from lms.demo_hooks import run_hooks
from lms.extensions import db
from lms.org import services
from lms.org.branches import create_branch
from lms.org.models import POSITIONS, Branch, User

CITY = ("ZZ01", "株洲分行")
SUB_BRANCHES = [
    ("ZZ0101", "天元支行"), ("ZZ0102", "芦淞支行"), ("ZZ0103", "荷塘支行"),
    ("ZZ0104", "石峰支行"), ("ZZ0105", "渌口支行"),
]

# The well-known accounts, one per role (README lists them).
NAMED = [
    ("admin", "系统管理员", ("admin",), None, "manager"),
    ("hr", "周人事", ("hr",), None, "manager"),
    ("trainer", "陈培训", ("trainer",), None, "rm_senior"),
    ("mentor", "王师傅", ("mentor", "learner"), "ZZ0101", "rm_principal"),
    ("learner", "李学员", ("learner",), "ZZ0101", "rm_junior"),
    ("manager", "赵行长", ("branch_manager",), "ZZ0101", "manager"),
]

SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平",
         "刚", "桂英", "建华", "晓东", "海燕", "志强", "雪梅", "文博", "思远", "子涵"]
# (position, roles) mix of the generated staff.
MIX = [("intern", ("learner",))] * 6 + [("teller", ("learner",))] * 12 + [("rm_junior", ("learner",))] * 8 + \
      [("rm_intermediate", ("learner",))] * 5 + [("rm_senior", ("mentor", "learner"))] * 3 + \
      [("rm_principal", ("mentor", "learner"))] * 1


def _ensure_branches() -> dict[str, Branch]:
    by_code = {b.code: b for b in db.session.scalars(select(Branch))}
    if CITY[0] not in by_code:
        by_code[CITY[0]] = create_branch(*CITY)
    for code, name in SUB_BRANCHES:
        if code not in by_code:
            by_code[code] = create_branch(code, name, parent=by_code[CITY[0]])
    return by_code


# Typical months spent in each step of the career path before moving on.
STEP_MONTHS = {"intern": (6, 12), "teller": (12, 30), "rm_junior": (12, 24), "rm_intermediate": (18, 30),
               "rm_senior": (24, 36), "rm_principal": (24, 48)}
PROMOTION_NOTES = {"teller": "实习期满转正", "rm_junior": "通过客户经理准入考试", "rm_intermediate": "年度考评晋级",
                   "rm_senior": "年度考评晋级", "rm_principal": "业绩突出晋级", "manager": "竞聘上岗"}
# People who left: (employee number, name, branch, position, reason).
LEFT = [("E1901", "付晓东", "ZZ0102", "teller", "个人原因离职"),
        ("E1902", "严雪梅", "ZZ0104", "rm_junior", "调往外省分行")]


def career_path(position: str) -> list[str]:
    """The steps that lead to ``position`` (实习 → 柜员 → 客户经理等级 → 中层)."""
    order = [p for p in POSITIONS if p != "rm_principal"] if position == "manager" else list(POSITIONS)
    return order[: order.index(position) + 1]


def _history(rng: random.Random, position: str, current_since: date) -> list[tuple[str, date]]:
    """(position, start) of each stint, oldest first, ending with ``position`` since ``current_since``."""
    steps = career_path(position)
    stints = [(position, current_since)]
    start = current_since
    for step in reversed(steps[:-1]):
        low, high = STEP_MONTHS[step]
        start = start - timedelta(days=int(30.4 * rng.randint(low, high)))
        stints.insert(0, (step, start))
    return stints


def load_demo(password: str) -> list[tuple[str, str, tuple[str, ...]]]:
    rng = random.Random(20240101)  # the same demo every time
    branches = _ensure_branches()
    existing = set(db.session.scalars(select(User.employee_no)))
    today = clock.today()
    accounts = []

    def add(employee_no, name, roles, branch_code, position, years_in):
        accounts.append((employee_no, name, roles))
        history = _history(rng, position, today - timedelta(days=int(365 * years_in)))
        if employee_no in existing:
            return None
        first, hired = history[0]
        user = services.create_user(employee_no, name, branch=branches[branch_code or CITY[0]], roles=roles,
                                    password=password, position=first, position_start=hired, hire_date=hired,
                                    note="入职")
        for step, start in history[1:]:
            services.change_position(user, step, start, note=PROMOTION_NOTES.get(step, ""))
        return user

    for employee_no, name, roles, branch_code, position in NAMED:
        add(employee_no, name, roles, branch_code, position, 3)
    sub_codes = [code for code, _ in SUB_BRANCHES]
    for i, (position, roles) in enumerate(MIX, start=1):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        years_in = rng.uniform(0.2, 4)
        if position == "intern":
            years_in /= 5  # an internship lasts months, not years
        add(f"E{1000 + i}", name, roles, sub_codes[i % len(sub_codes)], position, years_in)
    for employee_no, name, branch_code, position, reason in LEFT:
        user = add(employee_no, name, ("learner",), branch_code, position, 1.5)
        if user is not None:
            services.deactivate(user, reason)
    db.session.commit()

    # Later domains (curriculum, attempts, mentoring) extend the demo here.
    run_hooks(password)
    db.session.commit()
    return accounts
