"""A branch manager sees their branch tree; HR and trainers the whole bank;
everybody else nobody."""
from lms.org import scope


def test_branch_manager_sees_own_branch_tree_only(app, make_user, make_branch):
    city = make_branch("C01", "市分行")
    tianyuan = make_branch("C0101", "天元支行", parent=city)
    lusong = make_branch("C0102", "芦淞支行", parent=city)
    manager = make_user(("branch_manager",), employee_no="bm", branch=tianyuan)
    mine = make_user(("learner",), employee_no="mine", branch=tianyuan)
    theirs = make_user(("learner",), employee_no="theirs", branch=lusong)

    assert scope.branch_scope(manager) == [tianyuan.id]
    assert scope.may_see_person(manager, mine)
    assert not scope.may_see_person(manager, theirs)


def test_city_manager_is_told_about_sub_branch_people(app, make_user, make_branch):
    city = make_branch("C01", "市分行")
    tianyuan = make_branch("C0101", "天元支行", parent=city)
    city_manager = make_user(("branch_manager",), employee_no="cm", branch=city)
    local_manager = make_user(("branch_manager",), employee_no="lm", branch=tianyuan)
    make_user(("branch_manager",), employee_no="gone", branch=tianyuan, active=False)
    learner = make_user(("learner",), employee_no="l1", branch=tianyuan)

    assert set(scope.branch_scope(city_manager)) == {city.id, tianyuan.id}
    assert [u.employee_no for u in scope.branch_managers_of(learner)] == ["cm", "lm"]


def test_hr_and_trainer_see_the_whole_bank_a_learner_nobody(app, make_user, make_branch):
    branch = make_branch()
    assert scope.branch_scope(make_user(("hr",), employee_no="h")) is None
    assert scope.branch_scope(make_user(("trainer",), employee_no="t")) is None
    assert scope.branch_scope(make_user(("learner",), employee_no="l", branch=branch)) == []
