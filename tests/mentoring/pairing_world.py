"""A small bank for the pairing tests: a city branch with two sub-branches,
HR, a branch manager of one sub-branch, mentors who meet the rule and some
who do not, and learners. The clock fixture puts today at 2026-03-02."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from lms.extensions import db
from lms.org.models import PositionRecord


def make_world(make_user, make_branch) -> SimpleNamespace:
    w = SimpleNamespace()
    w.city = make_branch("ZZ01", "株洲分行")
    w.tianyuan = make_branch("ZZ0101", "天元支行", parent=w.city)
    w.lusong = make_branch("ZZ0102", "芦淞支行", parent=w.city)
    w.hr = make_user(("hr",), employee_no="hr01", name="周人事", locale="en")
    w.admin = make_user(("admin",), employee_no="admin01", name="系统管理员", locale="en")
    w.manager = make_user(("branch_manager",), employee_no="bm01", name="赵行长", branch=w.tianyuan, locale="en")
    # 王师傅: Senior RM since 2022 (50 months by 2026-03-02).
    w.mentor = make_user(("mentor", "learner"), employee_no="M001", name="王师傅", branch=w.tianyuan,
                         position="rm_senior", position_start=date(2022, 1, 1))
    w.mentor2 = make_user(("mentor", "learner"), employee_no="M002", name="刘师傅", branch=w.lusong,
                          position="rm_principal", position_start=date(2020, 1, 1))
    # 张三: a mentor, but Senior RM for 14 months only (intermediate before: not counted).
    w.short = make_user(("mentor", "learner"), employee_no="M003", name="张三", branch=w.tianyuan,
                        position="rm_intermediate", position_start=date(2020, 1, 1))
    w.short.positions[0].end_date = date(2025, 1, 1)
    w.short.positions.append(PositionRecord(position="rm_senior", start_date=date(2025, 1, 1)))
    # 钱进: a junior RM with the mentor role (below the grade).
    w.junior_mentor = make_user(("mentor", "learner"), employee_no="M004", name="钱进", branch=w.tianyuan,
                                position="rm_junior", position_start=date(2019, 1, 1))
    # 孙强: a principal RM without the mentor role.
    w.no_role = make_user(("learner",), employee_no="M005", name="孙强", branch=w.tianyuan,
                          position="rm_principal", position_start=date(2018, 1, 1))
    w.learners = [make_user(("learner",), employee_no=f"L{i:03d}", name=f"学员{i}",
                            branch=w.tianyuan if i <= 4 else w.lusong, position="teller" if i % 2 else "rm_junior",
                            position_start=date(2024, 6, 1)) for i in range(1, 8)]
    db.session.commit()
    return w
