"""Natural order of titles (``lms.sorting``): numbers inside a title compare as
numbers; a character Python calls a digit without being a decimal digit
(Ethiopic ፩, Kharosthi numerals) is text, and never fails the page that lists
the title."""
from __future__ import annotations

import pytest

from lms.sorting import natural_key
from tests.conftest import sign_in


def test_numbers_inside_titles_compare_as_numbers():
    titles = ["第10周测验", "第2周测验", "第１周测验", "week-10", "Week-9"]
    assert sorted(titles, key=natural_key) == ["Week-9", "week-10", "第１周测验", "第2周测验", "第10周测验"]


def test_an_ethiopic_digit_sorts_as_text_after_the_numbers():
    assert sorted(["2፫", "፩", "10", "2"], key=natural_key) == ["2", "2፫", "10", "፩"]


@pytest.mark.parametrize("url", ["/console/exams", "/analysis/"])
def test_an_exam_titled_with_an_ethiopic_digit_is_listed(client, make_user, make_exam, url):
    make_exam(title="第1周测验")
    make_exam(title="2፫")
    sign_in(client, make_user(("trainer",)))
    response = client.get(url)
    assert response.status_code == 200, url
    assert "2፫" in response.text
