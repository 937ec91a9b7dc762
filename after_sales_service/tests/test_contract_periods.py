from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import TransactionCase, tagged

from odoo.addons.after_sales_service.models.billing import (
    PERIOD_MONTHS,
    billing_period,
    billing_periods,
    period_anchor,
)

from .common import AfterSalesCommon

any_day = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
# the days that make month arithmetic drift: 28 to 31, and 29 February
month_end = st.builds(
    lambda day, back: day.replace(day=1) + relativedelta(months=1, days=-1 - back),
    any_day,
    st.integers(min_value=0, max_value=3),
)
starts = st.one_of(any_day, month_end, st.sampled_from([date(2028, 2, 29), date(2024, 2, 29)]))
months = st.sampled_from(sorted(PERIOD_MONTHS.values()))


@tagged("post_install", "-at_install")
class TestContractPeriodProperties(TransactionCase):
    """Pure date arithmetic: the periods of any term tile it exactly."""

    @settings(max_examples=200, deadline=None)
    @given(
        start=starts,
        length_months=st.integers(min_value=0, max_value=60),
        length_days=st.integers(min_value=1, max_value=400),
        period_months=months,
    )
    def test_periods_tile_the_term(self, start, length_months, length_days, period_months):
        end = start + relativedelta(months=length_months, days=length_days) - timedelta(days=1)
        periods = billing_periods(start, end, period_months)
        self.assertEqual(periods[0][0], start)
        self.assertEqual(periods[-1][1], end)
        for index, (p_start, p_end, factor) in enumerate(periods):
            self.assertLessEqual(p_start, p_end, "no empty or negative period")
            self.assertEqual(p_start, period_anchor(start, period_months, index))
            self.assertGreater(factor, 0)
            self.assertLessEqual(factor, 1)
            if index:
                self.assertEqual(p_start, periods[index - 1][1] + timedelta(days=1))
            if index < len(periods) - 1:
                self.assertEqual(factor, 1, "only the last period may be cut short")

    @settings(max_examples=200, deadline=None)
    @given(
        start=starts,
        count=st.integers(min_value=1, max_value=40),
        period_months=months,
        cents=st.integers(min_value=0, max_value=10_000_000),
    )
    def test_whole_periods_are_billed_in_full(self, start, count, period_months, cents):
        price = cents / 100
        end = start + relativedelta(months=count * period_months) - timedelta(days=1)
        periods = billing_periods(start, end, period_months)
        self.assertEqual(len(periods), count)
        self.assertEqual({factor for _start, _end, factor in periods}, {1.0})
        billed = sum(round(price * factor, 2) for *_dates, factor in periods)
        self.assertAlmostEqual(billed, count * price, places=2)

    @settings(max_examples=200, deadline=None)
    @given(
        start=starts,
        length_days=st.integers(min_value=1, max_value=2000),
        offset=st.integers(min_value=0, max_value=1999),
        period_months=months,
    )
    def test_period_of_a_day_holds_it(self, start, length_days, offset, period_months):
        end = start + timedelta(days=length_days - 1)
        day = start + timedelta(days=offset % length_days)
        period = billing_period(start, end, period_months, day)
        self.assertLessEqual(period[0], day)
        self.assertGreaterEqual(period[1], day)
        self.assertIn(period, billing_periods(start, end, period_months))

    def test_periods_of_an_unsaved_contract(self):
        contract = self.env["after_sales.contract"].new(
            {
                "date_start": date(2026, 1, 31),
                "date_end": date(2027, 1, 30),
                "billing_period": "monthly",
            }
        )
        periods = contract._get_periods()
        self.assertEqual(len(periods), 12)
        self.assertEqual(
            [p[0] for p in periods[:4]],
            [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)],
        )
        self.assertEqual(periods[0][1], date(2026, 2, 27))


@tagged("post_install", "-at_install")
class TestContractPeriods(AfterSalesCommon):
    """A year of monthly invoices is 12 invoices, whatever day the contract starts."""

    def test_month_end_start_gives_twelve_invoices(self):
        for start in ("2026-01-29", "2026-01-30", "2026-01-31", "2028-02-29"):
            with self.subTest(start=start):
                contract = self._create_contract(start=start, months=12, price=100.0)
                contract.action_start()
                with freeze_time(contract.date_end + timedelta(days=2)):
                    self._run_cron("_cron_create_invoices")
                invoices = contract.invoice_ids.sorted("after_sales_period_start")
                self.assertEqual(len(invoices), 12)
                self.assertEqual(sum(invoices.mapped("amount_untaxed")), 1200.0)
                self.assertEqual(invoices[0].after_sales_period_start, contract.date_start)
                self.assertEqual(invoices[-1].after_sales_period_end, contract.date_end)
                self.assertFalse(contract.next_invoice_date)

    def test_periods_follow_the_original_start_day(self):
        contract = self._create_contract(start="2026-01-31", months=4, price=100.0)
        contract.action_start()
        with freeze_time("2026-06-01"):
            self._run_cron("_cron_create_invoices")
        invoices = contract.invoice_ids.sorted("after_sales_period_start")
        self.assertEqual(
            [(m.after_sales_period_start, m.after_sales_period_end) for m in invoices],
            [
                (date(2026, 1, 31), date(2026, 2, 27)),
                (date(2026, 2, 28), date(2026, 3, 30)),
                (date(2026, 3, 31), date(2026, 4, 29)),
                (date(2026, 4, 30), date(2026, 5, 30)),
            ],
        )
