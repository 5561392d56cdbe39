"""The pages a learner opens every week read a fixed number of statements,
however long their year: two weeks taken or eight (with retakes), one
certificate or three. An N+1 (a statement per week, per attempt, per
certificate) shows here as a count that grows."""
from __future__ import annotations

from datetime import timedelta

from lms.content.models import ProgrammeItem
from lms.extensions import db
from tests.conftest import sign_in
from tests.programmes.helpers import START, programme, take
from tests.statements import statements_of

PAGES = ("/", "/programmes/", "/programmes/{p}", "/notebook/")


def _counts(client, programme_id: int) -> dict[str, int]:
    out = {}
    for page in PAGES:
        url = page.format(p=programme_id)
        client.get(url)  # once before: what a first view reads once a session is not counted
        out[url], _html = statements_of(client, url)
    return out


def test_a_learners_weekly_pages_read_as_many_statements_for_eight_weeks_as_for_two(
        client, clock, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="Y001")
    questions = [make_question("single", tags=(f"知识点{n}",)) for n in range(8)]
    exams = [make_exam([{"questions": [q.slug]}], slug=f"year-{n}", title=f"第{n + 1}周测验")
             for n, q in enumerate(questions)]
    weekly = programme(exams[:2], audience={"roles": ["learner"]})
    for exam in exams[:2]:
        take(learner, exam, clock, answer="A")  # failed, then retaken and passed
        take(learner, exam, clock, answer="B")
    sign_in(client, learner)
    two = _counts(client, weekly.id)
    for n, exam in enumerate(exams[2:], start=3):
        db.session.add(ProgrammeItem(programme_id=weekly.id, key=f"week-{n}", kind="week", number=n,
                                     title=f"第{n}周", exam_id=exam.id, opens_on=START + timedelta(days=7 * (n - 1)),
                                     due_on=START + timedelta(days=7 * (n - 1) + 6)))
        take(learner, exam, clock, answer="A")
        take(learner, exam, clock, answer="B" if n % 2 else "A")
    db.session.commit()
    eight = _counts(client, weekly.id)
    page = client.get(f"/programmes/{weekly.id}").text
    assert "第8周" in page
    assert eight == two, (two, eight)


def test_my_certificates_read_as_many_statements_for_three_as_for_one(app, client, make_user):
    import json
    from datetime import date

    from lms.certificates import issuing
    from lms.content.models import Certification

    learner, hr = make_user(("learner",), employee_no="Y002"), make_user(("hr",), employee_no="Y003")
    kinds = [Certification(slug=f"cert-{n}", title=f"证书{n}", serial_prefix=f"C{n}", validity_months=24,
                           renewal_window_days=90, requirements_json=json.dumps({})) for n in range(3)]
    db.session.add_all(kinds)
    db.session.commit()
    issuing.issue(learner, kinds[0], actor=hr, reason="补录", on=date(2026, 1, 5), render_now=False)
    db.session.commit()
    sign_in(client, learner)
    client.get("/certificates/mine")
    one, page = statements_of(client, "/certificates/mine")
    assert "证书0" in page
    for kind in kinds[1:]:
        issuing.issue(learner, kind, actor=hr, reason="补录", on=date(2026, 1, 5), render_now=False)
        db.session.commit()
    three, page = statements_of(client, "/certificates/mine")
    assert "证书1" in page and "证书2" in page
    assert three == one, (one, three)


def test_the_learners_home_reads_as_many_statements_for_three_programmes_and_certificates_as_for_one(
        client, clock, make_user, make_question, make_exam):
    """本周培训 lists every programme of the learner's, with the home's other
    panels (错题本, certificates): each programme added a few statements (its
    weeks read on their own, and every week of it loaded once more to find
    its first day); a certificate must not add one either."""
    import json
    from datetime import date

    from lms.certificates import issuing
    from lms.content.models import Certification

    learner, hr = make_user(("learner",), employee_no="Y010"), make_user(("hr",), employee_no="Y011")
    questions = [make_question("single", tags=(f"知识点{n}",)) for n in range(6)]
    exams = [make_exam([{"questions": [q.slug]}], slug=f"multi-{n}", title=f"测验{n}", open_to_all=False)
             for n, q in enumerate(questions)]
    kinds = [Certification(slug=f"home-cert-{n}", title=f"证书{n}", serial_prefix=f"H{n}", validity_months=24,
                           renewal_window_days=90, requirements_json=json.dumps({})) for n in range(3)]
    db.session.add_all(kinds)
    db.session.commit()
    programme(exams[:2], audience={"roles": ["learner"]}, slug="p-0", title="周训甲")
    for exam in exams[:2]:
        take(learner, exam, clock, answer="A")  # wrong: in the 错题本
        take(learner, exam, clock, answer="B")
    issuing.issue(learner, kinds[0], actor=hr, reason="补录", on=date(2026, 1, 5), render_now=False)
    db.session.commit()
    sign_in(client, learner)
    client.get("/")
    one, page = statements_of(client, "/")
    assert "周训甲" in page
    for n, title in ((1, "周训乙"), (2, "周训丙")):
        programme(exams[2 * n:2 * n + 2], audience={"roles": ["learner"]}, slug=f"p-{n}", title=title)
        for exam in exams[2 * n:2 * n + 2]:
            take(learner, exam, clock, answer="A")
            take(learner, exam, clock, answer="B")
        issuing.issue(learner, kinds[n], actor=hr, reason="补录", on=date(2026, 1, 5), render_now=False)
        db.session.commit()
    three, page = statements_of(client, "/")
    assert "周训甲" in page and "周训乙" in page and "周训丙" in page
    assert three == one, (one, three)
