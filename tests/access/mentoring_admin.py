"""Access rows of HR's mentoring pages (lms.mentoring.hr_views): HR and
administrators change; a branch manager reads the register and the pairings
of their branches; mentors (own, former, of someone else), learners and
trainers are refused. tests/mentoring/test_register.py tries every pairing
id of the world for each role."""
from tests.access import Row, only

READ = only("hr", "branch_manager")


def _pairing(suffix=""):
    return lambda w: f"/mentoring/admin/pairings/{w.pairing.id}{suffix}"


ROWS = {
    ("mentoring_admin.index", "GET"): Row(lambda w: "/mentoring/admin/", READ),
    ("mentoring_admin.mentors", "GET"): Row(lambda w: "/mentoring/admin/mentors", READ),
    ("mentoring_admin.unpaired", "GET"): Row(lambda w: "/mentoring/admin/unpaired", READ),
    ("mentoring_admin.export", "GET"): Row(lambda w: "/mentoring/admin/export/pairings.csv", READ),
    ("mentoring_admin.detail", "GET"): Row(_pairing(), READ),
    ("mentoring_admin.pair", "GET"): Row(lambda w: "/mentoring/admin/pair", only("hr")),
    # m-mentor has no position: the rule refuses, the form comes back with the message.
    ("mentoring_admin.pair", "POST"): Row(lambda w: "/mentoring/admin/pair", only("hr"), data=lambda w: {
        "mentor_no": "m-mentor", "apprentice_no": "m-other", "start_date": "2026-01-01",
        "planned_end_date": "2026-12-31"}),
    ("mentoring_admin.end", "POST"): Row(_pairing("/end"), only("hr", ok=302),
                                         data=lambda w: {"end-reason": "矩阵: 徒弟调岗"}),
    ("mentoring_admin.change", "POST"): Row(_pairing("/change"), only("hr"),
                                            data=lambda w: {"change-mentor_no": "m-mentor", "change-reason": "矩阵"}),
    ("mentoring_admin.import_pairings", "GET"): Row(lambda w: "/mentoring/admin/import", only("hr")),
    ("mentoring_admin.import_pairings", "POST"): Row(lambda w: "/mentoring/admin/import", only("hr"),
                                                     data=lambda w: {}),
    ("mentoring_admin.confirm_import", "POST"): Row(lambda w: "/mentoring/admin/import/confirm", only("hr", ok=302),
                                                    data=lambda w: {"token": "not-a-staged-token"}),
    ("mentoring_admin.import_template", "GET"): Row(lambda w: "/mentoring/admin/import/template.xlsx", only("hr")),
    ("mentoring_admin.import_problems", "GET"): Row(lambda w: "/mentoring/admin/import/" + "x" * 32 + "/problems.csv",
                                                    only("hr", ok=404)),
    ("mentoring_admin.settings_page", "GET"): Row(lambda w: "/mentoring/admin/settings", only("hr")),
    ("mentoring_admin.settings_page", "POST"): Row(lambda w: "/mentoring/admin/settings", only("hr"),
                                                   data=lambda w: {"min_position": "teller"}),
    ("mentoring_admin.set_capacity", "POST"): Row(lambda w: "/mentoring/admin/settings/capacity", only("hr", ok=302),
                                                  data=lambda w: {"capacity-mentor_no": "m-own-mentor",
                                                                  "capacity-capacity": "4"}),
    ("mentoring_admin.add_dimension", "POST"): Row(lambda w: "/mentoring/admin/settings/dimensions",
                                                   only("hr", ok=302), data=lambda w: {
                                                       "dimension-label_zh": "营销能力",
                                                       "dimension-label_en": "Sales skills"}),
    ("mentoring_admin.change_dimension", "POST"): Row(lambda w: "/mentoring/admin/settings/dimensions/compliance",
                                                      only("hr", ok=302), data=lambda w: {"action": "up"}),
}
