"""Tenure counts whole months as a certificate's validity does
(``issuing.add_months``): started on 31 August, six months are served on
28 February (the month's last day), not on 1 March; on a person's page, in
the certificate requirements and in the eligibility engine alike."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.certificates.issuing import add_months
from lms.certificates.requirements import tenure_condition
from lms.eligibility.engine import months_served
from lms.eligibility.facts import Stint

CASES = [  # (started, on, whole months)
    (date(2025, 8, 31), date(2026, 2, 27), 5),
    (date(2025, 8, 31), date(2026, 2, 28), 6),  # 28 February is February's last day
    (date(2027, 8, 31), date(2028, 2, 28), 5),  # ... not in a leap year
    (date(2027, 8, 31), date(2028, 2, 29), 6),
    (date(2024, 2, 29), date(2025, 2, 28), 12),
    (date(2026, 1, 30), date(2026, 2, 28), 1),
    (date(2026, 1, 15), date(2026, 2, 14), 0),
    (date(2026, 1, 15), date(2026, 2, 15), 1),
    (date(2025, 12, 31), date(2026, 1, 1), 0),  # 31 December → 1 January
]


@pytest.mark.parametrize("started, on, months", CASES)
def test_whole_months_agree_with_the_validity_rule(app, make_user, started, on, months):
    person = make_user(("learner",), position="rm_junior", position_start=started)
    assert person.months_in("rm_junior", on) == months
    assert months_served([Stint("rm_junior", started, None)], ["rm_junior"], on) == months
    assert add_months(started, months) <= on < add_months(started, months + 1)  # the same rule as validity


@pytest.mark.parametrize("on, met", [(date(2026, 2, 27), False), (date(2026, 2, 28), True)])
def test_a_tenure_requirement_is_met_on_the_month_end(app, clock, make_user, on, met):
    person = make_user(("learner",), position="rm_junior", position_start=date(2025, 8, 31))
    clock.freeze(clock.day_start(on) + timedelta(hours=12))  # noon in Shanghai on ``on``
    assert tenure_condition(person, ["rm_junior"], 6).met is met
