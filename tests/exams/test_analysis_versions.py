"""Item analysis of a question whose key changed between versions: each
version answered shows its own option rows, ✓ by its own key, its own counts
and facility, newest first, with its number and when it was published (the
table pooled both versions' answers and marked ✓ by the current key: v1's
right answers A showed as wrong). A question answered in one version looks as
before.

    trd-001 v1 (published 2026-02-02, key A): A A A B  → facility 3/4
    trd-001 v2 (published 2026-02-23, key B): B B A    → facility 2/3
    trd-002 (one version, key B):              B B A B A B B
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from lms.content.models import QuestionVersion
from lms.exams import analysis
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.results_data import START, finished_attempt

OPTIONS = [{"key": "A", "text": "五万元"}, {"key": "B", "text": "二十万元"}, {"key": "C", "text": "一百万元"}]


@pytest.fixture
def changed_key(make_user, make_question, make_exam):
    q = make_question("single", slug="trd-001", data={"options": OPTIONS, "correct": ["A"]})
    v1 = q.current_version
    v1.created_at = datetime(2026, 2, 2, 2, 0)  # 10:00 in Shanghai
    v2 = QuestionVersion(question_id=q.id, version=2, type="single", stem_md="起购金额（按新规）",
                         stem_html="起购金额（按新规）", data_json=json.dumps({"options": OPTIONS, "correct": ["B"]}),
                         points=1.0, content_hash="v2", created_at=datetime(2026, 2, 23, 6, 30))
    db.session.add(v2)
    db.session.flush()
    q.current_version_id = v2.id
    other = make_question("single", slug="trd-002", data={"options": OPTIONS, "correct": ["B"]})
    exam = make_exam(title="理财新规测验", pass_mark=50.0, time_limit_minutes=30)
    answers = [(v1, "A"), (v1, "A"), (v1, "A"), (v1, "B"), (v2, "B"), (v2, "B"), (v2, "A")]
    others = ["B", "B", "A", "B", "A", "B", "B"]
    for n, ((version, given), given2) in enumerate(zip(answers, others)):
        right = given == version.data["correct"][0]
        finished_attempt(make_user(("learner",)), exam,
                         [(version, given, 1.0 if right else 0.0),
                          (other.current_version, given2, 1.0 if given2 == "B" else 0.0)],
                         started=START + timedelta(minutes=n))
    db.session.commit()
    return exam


def test_each_version_has_its_own_options_key_counts_and_facility(app, changed_key):
    items = {i.slug: i for i in analysis.item_analysis(changed_key)}
    changed = items["trd-001"]
    assert changed.options == []  # never the pooled table
    assert [b.version for b in changed.by_version] == [2, 1]  # newest first
    v2, v1 = changed.by_version
    assert v2.published_at == datetime(2026, 2, 23, 6, 30) and v2.responses == 3
    assert [o.key for o in v2.options if o.correct] == ["B"]
    assert {o.key: o.count for o in v2.options} == {"A": 1, "B": 2, "C": 0}
    assert v2.facility == pytest.approx(2 / 3)
    assert [o.key for o in v1.options if o.correct] == ["A"]
    assert {o.key: o.count for o in v1.options} == {"A": 3, "B": 1, "C": 0}
    assert v1.facility == pytest.approx(0.75) and v1.options[0].share == pytest.approx(0.75)
    assert changed.facility == pytest.approx(5 / 7)  # the question as a whole, as before

    one = items["trd-002"]
    assert one.by_version == []
    assert {o.key: o.count for o in one.options} == {"A": 2, "B": 5, "C": 0}
    assert [o.key for o in one.options if o.correct] == ["B"]


def _row(text: str, slug: str) -> str:
    return re.search(rf'<tr id="question-\d+">\s*<td><a href="/console/questions/{slug}"><code>{slug}</code></a>.*?</tr>', text, re.S).group(0)


def test_the_page_shows_the_versions_apart_newest_first(app, client, make_user, changed_key):
    sign_in(client, make_user(("trainer",), locale="en"))
    text = client.get(f"/analysis/exams/{changed_key.id}").text
    row = _row(text, "trd-001")
    v2_at, v1_at = row.index("<strong>v2</strong>"), row.index("<strong>v1</strong>")
    assert v2_at < v1_at
    v2, v1 = row[v2_at:v1_at], row[v1_at:]
    assert "published 2026-02-23 14:30" in v2 and "3 responses" in v2 and "facility 66.7%" in v2
    assert "published 2026-02-02 10:00" in v1 and "4 responses" in v1 and "facility 75%" in v1
    assert re.search(r'<li class="key"><strong>B</strong> ✓ 二十万元: 2 \(67%\)</li>', v2)
    assert re.search(r"<li><strong>A</strong> 五万元: 1 \(33%\)</li>", v2)
    assert re.search(r'<li class="key"><strong>A</strong> ✓ 五万元: 3 \(75%\)</li>', v1)
    assert re.search(r"<li><strong>B</strong> 二十万元: 1 \(25%\)</li>", v1)

    single = _row(text, "trd-002")
    assert "version-options" not in single and "published" not in single
    assert re.search(r'<li class="key"><strong>B</strong> ✓ 二十万元: 5 \(71%\)</li>', single)


def test_the_versions_in_chinese(app, client, make_user, changed_key):
    sign_in(client, make_user(("trainer",)))
    row = _row(client.get(f"/analysis/exams/{changed_key.id}").text, "trd-001")
    assert "发布于 2026-02-23 14:30" in row and "3 份作答" in row and "难度系数 66.7%" in row
