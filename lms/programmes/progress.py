"""Where a learner stands in a programme, counted one way for every page that
states it: 本周培训 (home), 我的培训, the programme page, the mentor's desk and
apprentice record, the sign-off page, HR's and the branch manager's training
record and the evidence pack. Each shows ``Progress`` through
``templates/programmes/_progress.html`` (or its one-line form), with the
words that say what is counted.

- A programme of weeks: only weeks with an exam count (a week counts when its
  exam is passed); product bulletins and retired items do not. A catch-up
  week (补学: due before the learner was enrolled) is never overdue, so it is
  not due "so far" until it is passed; until then it is counted apart
  (``catch_up``). Due so far minus passed is then exactly the weeks HR's
  overdue list names and this week's exam, if not passed yet.
- A quarterly requirement (警示教育): the quarters it has been required in
  since the learner was enrolled, this one included.
"""
from __future__ import annotations

from dataclasses import dataclass

WEEK, QUARTER = "week", "quarter"


@dataclass(frozen=True)
class Progress:
    passed: int  # weeks (quarters) whose exam is passed
    due: int  # weeks opened so far (this week included) but catch-up ones not passed: what should be passed by now
    total: int  # weeks with an exam in the programme (quarters so far)
    unit: str = WEEK  # what is counted: WEEK or QUARTER
    catch_up: int = 0  # catch-up weeks (补学) not passed yet: takeable, never overdue, not in ``due``

    @property
    def behind(self) -> int:
        """Weeks due so far and not passed yet (overdue, and this week's)."""
        return max(self.due - self.passed, 0)

    @property
    def quarterly(self) -> bool:
        return self.unit == QUARTER


def progress(weeks) -> Progress:
    """Count the ``WeekStatus`` list of one programme (``programme_weeks``)."""
    quarters = [w for w in weeks if w.exam is not None and w.item.kind == "quarterly" and not w.item.retired]
    if quarters:
        return Progress(passed=sum(1 for w in quarters if w.done), due=sum(1 for w in quarters if w.is_open),
                        total=len(quarters), unit=QUARTER)
    counted = [w for w in weeks if w.exam is not None and w.item.kind == "week" and not w.item.retired]
    return Progress(passed=sum(1 for w in counted if w.done),
                    due=sum(1 for w in counted if w.done or (w.is_open and not w.catch_up)),
                    total=len(counted), catch_up=sum(1 for w in counted if w.catch_up and not w.done))
