"""A small content folder for the console tests (independent of the real
curriculum in content/, which trainers keep changing)."""
from __future__ import annotations

from pathlib import Path

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24

COURSE_MD = """---
id: products
title: 对公与对私产品
track: products
summary: 综合客户经理必须同时掌握对公、对私业务。
---
"""

DEPOSITS_MD = """---
title: 个人存款产品
minutes: 20
objectives:
  - 说出通知存款的起存金额
---
## 定期存款

整存整取 50 元起存。

![流程](../images/flow.png)
"""

LOANS_MD = """---
title: 个人贷款
minutes: 15
---
## 个人贷款

贷款三查：贷前调查、贷时审查、贷后检查。
"""

BANK_MD = """## dep-001
type: single
points: 2
difficulty: easy
tags: 个人存款, 通知存款

个人通知存款的最低起存金额是多少？

- [ ] 1 万元
- [x] 5 万元
- [ ] 10 万元

解析：个人通知存款最低起存金额为 5 万元。

## dep-002
type: truefalse
answer: true
tags: 个人存款

存款保险保障个人定期存款。

解析：定期存款属于被保险存款。
"""


EXAM_YAML = """id: exam-week-01
title: 第 1 周测验：个人存款产品
course: products
time_limit: 30
pass_mark: 80
attempts: unlimited
cooldown: 10
draw:
  - {count: 1, type: single, tags: [个人存款]}
  - {questions: [dep-002]}
"""

PROGRAMME_YAML = """id: rm-foundation
title: 客户经理基础培训
summary: 每周一训，每训必考，人人过关。
start: 2026-09-07
weeks:
  - title: 第 1 周 个人存款产品
    lessons: [products/deposits]
    exam: exam-week-01
"""


def write_sample_content(root: Path) -> Path:
    course = root / "courses" / "products"
    (course / "lessons").mkdir(parents=True)
    (course / "questions").mkdir()
    (course / "images").mkdir()
    (course / "course.md").write_text(COURSE_MD, encoding="utf-8")
    (course / "lessons" / "01-deposits.md").write_text(DEPOSITS_MD, encoding="utf-8")
    (course / "lessons" / "02-loans.md").write_text(LOANS_MD, encoding="utf-8")
    (course / "questions" / "deposits.md").write_text(BANK_MD, encoding="utf-8")
    (course / "images" / "flow.png").write_bytes(PNG)
    (root / "exams").mkdir()
    (root / "exams" / "week-01.yaml").write_text(EXAM_YAML, encoding="utf-8")
    (root / "programmes").mkdir()
    (root / "programmes" / "rm-foundation.yaml").write_text(PROGRAMME_YAML, encoding="utf-8")
    return root


def publish_folder(root: Path, actor=None):
    from lms.content.source.parser import parse_folder
    from lms.content.publishing.publish import publish

    return publish(parse_folder(root), actor, "test")


@pytest.fixture
def content_dir(app, tmp_path):
    """A published copy of the sample folder; the app's CONTENT_DIR points at it."""
    root = write_sample_content(tmp_path / "content")
    app.config["CONTENT_DIR"] = str(root)
    publish_folder(root)
    return root


@pytest.fixture
def trainer(make_user, login):
    user = make_user(("trainer",), employee_no="trainer-1", name="陈培训")
    login(user)
    return user


def review_for_publish(client, data: dict):
    """Review an editor form as the trainer does before Publish: the hash of
    the reviewed text and the fingerprint of the plan shown go into ``data``
    (a web Publish without them publishes nothing). Returns the review page."""
    import re

    page = client.post("/console/review", data=data)
    for name in ("reviewed_hash", "reviewed_plan"):
        found = re.search(rf'name="{name}" value="([0-9a-f]{{64}})"', page.text)
        assert found, f"the review shows no {name}: {page.status_code}"
        data[name] = found.group(1)
    return page


def import_confirm_data(html: str) -> dict:
    """The confirm form of a question import's preview, as the trainer's
    browser posts it: the staging's token and the fingerprint of the plan the
    preview showed (a confirmation without it publishes nothing)."""
    import re

    data = {}
    for name in ("token", "reviewed_plan"):
        found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
        assert found, f"the preview has no {name} to confirm"
        data[name] = found.group(1)
    return data
