"""When a data-subject request must be answered, under each law that applies.

GDPR Art. 12(3): "within one month of receipt" — the same day of the next month, or that month's
last day when it has no such day. KVKK Art. 13(2): thirty days. CCPA regs §7021: 45 calendar days.
When several laws apply the earliest deadline is the one to meet.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from hub.consent.policy import Regime

__all__ = ["due_date", "earliest_deadline"]


def _one_month_later(moment: dt.datetime) -> dt.datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def due_date(regime: Regime, received: dt.datetime) -> dt.datetime:
    """The deadline of a request received at ``received`` under ``regime``."""
    if regime is Regime.GDPR:
        return _one_month_later(received)
    if regime is Regime.KVKK:
        return received + dt.timedelta(days=30)
    return received + dt.timedelta(days=45)


def earliest_deadline(regimes: Iterable[Regime], received: dt.datetime) -> tuple[Regime, dt.datetime]:
    """The regime whose deadline comes first, and that deadline."""
    options = [(due_date(regime, received), regime) for regime in regimes] or [(due_date(Regime.GDPR, received),
                                                                              Regime.GDPR)]
    due, regime = min(options, key=lambda pair: pair[0])
    return regime, due
