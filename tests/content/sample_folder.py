"""A small but complete content folder (every kind, every question type), for
the parser, check and publish tests. ``write_folder(tmp_path)`` writes it and
returns the root; tests then break or change single files."""
from __future__ import annotations

from pathlib import Path

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

FILES = {
    "courses/products/course.md": """---
id: products
title: 对公与对私产品
track: products
summary: 综合客户经理必须同时掌握对公、对私业务。
---
本课程介绍存款与贷款产品。
""",
    "courses/products/lessons/01-deposits.md": """---
title: 个人存款产品
minutes: 20
objectives:
  - 说出通知存款的起存金额
---
## 定期存款

**整存整取**起存 50 元。

![流程](../images/flow.png)

[产品说明书](attachments/manual.pdf)

!!! risk "风险提示"
    不得向客户承诺保本保收益。
""",
    "courses/products/lessons/02-loans.md": """---
id: corporate-loans
title: 对公贷款
minutes: 15
---
流动资金贷款用于企业日常经营周转。
""",
    "courses/products/lessons/03-bulletin-cd.md": """---
id: bulletin-large-cd
title: 晨会产品速递：大额存单
minutes: 5
---
新一期大额存单起存 20 万元。
""",
    "courses/products/images/flow.png": PNG,
    "courses/products/attachments/manual.pdf": b"%PDF-1.4 sample",
    "courses/products/questions/deposits.md": """# 个人存款题库

## dep-001
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
type: multiple
difficulty: hard
tags: 个人存款

下列哪些属于存款产品？

- [x] 整存整取
- [x] 通知存款
- [ ] 基金定投

解析：基金不是存款。

## dep-003
type: truefalse
answer: 对
tags: 存款保险

存款保险的最高偿付限额为 50 万元。

## dep-004
type: fill
tags: 个人存款

整存整取的起存金额为 [[50|50元]] 元，零存整取为 [[5]] 元。

## dep-005
type: numeric
answer: 1.5
tolerance: 0.01
unit: %
tags: 个人存款

某定期存款年利率是多少（%）？

## dep-006
type: essay
points: 10
tags: 个人存款

向客户解释存款保险制度。

评分要点：
- 偿付限额
- 保险范围

解析：参见《存款保险条例》。
""",
    "courses/risk/course.md": """---
id: risk-cases
title: 风险案例
track: risk-cases
---
""",
    "courses/risk/lessons/01-case.md": """---
title: 关联交易案例
---
某支行客户经理未发现关联交易。
""",
    "courses/risk/questions/cases.md": """## risk-case-001
type: case
tags: 贷前调查

某制造企业申请流动资金贷款 800 万元。

### a
type: single
points: 2

该企业的流动比率约为多少？

- [ ] 0.8
- [x] 1.2

解析：流动资产 ÷ 流动负债。

### b
type: numeric
points: 3
answer: 62.5
tolerance: 0.5
unit: %

该企业的资产负债率是多少？
""",
    "exams/week-01.yaml": """id: exam-week-01
title: 第 1 周测验
course: products
time_limit: 30
pass_mark: 80
attempts: unlimited
cooldown: 10
review: after_submit
draw:
  - {count: 1, type: single, tags: [个人存款]}
  - {count: 1, type: case, course: risk-cases}
  - {questions: [dep-003]}
""",
    "exams/week-02.yaml": """id: exam-week-02
title: 第 2 周测验
course: products
draw:
  - {count: 3}
""",
    "exams/check-bulletin-01.yaml": """id: check-bulletin-01
title: 速递小测
course: products
time_limit: 10
draw:
  - {questions: [dep-001, dep-002, dep-003]}
""",
    "programmes/rm-foundation.yaml": """id: rm-foundation
title: 客户经理基础培训
summary: 每周一训，每训必考，人人过关。
audience:
  positions: [teller, rm_junior]
  roles: [learner]
start: 2026-09-07
weeks:
  - title: 第 1 周 个人存款
    lessons: [products/deposits]
    exam: exam-week-01
  - title: 第 2 周 对公贷款
    lessons: [products/corporate-loans, risk-cases/case]
    exam: exam-week-02
bulletins:
  - title: 晨会产品速递：大额存单
    lesson: products/bulletin-large-cd
    exam: check-bulletin-01
    opens: 2026-09-09
    due: 2026-09-11
""",
}

# The stem of dep-001, as written in the bank (tests replace it).
BANK_TEXT_DEP001 = "个人通知存款的最低起存金额是多少？"


def write_folder(root: Path, files: dict | None = None) -> Path:
    for rel, content in (files or FILES).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    for number, line in enumerate((root / rel).read_text(encoding="utf-8").split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {rel}")
