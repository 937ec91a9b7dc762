"""Property tests of the plan recurrence: for any start, the occurrences are the
start plus whole intervals, month ends clamped (31st -> last day, 29 Feb -> 28th)."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from .common import AfterSalesCommon

any_start = st.one_of(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    # the days that make month arithmetic drift
    st.builds(
        lambda year, month, day: date(year, month, 1) + relativedelta(day=day),
        st.integers(2000, 2090),
        st.integers(1, 12),
        st.integers(28, 31),
    ),
)
STEP = {"day": timedelta(days=1), "week": timedelta(weeks=1)}


@tagged("post_install", "-at_install")
class TestPlanDateProperties(AfterSalesCommon):
    def _occurrences(self, start, unit, interval, count):
        plan = self.env["after_sales.plan"].new(
            {
                "name": "Property",
                "date_start": start,
                "interval_unit": unit,
                "interval_number": interval,
                "is_time_based": True,
            }
        )
        dates = plan._occurrences(start, start + timedelta(days=count * interval * 370))
        return dates[:count]

    @settings(max_examples=200, deadline=None)
    @given(
        start=any_start,
        unit=st.sampled_from(["month", "year"]),
        interval=st.integers(1, 12),
    )
    def test_months_and_years_count_from_the_start(self, start, unit, interval):
        months = interval * (12 if unit == "year" else 1)
        dates = self._occurrences(start, unit, interval, 24)
        self.assertEqual(len(dates), 24)
        for index, day in enumerate(dates):
            # relativedelta clamps to the month's last day and never drifts
            self.assertEqual(day, start + relativedelta(months=months * index))
        self.assertEqual(dates, sorted(set(dates)), "strictly increasing")

    @settings(max_examples=100, deadline=None)
    @given(start=any_start, unit=st.sampled_from(["day", "week"]), interval=st.integers(1, 30))
    def test_days_and_weeks_are_even_steps(self, start, unit, interval):
        dates = self._occurrences(start, unit, interval, 20)
        self.assertEqual(dates, [start + STEP[unit] * interval * i for i in range(20)])
