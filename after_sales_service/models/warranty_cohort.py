"""Warranty cohorts, a plain-Python core (no database): what is sold with a warranty
in one month of one product category, and how much warranty time it has left.

A cohort is made of groups ``(month, warranty_months, units)``: ``month`` the first
day of the month of sale, ``units`` the units sold then with that warranty (net of
credit notes). A unit's warranty runs from its month of sale: at the end of that
month one month of it is used, at the end of the next two, and so on."""

from dataclasses import dataclass
from datetime import date

# Months of usage history a category needs before its cost per unit-month is measured
HISTORY_MONTHS = 12
MIN_HISTORY_MONTHS = 6
# The part of the provision expected to be used within this many months is current
CURRENT_MONTHS = 12


def month_index(day):
    return day.year * 12 + day.month - 1


def elapsed_months(month, at):
    """Warranty months of a unit sold in ``month`` used at the end of the month of ``at``."""
    return month_index(at) - month_index(month) + 1


@dataclass(frozen=True)
class Group:
    month: date
    warranty_months: int
    units: float

    def remaining(self, at):
        """Warranty unit-months left after the month of ``at``."""
        return self.units * max(0, self.warranty_months - max(0, elapsed_months(self.month, at)))

    def remaining_within(self, at, months):
        """Warranty unit-months left within the ``months`` after the month of ``at``."""
        left = max(0, self.warranty_months - max(0, elapsed_months(self.month, at)))
        return self.units * min(left, months)

    def exposure(self, first, last):
        """Unit-months under warranty in the months from ``first`` to ``last`` (dates)."""
        start = max(month_index(first), month_index(self.month))
        end = min(month_index(last), month_index(self.month) + self.warranty_months - 1)
        return self.units * max(0, end - start + 1)

    def has_ended(self, at):
        return elapsed_months(self.month, at) >= self.warranty_months


def history_window(at):
    """(first day, month of ``at``) of the months whose usage measures the cost."""
    index = month_index(at) - HISTORY_MONTHS + 1
    return date(index // 12, index % 12 + 1, 1), at


def cost_per_unit_month(groups, usage, at):
    """The measured warranty cost per unit-month of a category: its usage over the
    history window ending with the month of ``at``, divided by the unit-months its
    cohorts were under warranty in that window; None when it is not measurable yet
    (less than MIN_HISTORY_MONTHS months since its first sale, no usage, no exposure)."""
    if not groups or usage <= 0:
        return None
    first_sale = min(group.month for group in groups)
    if elapsed_months(first_sale, at) < MIN_HISTORY_MONTHS:
        return None
    first, last = history_window(at)
    exposure = sum(group.exposure(first, last) for group in groups)
    if exposure <= 0:
        return None
    return usage / exposure


def current_share(groups, at, months=CURRENT_MONTHS):
    """The share of the warranty time left at ``at`` that falls within ``months``
    (1.0 when none is left: what remains is due now)."""
    remaining = sum(group.remaining(at) for group in groups)
    if remaining <= 0:
        return 1.0
    return sum(group.remaining_within(at, months) for group in groups) / remaining
