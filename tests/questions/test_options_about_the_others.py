"""Options such as 以上都是 keep their place when the options are shuffled;
options that merely begin with the same characters (以上海为例) move."""

import random

import pytest

from lms import questions as question_types
from lms.questions.base import refers_to_the_others


@pytest.mark.parametrize("text", [
    "以上都是", "以上都不是", "以上均正确", "以上皆非", "以上全对", "以上各项均符合", "以上三项都对",
    "以上选项都正确", "以上说法均不正确", "以上答案都对", "以上A和B", "以上 A、C", "以上AB均正确",
    "**以上都是**", "上述都是", "上述选项均正确", "以上", "以上。",
    "All of the above", "none of the above", "All of these", "Both of the above", "None of these options",
])
def test_an_option_about_the_other_options_is_recognised(text):
    assert refers_to_the_others(text)


@pytest.mark.parametrize("text", [
    "以上海为例", "以上海分行的做法为准", "上述情形下应当拒绝", "以上级行批复为准", "5 万元以上",
    "以上年度利润为基数", "以上市公司为例", "以上下游企业为对象", "上述规定的例外", "以上Bank的口径",
])
def test_an_option_that_only_starts_alike_is_an_ordinary_option(text):
    assert not refers_to_the_others(text)


def test_an_ordinary_option_starting_with_yi_shang_is_shuffled_and_all_of_these_stays_last():
    single = question_types.get("single")
    data = {"options": [{"key": k, "text": t} for k, t in
                        zip("ABCD", ["以上海为例", "以北京为例", "以深圳为例", "All of these"])]}
    orders = [tuple(single.option_order(data, random.Random(seed), True)) for seed in range(40)]
    assert all(order[-1] == "D" for order in orders)
    assert {order[0] for order in orders} == {"A", "B", "C"}
