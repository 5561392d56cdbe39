"""Expiry: HR's lists within 30/60/90 days (branch and certification
filters, a branch manager only their branches, formula-safe downloads) and
the notices at 90/60/30 days to the holder and their branch managers, each
once."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from lms import clock as lms_clock
from lms.certificates import expiry, issuing
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.notify.models import Notification
from tests.conftest import sign_in

FORMULA = '=HYPERLINK("x")'


def _expiring_in(person, certification, hr, days):
    """A certificate (issued by hand, backdated) that expires ``days`` from today."""
    issued_on = issuing.add_months(lms_clock.today() + timedelta(days=days), -certification.validity_months)
    return issuing.issue(person, certification, actor=hr, reason="存量人员换发", on=issued_on)


def _setup(make_user, make_branch, make_certification):
    north, south = make_branch("N01", "北区支行"), make_branch("S01", "南区支行")
    hr = make_user(("hr",))
    manager = make_user(("branch_manager",), employee_no="MGR-N", branch=north)
    rmq = make_certification()
    mtq = make_certification(slug="mentor-qualification", title="带教师傅资格", prefix="MTQ")
    people = {}
    for days, branch, certification, name in [(10, north, rmq, "=HYPERLINK(\"x\")"), (45, north, rmq, "钱二"),
                                              (80, south, rmq, "孙三"), (80, north, mtq, "李四"),
                                              (120, north, rmq, "周五"), (-5, north, rmq, "吴六")]:
        person = make_user(("learner",), name=name, branch=branch)
        people[name] = _expiring_in(person, certification, hr, days)
    return hr, manager, north, rmq, people


def test_the_lists_filter_by_window_branch_and_certification(client, clock, make_user, make_branch,
                                                              make_certification, fast_pdf):
    hr, manager, north, rmq, people = _setup(make_user, make_branch, make_certification)
    assert [c.holder_name for c in expiry.expiring(30)] == ['=HYPERLINK("x")']
    assert [c.holder_name for c in expiry.expiring(60)] == ['=HYPERLINK("x")', "钱二"]
    assert [c.holder_name for c in expiry.expiring(90, certification_id=rmq.id)] == ['=HYPERLINK("x")', "钱二", "孙三"]
    sign_in(client, hr)
    page = client.get(f"/certificates/expiring?within=90&branch={north.id}")
    assert page.status_code == 200
    assert "钱二" in page.text and "李四" in page.text and "孙三" not in page.text and "周五" not in page.text
    body = client.get("/certificates/expiring/export.csv?within=90").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "证书编号" and len(rows) == 5
    assert rows[1][1] == "'=HYPERLINK(\"x\")"  # a name that looks like a formula stays text
    assert client.get("/certificates/expiring/export.xlsx?within=30").status_code == 200
    # A branch manager sees their branches only; another branch is 404.
    sign_in(client, manager)
    page = client.get("/certificates/expiring?within=90")
    assert "李四" in page.text and "孙三" not in page.text
    south = db.session.get(Certificate, people["孙三"].id).holder.branch
    assert client.get(f"/certificates/expiring?branch={south.id}").status_code == 404
    assert client.get(f"/certificates/{people['孙三'].id}").status_code == 404


def test_notices_at_each_threshold_once_to_holder_and_branch_manager(clock, make_user, make_branch,
                                                                      make_certification, fast_pdf):
    hr, manager, north, rmq, people = _setup(make_user, make_branch, make_certification)
    Notification.query.delete()
    db.session.commit()
    first = expiry.send_expiry_notices()
    # 10 → the 30-day notice only; 45 → 60; 80 (two) → 90; 120 and the expired one: nothing.
    assert (first.holders, first.managers) == (4, 3)
    again = expiry.send_expiry_notices()
    assert (again.holders, again.managers) == (0, 0)
    ids = {name: c.id for name, c in people.items()}
    subjects = sorted(n.subject for n in Notification.query.filter_by(kind="certificate_expiring"))
    assert subjects == sorted([f"certificate:{ids[FORMULA]}:30",
                               f"certificate:{ids['钱二']}:60", f"certificate:{ids['孙三']}:90",
                               f"certificate:{ids['李四']}:90"])
    # 20 days later 钱二 (25 days left) crosses 30, 孙三 and 李四 (60) cross 60; 周五 (100) nothing yet.
    clock.advance(timedelta(days=20))
    later = expiry.send_expiry_notices()
    assert (later.holders, later.managers) == (3, 2)
    # The north manager hears of 钱二 (30 days, RMQ) and 李四 (60 days, MTQ); 孙三 is south's.
    alerts = Notification.query.filter_by(kind="certificate_expiring_alert", recipient_id=manager.id).all()
    from lms.notify.kinds import text_of

    by_subject = {a.subject: a for a in alerts}
    qian, li = by_subject[f"certificate:{ids['钱二']}:30"], by_subject[f"certificate:{ids['李四']}:60"]
    assert qian.params["serial"].startswith("RMQ-") and li.params["serial"].startswith("MTQ-")
    assert "钱二" in text_of(qian) and "将于" in text_of(qian)
    assert "李四" in text_of(li) and "将于" in text_of(li)
    assert f"certificate:{ids['孙三']}:60" not in by_subject


def test_the_scan_command_sends_the_notices(runner, clock, make_user, make_branch, make_certification, fast_pdf):
    _setup(make_user, make_branch, make_certification)
    Notification.query.delete()
    db.session.commit()
    result = runner.invoke(args=["certificates", "scan"])
    assert result.exit_code == 0 and "4 条发给持证人，3 条发给机构负责人" in result.output
    result = runner.invoke(args=["certificates", "scan"])
    assert "0 条发给持证人，0 条发给机构负责人" in result.output


def test_hr_renews_an_expiring_certificate_from_its_page(client, clock, make_user, make_branch, make_certification,
                                                         fast_pdf):
    """From 即将到期 HR opens the certificate and finds 续期（人工发证）: the issue
    form filled in with the holder and the certification; the new certificate
    supersedes the old one, whose page no longer offers it. Before, the page
    offered only 撤销 and HR had to know that renewing is a manual issue."""
    import re

    hr, manager, north, rmq, people = _setup(make_user, make_branch, make_certification)
    old = people["钱二"]
    sign_in(client, hr)
    page = client.get(f"/certificates/{old.id}").text
    renew = re.search(r'<a class="button primary" id="renew" href="([^"]+)">续期（人工发证）</a>', page)
    assert renew, page
    form = client.get(renew.group(1).replace("&amp;", "&")).text
    assert f'value="{old.holder.employee_no}"' in form
    assert re.search(rf'<option selected value="{rmq.id}">|<option value="{rmq.id}" selected>', form), form
    response = client.post("/certificates/issue", data={"employee_no": old.holder.employee_no,
                                                        "certification_id": rmq.id, "reason": "到期续期"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, old.id).superseded_by_id is not None
    assert 'id="renew"' not in client.get(f"/certificates/{old.id}").text
    sign_in(client, manager)  # a branch manager reads the page, HR renews
    assert 'id="renew"' not in client.get(f"/certificates/{people['李四'].id}").text
