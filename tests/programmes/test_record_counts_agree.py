"""A newcomer's week counts on every page alike: the learner's home page
said "已通过 1 · 截至本周应完成 3" while HR's person page (and the mentor's view
of the apprentice, the same training record) said "已通过 1 / 6" — the record
counted the morning product bulletins (晨会产品速递) as weeks."""
from __future__ import annotations

import re

from sqlalchemy import select

from lms.org.models import User
from lms.extensions import db
from tests.conftest import load_demo_copy, sign_in


def test_home_and_the_training_record_count_the_same_weeks(app, client):
    load_demo_copy()
    learner = db.session.scalar(select(User).where(User.employee_no == "learner"))
    hr = db.session.scalar(select(User).where(User.employee_no == "hr"))
    sign_in(client, learner)
    home = client.get("/").text
    block = home.split("客户经理十二周基础培训", 1)[1]
    passed = int(re.search(r'class="progress-passed">(\d+)<', block).group(1))
    due = int(re.search(r'class="progress-due">(\d+)<', block).group(1))
    sign_in(client, hr)
    person = client.get(f"/org/people/{learner.id}").text
    record = person.split('id="training-record"', 1)[1].split("客户经理十二周基础培训", 1)[1]
    block = record.split('class="record"', 1)[0]  # the programme's heading and counts, before its table
    assert re.search(r'class="progress-passed">(\d+)<', block).group(1) == str(passed)
    assert re.search(r'class="progress-due">(\d+)<', block).group(1) == str(due)
