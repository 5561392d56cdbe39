"""Where a learner stands in a programme, counted one way for every page that
shows it (本周培训, 我的培训, the programme page): weeks passed, weeks due so
far (opened up to today, this week included) and weeks in the programme.

Only weeks with an exam count (a week counts when its exam is passed);
product bulletins and retired items do not.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    passed: int  # weeks whose exam is passed
    due: int  # weeks opened so far (this week included): what should be passed by this week's due date
    total: int  # weeks with an exam in the programme

    @property
    def behind(self) -> int:
        """Weeks opened so far and not passed yet."""
        return max(self.due - self.passed, 0)


def progress(weeks) -> Progress:
    """Count the ``WeekStatus`` list of one programme (``programme_weeks``)."""
    counted = [w for w in weeks if w.exam is not None and w.item.kind == "week" and not w.item.retired]
    return Progress(passed=sum(1 for w in counted if w.done),
                    due=sum(1 for w in counted if w.is_open),
                    total=len(counted))
