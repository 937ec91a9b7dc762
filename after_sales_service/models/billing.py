"""Billing periods of a contract term: pure date arithmetic, anchored on the start."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

BILLING_PERIODS = [
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("yearly", "Yearly"),
]
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def period_anchor(date_start, months, index):
    """Start of billing period ``index`` (0 = the first): always counted from the
    original start, so 31 Jan gives 28 Feb, then 31 Mar, not 28 Mar."""
    return date_start + relativedelta(months=months * index)


def billing_period(date_start, date_end, months, day):
    """(start, end, factor) of the billing period of ``months`` months that holds
    ``day`` (a day before ``date_start`` counts as the first period); ``end`` is cut
    by ``date_end`` and ``factor`` (days billed / days of the full period) is then < 1."""
    day = max(day, date_start)
    index = ((day.year - date_start.year) * 12 + day.month - date_start.month) // months
    if period_anchor(date_start, months, index) > day:
        index -= 1
    start = period_anchor(date_start, months, index)
    full_end = period_anchor(date_start, months, index + 1) - timedelta(days=1)
    end = min(full_end, date_end)
    return start, end, ((end - start).days + 1) / ((full_end - start).days + 1)


def billing_periods(date_start, date_end, months):
    """Every (start, end, factor) billing period of the term [date_start, date_end]."""
    periods = []
    start = date_start
    while start <= date_end:
        periods.append(billing_period(date_start, date_end, months, start))
        start = periods[-1][1] + timedelta(days=1)
    return periods
