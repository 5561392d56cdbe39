"""Scheduling in the browser (trainer and admin): the programme and exam forms.

The content module's setup (tests/access/content.py) points CONTENT_DIR at a
published copy of the sample folder, with programmes/rm-foundation.yaml and
exams/week-01.yaml. The POST rows add a row to the form ("add a week"), which
changes nothing."""
from tests.access import Row, only

ROWS = {
    ("schedule.programme", "GET"): Row(lambda w: "/console/schedule/programmes/rm-foundation", only("trainer")),
    ("schedule.programme_save", "POST"): Row(lambda w: "/console/schedule/programmes/rm-foundation", only("trainer"),
                                             data=lambda w: {"title": "x", "action": "add-week"}),
    ("schedule.new_programme", "GET"): Row(lambda w: "/console/schedule/new-programme", only("trainer")),
    ("schedule.new_programme", "POST"): Row(lambda w: "/console/schedule/new-programme", only("trainer"),
                                            data=lambda w: {"title": "x", "action": "add-week"}),
    ("schedule.exam", "GET"): Row(lambda w: "/console/schedule/exams/week-01", only("trainer")),
    ("schedule.exam_save", "POST"): Row(lambda w: "/console/schedule/exams/week-01", only("trainer"),
                                        data=lambda w: {"title": "x", "action": "add-rule"}),
    ("schedule.new_exam", "GET"): Row(lambda w: "/console/schedule/new-exam", only("trainer")),
    ("schedule.new_exam", "POST"): Row(lambda w: "/console/schedule/new-exam", only("trainer"),
                                       data=lambda w: {"title": "x", "action": "add-rule"}),
    ("schedule.open_by_id", "GET"): Row(lambda w: "/console/schedule/files/programme/rm-foundation",
                                        only("trainer", ok=302)),
}
