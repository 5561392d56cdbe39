"""What a search box matches: a 工号 or serial as the app reads one (full-width, spaces), names as typed."""
from lms.text_search import matches


def test_a_code_is_read_as_the_app_reads_a_employee_number():
    assert matches("Ｅ１００１", codes=("E1001",))
    assert matches(" e 10 01 ", codes=("E1001",))
    assert not matches("E1002", codes=("E1001",))


def test_a_name_keeps_its_spaces_and_is_not_read_as_a_code():
    assert matches("Li Wei", names=("Li Wei",))
    assert not matches("LiWei", names=("Li Wei",))
    assert matches("Ｗｅｉ", names=("Li Wei",))  # full-width letters are the letters
    assert not matches("E 1001", names=("E1001 培训班",))  # only a code column drops the spaces
