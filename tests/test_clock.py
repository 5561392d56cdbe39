"""The bank's days: ``clock.today()`` is the date in China time whatever zone
the server runs in; stored times (naive UTC) become bank days and back at the
bank's midnight (16:00 UTC the day before)."""
from __future__ import annotations

import os
import time as process_time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from lms import clock

# (the UTC instant, the bank's date then): 23:59:59 and 00:00:00 China time,
# the first day of a quarter, 31 December → 1 January, 29 February.
BOUNDARIES = [
    (datetime(2026, 3, 1, 15, 59, 59), date(2026, 3, 1)),
    (datetime(2026, 3, 1, 16, 0, 0), date(2026, 3, 2)),
    (datetime(2026, 3, 31, 16, 0, 0), date(2026, 4, 1)),
    (datetime(2026, 12, 31, 15, 59, 59), date(2026, 12, 31)),
    (datetime(2026, 12, 31, 16, 0, 0), date(2027, 1, 1)),
    (datetime(2028, 2, 28, 16, 0, 0), date(2028, 2, 29)),
    (datetime(2028, 2, 29, 16, 0, 0), date(2028, 3, 1)),
]


@pytest.fixture(params=["UTC", "Asia/Shanghai", "America/New_York"])
def server_zone(request):
    """The process's own zone (TZ): it must change nothing."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    process_time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    process_time.tzset()


@pytest.mark.parametrize("at, day", BOUNDARIES)
def test_today_is_the_bank_date(server_zone, at, day):
    clock.freeze(at)
    try:
        assert clock.today() == day
        assert clock.local_date(at) == day
    finally:
        clock.reset()


@pytest.mark.parametrize("at, day", BOUNDARIES)
def test_a_bank_day_starts_at_its_midnight_in_china(server_zone, at, day):
    start = clock.day_start(day)
    assert start.tzinfo is None and start.hour == 16  # 00:00 in Shanghai is 16:00 UTC the day before
    assert start <= at and clock.local_date(start) == day
    assert clock.local_date(start - timedelta(seconds=1)) == day - timedelta(days=1)


@pytest.mark.real_clock
def test_the_running_clock_gives_the_bank_date(server_zone):
    before = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).date()
    today = clock.today()
    after = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert today in (before, after)
    assert clock.local(datetime(2026, 3, 1, 16, 30)) == datetime(2026, 3, 2, 0, 30)


def test_the_app_sets_the_bank_zone(app_factory_zone):
    assert clock.today() == date(2026, 3, 1)  # 16:30 UTC on 1 March is still 1 March in London


@pytest.fixture
def app_factory_zone(_migrated):
    from lms import create_app
    from tests.conftest import BASE_CONFIG

    create_app({**BASE_CONFIG, "BABEL_DEFAULT_TIMEZONE": "Europe/London"})
    clock.freeze(datetime(2026, 3, 1, 16, 30))
    yield
    clock.reset()
    clock.set_zone(clock.DEFAULT_ZONE)


def test_no_test_straddles_the_banks_midnight():
    """A run that crossed 16:00 UTC failed tests that read the running
    clock's date twice (a pairing ended "today" by a request, compared with
    today after it; a demo built on one day and read on the next). Every test
    now starts at least 15 minutes before the bank's midnight
    (tests/conftest.py: ``clear_of_midnight``, autouse): at 23:50 in Shanghai
    the running clock moves on to 00:00:01 and keeps running; at 23:40 it
    stays; a frozen clock is left alone."""
    from tests.conftest import clear_of_midnight

    try:
        day = clock.today()
        clock.advance(clock.day_start(day + timedelta(days=1)) - timedelta(minutes=10) - clock.now())
        assert clock.local(clock.now()).strftime("%H:%M") == "23:50"
        assert clear_of_midnight() is True
        assert clock.today() == day + timedelta(days=1)
        assert clock.local(clock.now()).strftime("%H:%M") == "00:00"
        started = clock.now()
        process_time.sleep(0.01)
        assert clock.now() > started  # still running

        clock.reset()
        clock.advance(clock.day_start(day + timedelta(days=1)) - timedelta(minutes=20) - clock.now())
        assert clear_of_midnight() is False and clock.today() == day

        clock.freeze(clock.day_start(day + timedelta(days=1)) - timedelta(minutes=1))
        assert clear_of_midnight() is False and clock.now() == clock.day_start(day + timedelta(days=1)) - timedelta(minutes=1)
    finally:
        clock.reset()
