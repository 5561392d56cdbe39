"""A certification and an eligibility rule that fit the sample content folder
(tests/content/sample_folder.py: programme rm-foundation with two weeks,
exams exam-week-01 and exam-week-02)."""
from __future__ import annotations

from pathlib import Path

CERT = "certifications/rm-qualification.yaml"
RULE = "eligibility/rm-junior-entry.yaml"

FILES = {
    CERT: """id: rm-qualification
title: 客户经理上岗资格
summary: 通过准入考试并有师傅出师评价。
serial_prefix: RMQ
validity_months: 24
renewal_window_days: 90
requires:
  programmes: [rm-foundation]
  exams:
    - {exam: exam-week-02, min_score: 80}
  signoff: true
  tenure:
    - {positions: [teller], months: 6}
""",
    RULE: """id: rm-junior-entry
title: 客户经理岗位准入
summary: 调入初级客户经理岗位前须满足。
target: rm_junior
requires:
  certifications: [rm-qualification]
  tenure:
    - {positions: [teller, intern], months: 12}
  signoff: true
  weeks_passed: {programme: rm-foundation, last: 2, min: 1}
""",
}


def write_credentials(root: Path, files: dict | None = None) -> Path:
    for rel, text in (files or FILES).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
