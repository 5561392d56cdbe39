"""A small content folder for the scheduling tests: one course with two
lessons and a bank, five weekly exams and a five-week programme whose week 4
opens on the Monday of today's week (so that rescheduling week 4 shows on the
learner's home page and on the exam page)."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from lms import clock
from tests.content.console_samples import BANK_MD, write_sample_content

EXAM = """id: exam-week-0{n}
title: 第 {n} 周测验
course: products
time_limit: 30
pass_mark: 80
attempts: unlimited
cooldown: 10
draw:
  - {{count: 1, type: single, tags: [个人存款]}}
  - {{questions: [dep-002]}}
"""

PROGRAMME = """# 基础培训：每周一开放、周日截止。
id: rm-foundation
title: 客户经理基础培训
summary: 每周一训，每训必考，人人过关。
audience:
  branches: []
  positions: []
  roles: [learner]
start: {start}
weeks:
  - title: 第 1 周 个人存款
    lessons: [products/deposits]
    exam: exam-week-01
  - title: 第 2 周 个人贷款
    lessons: [products/loans]
    exam: exam-week-02
  - title: 第 3 周 复习
    lessons: [products/deposits]
    exam: exam-week-03
  - title: 第 4 周 财务报表  # 本周
    lessons: [products/loans]
    exam: exam-week-04
  - title: 第 5 周 关键比率
    lessons: [products/deposits, products/loans]
    exam: exam-week-05
"""


def this_monday() -> date:
    today = clock.today()
    return today - timedelta(days=today.weekday())


def write_schedule_content(root: Path) -> Path:
    write_sample_content(root)
    (root / "courses" / "products" / "questions" / "deposits.md").write_text(BANK_MD, encoding="utf-8")
    (root / "exams" / "week-01.yaml").unlink()
    for n in range(1, 6):
        (root / "exams" / f"week-0{n}.yaml").write_text(EXAM.format(n=n), encoding="utf-8")
    start = this_monday() - timedelta(days=21)  # week 4 is this week
    (root / "programmes" / "rm-foundation.yaml").write_text(PROGRAMME.format(start=start.isoformat()),
                                                            encoding="utf-8")
    return root


@pytest.fixture
def schedule_dir(app, tmp_path):
    from tests.content.console_samples import publish_folder

    root = write_schedule_content(tmp_path / "content")
    app.config["CONTENT_DIR"] = str(root)
    result = publish_folder(root)
    assert result.release_id
    return root
