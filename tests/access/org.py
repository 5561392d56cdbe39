"""People and branches: HR's screens (admin passes every role check)."""
from tests.access import Row, only


def setup(world):
    world.person = world.other_learner


def _person(suffix=""):
    return lambda w: f"/org/people/{w.person.id}{suffix}"


ROWS = {
    ("org.people", "GET"): Row(lambda w: "/org/people?q=m-&status=all", only("hr")),
    ("org.person", "GET"): Row(_person(), only("hr")),
    ("org.new_person", "GET"): Row(lambda w: "/org/people/new", only("hr")),
    ("org.new_person", "POST"): Row(lambda w: "/org/people/new", only("hr"),
                                    data=lambda w: {"employee_no": "N-1", "name": "新员工", "branch_id": w.branch.id,
                                                    "position": "teller", "roles": ["learner"], "locale": "zh_CN"}),
    ("org.check_new_person", "POST"): Row(lambda w: "/org/people/new/check", only("hr", anonymous=401),
                                          data=lambda w: {"employee_no": "m-learner"},
                                          headers={"HX-Request": "true", "HX-Trigger-Name": "employee_no"}),
    ("org.edit_person", "GET"): Row(_person("/edit"), only("hr")),
    ("org.edit_person", "POST"): Row(_person("/edit"), only("hr", ok=302),
                                     data=lambda w: {"name": "改名", "branch_id": w.branch.id, "locale": "zh_CN"}),
    ("org.check_person", "POST"): Row(_person("/edit/check"), only("hr", anonymous=401), data=lambda w: {"name": ""},
                                      headers={"HX-Request": "true", "HX-Trigger-Name": "name"}),
    ("org.set_roles", "POST"): Row(_person("/roles"), only("hr", ok=302),
                                   data=lambda w: {"roles": ["learner", "mentor"]}),
    ("org.change_position", "POST"): Row(_person("/position"), only("hr", ok=302),
                                         data=lambda w: {"position": "teller", "start_date": "2025-01-01"}),
    ("org.check_position", "GET"): Row(_person("/position/check?position=rm_junior"), only("hr")),
    ("org.deactivate", "POST"): Row(_person("/deactivate"), only("hr", ok=302), data=lambda w: {"reason": "离职"}),
    ("org.reactivate", "POST"): Row(_person("/reactivate"), only("hr", ok=302), data=lambda w: {"reason": "返聘"}),
    ("org.reset_password", "POST"): Row(_person("/password"), only("hr")),
    ("org.branches", "GET"): Row(lambda w: "/org/branches", only("hr")),
    ("org.create_branch", "POST"): Row(lambda w: "/org/branches", only("hr", ok=302),
                                       data=lambda w: {"code": "W02", "name": "新支行", "parent_id": w.branch.id}),
    ("org.rename_branch", "POST"): Row(lambda w: f"/org/branches/{w.branch.id}/rename", only("hr", ok=302),
                                       data=lambda w: {"name": "矩阵路支行"}),
    ("org.import_people", "GET"): Row(lambda w: "/org/people/import", only("hr")),
    ("org.import_people", "POST"): Row(lambda w: "/org/people/import", only("hr"), data=lambda w: {}),
    ("org.confirm_import", "POST"): Row(lambda w: "/org/people/import/confirm", only("hr", ok=302),
                                        data=lambda w: {"token": "x" * 32}),
    ("system.settings_page", "GET"): Row(lambda w: "/system/settings", only("admin")),
    ("system.settings_page", "POST"): Row(lambda w: "/system/settings", only("admin", ok=302),
                                          data=lambda w: {"hr_may_grant_trainer": "y"}),
    ("org.import_template", "GET"): Row(lambda w: "/org/people/import/template.xlsx", only("hr")),
    # Nobody's staged file: 404 for HR too (the uploader's own download: tests/org/test_import_problems_file.py).
    ("org.import_problems", "GET"): Row(lambda w: "/org/people/import/" + "x" * 32 + "/problems.csv",
                                        only("hr", ok=404)),
}
