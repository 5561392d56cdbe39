"""Two programmes may carry the same title (a trainer's editions of one course, 新员工培训 of
2026 and of 2027): every list of programmes puts them in one defined order — by title, then by
the programme's id in the content files — rather than in whatever order the database returns
rows of equal title (on PostgreSQL that order changes when a row is updated, so the roster's
default programme and the learner's list could swap from one page load to the next)."""
from __future__ import annotations

from lms.programmes.record import training_record
from lms.programmes.services import programmes_for, this_week_of
from lms.reports import roster
from tests.conftest import sign_in
from tests.programmes.helpers import programme


def test_programmes_of_the_same_title_are_listed_by_their_id_everywhere(client, clock, make_user, make_question,
                                                                        make_exam):
    exams = [make_exam([{"questions": [make_question("single").slug]}], title=f"第{n}期测验") for n in (1, 2)]
    later = programme([exams[0]], slug="rm-2027", title="新员工培训")  # stored first, listed second
    earlier = programme([exams[1]], slug="rm-2026", title="新员工培训")
    ids = earlier.id, later.id
    learner, trainer = make_user(("learner",)), make_user(("trainer",))

    assert [p.slug for p in programmes_for(learner)] == ["rm-2026", "rm-2027"]
    assert [r.programme.slug for r in training_record(learner)] == ["rm-2026", "rm-2027"]
    assert [w.programme.slug for w in this_week_of([learner])[learner.id]] == ["rm-2026", "rm-2027"]
    assert [p.slug for p in roster.programmes()] == ["rm-2026", "rm-2027"]

    sign_in(client, trainer)
    page = client.get("/programmes/manage").text
    assert page.index(f"/programmes/{ids[0]}/") < page.index(f"/programmes/{ids[1]}/")


def test_weeks_opening_on_the_same_day_keep_their_order_after_one_is_changed(clock, make_question, make_exam):
    """Two weeks of a programme opening the same Monday (a trainer's catch-up week beside the
    regular one): the programme's items, the roster's columns, stay in the order the weeks were
    added after the first of them is edited (PostgreSQL stores the edited row anew, at the end)."""
    from lms.content.models import Programme
    from lms.extensions import db
    from lms.reports.cells import roster_weeks

    exams = [make_exam([{"questions": [make_question("single").slug]}], title=f"第{n}周测验") for n in (1, 2)]
    p = programme(exams, slug="rm-same-day")
    first, second = p.items
    second.opens_on = first.opens_on  # the second week opens with the first
    db.session.commit()
    first.title = "第1周（补）"  # an edit of the earlier-added week
    db.session.commit()
    db.session.expire_all()

    items = db.session.get(Programme, p.id).items
    assert [i.number for i in items] == [1, 2]
    assert [w.number for w in roster_weeks(db.session.get(Programme, p.id))] == [1, 2]


def test_programmes_of_the_same_title_are_told_apart_on_the_manage_page(client, clock, make_user, make_question,
                                                                        make_exam):
    """HR sees two rows 新员工培训 on /programmes/manage: each shows its id in the content files
    and the dates its weeks run, so the two rows do not look identical."""
    from datetime import timedelta

    from lms.extensions import db
    from tests.test_labels import visible_text

    exams = [make_exam([{"questions": [make_question("single").slug]}], title=f"第{n}期测验") for n in (1, 2)]
    first = programme([exams[0]], slug="rm-2026", title="新员工培训")
    second = programme([exams[1]], slug="rm-2027", title="新员工培训")
    for item in second.items:  # next year's edition
        item.opens_on += timedelta(days=364)
        item.due_on += timedelta(days=364)
    db.session.commit()
    sign_in(client, make_user(("hr",)))

    page = client.get("/programmes/manage").text
    rows = [visible_text(page.split(f'id="programme-{p.id}"', 1)[1].split("</tr>", 1)[0]) for p in (first, second)]
    assert "rm-2026" in rows[0] and "2026-02-09" in rows[0] and "2026-02-15" in rows[0]
    assert "rm-2027" in rows[1] and "2027-02-08" in rows[1]
    assert rows[0] != rows[1]


def test_the_reports_programme_pickers_tell_two_programmes_of_the_same_title_apart(client, clock, make_user,
                                                                                   make_question, make_exam):
    """The roster's and the rankings' programme pickers offered 新员工培训 twice; the two options
    now carry each programme's id. A title no other programme has is shown alone."""
    import re

    exams = [make_exam([{"questions": [make_question("single").slug]}], title=f"第{n}期测验") for n in (1, 2, 3)]
    first = programme([exams[0]], slug="rm-2026", title="新员工培训")
    second = programme([exams[1]], slug="rm-2027", title="新员工培训")
    other = programme([exams[2]], slug="rm-advanced", title="进阶培训")
    sign_in(client, make_user(("trainer",)))
    for path in (f"/reports/roster?programme={first.id}", f"/reports/rankings?programme={first.id}"):
        picker = client.get(path).text.split('id="programme"', 1)[1].split("</select>", 1)[0]
        options = {int(v): t.strip() for v, t in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', picker)}
        assert options == {first.id: "新员工培训 (rm-2026)", second.id: "新员工培训 (rm-2027)", other.id: "进阶培训"}, path
