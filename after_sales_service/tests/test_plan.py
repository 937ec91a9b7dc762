from datetime import date, datetime
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestPlan(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mon-Fri 8-12, 13-17 in Amsterdam (UTC+1 in winter, UTC+2 in summer)
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Workshop", "tz": "Europe/Amsterdam", "company_id": cls.company.id}
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.equipment = cls._create_equipment(delivery_date=date(2024, 1, 1))
        cls.contract = cls._create_contract(cls.equipment, start="2026-01-01", months=36)
        cls.contract.action_start()
        cls.meter = cls.env.ref("after_sales_service.meter_operating_hours")

    def _dates(self, plan, date_from, date_to):
        return plan._occurrences(date(*date_from), date(*date_to))

    # ------------------------------------------------------------------
    # Recurrence
    # ------------------------------------------------------------------
    def test_monthly_on_the_31st_falls_on_the_last_day(self):
        plan = self._plan(date_start=date(2026, 1, 31))
        self.assertEqual(
            self._dates(plan, (2026, 1, 1), (2026, 5, 31)),
            [
                date(2026, 1, 31),
                date(2026, 2, 28),
                date(2026, 3, 31),
                date(2026, 4, 30),
                date(2026, 5, 31),
            ],
        )

    def test_leap_years(self):
        plan = self._plan(date_start=date(2028, 2, 29), interval_unit="year")
        self.assertEqual(
            self._dates(plan, (2028, 1, 1), (2032, 12, 31)),
            [
                date(2028, 2, 29),
                date(2029, 2, 28),
                date(2030, 2, 28),
                date(2031, 2, 28),
                date(2032, 2, 29),
            ],
        )
        monthly = self._plan(date_start=date(2028, 1, 30))
        self.assertEqual(self._dates(monthly, (2028, 2, 1), (2028, 2, 29)), [date(2028, 2, 29)])

    def test_weekly_on_weekdays_and_every_n(self):
        plan = self._plan(
            date_start=date(2026, 11, 2),
            interval_unit="week",
            interval_number=2,
            mon=True,
            thu=True,
        )
        self.assertEqual(
            self._dates(plan, (2026, 11, 1), (2026, 11, 30)),
            [
                date(2026, 11, 2),
                date(2026, 11, 5),
                date(2026, 11, 16),
                date(2026, 11, 19),
                date(2026, 11, 30),
            ],
        )
        every_10_days = self._plan(
            date_start=date(2026, 1, 1), interval_unit="day", interval_number=10
        )
        self.assertEqual(
            self._dates(every_10_days, (2026, 1, 1), (2026, 1, 31)),
            [date(2026, 1, 1), date(2026, 1, 11), date(2026, 1, 21), date(2026, 1, 31)],
        )

    def test_plan_dates_default_to_the_contract(self):
        plan = self._plan()
        self.assertEqual(plan.date_start, date(2026, 1, 1))
        self.assertEqual(plan.date_end, self.contract.date_end)
        self.assertEqual(plan.partner_id, self.customer)

    # ------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------
    @freeze_time("2026-12-20")
    def test_orders_inside_the_horizon_on_working_days(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "New Year",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 12, 31, 23, 0),
                "date_to": datetime(2027, 1, 1, 22, 59, 59),
            }
        )
        plan = self._plan(date_start=date(2026, 12, 1), horizon_days=45)
        self.assertEqual(plan.next_time_date, date(2027, 1, 1), "no order for the past")
        orders = plan._generate_orders(date(2026, 12, 20))
        self.assertEqual(orders.mapped("plan_date"), [date(2027, 1, 1), date(2027, 2, 1)])
        # 1 January is a holiday: Saturday 2, Sunday 3, so Monday 4 at 8:00 Amsterdam
        self.assertEqual(orders[0].planned_date_start, datetime(2027, 1, 4, 7, 0))
        self.assertEqual(orders[1].planned_date_start, datetime(2027, 2, 1, 7, 0))
        self.assertEqual(orders.service_type_id, self.type_preventive)
        self.assertEqual(orders.contract_id, self.contract)
        self.assertEqual(set(orders.mapped("coverage_source")), {"contract"})
        self.assertEqual(plan.next_time_date, date(2027, 3, 1))
        self.assertEqual(plan.next_generation_date, date(2027, 1, 15))
        # a re-run creates nothing
        self.assertFalse(plan._generate_orders(date(2026, 12, 20)))
        self.assertEqual(plan.order_count, 2)

    @freeze_time("2026-03-20")
    def test_dates_across_daylight_saving_time(self):
        plan = self._plan(date_start=date(2026, 3, 26), interval_unit="day", horizon_days=10)
        orders = plan._generate_orders(date(2026, 3, 20))
        starts = {o.plan_date: o.planned_date_start for o in orders}
        # Thursday 26 March: winter time (UTC+1); Monday 30 March: summer time (UTC+2)
        self.assertEqual(starts[date(2026, 3, 26)], datetime(2026, 3, 26, 7, 0))
        self.assertEqual(starts[date(2026, 3, 29)], datetime(2026, 3, 30, 6, 0), "Sunday → Monday")
        self.assertEqual(starts[date(2026, 3, 30)], datetime(2026, 3, 30, 6, 0))
        self.assertEqual(sorted(starts), [date(2026, 3, d) for d in range(26, 31)])

    def test_checklist_of_the_plan(self):
        template = self.env["after_sales.checklist.template"].create(
            {"name": "Descale", "line_ids": [(0, 0, {"name": "Descale boiler"})]}
        )
        plan = self._plan(checklist_template_id=template.id, horizon_days=40)
        with freeze_time("2026-06-01"):
            orders = plan._generate_orders(date(2026, 6, 1))
        self.assertTrue(orders)
        self.assertEqual(set(orders.task_ids.mapped("name")), {"Descale boiler"})

    def test_database_refuses_a_second_order_for_a_due_date(self):
        plan = self._plan(horizon_days=40)
        with freeze_time("2026-06-01"):
            order = plan._generate_orders(date(2026, 6, 1))[0]
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation):
            order.copy({"plan_id": plan.id, "plan_date": order.plan_date})
            self.env.flush_all()

    @freeze_time("2026-06-25")
    def test_cron_generates_due_plans_in_batches(self):
        plans = self.env["after_sales.plan"]
        for _i in range(5):
            plans |= self._plan(horizon_days=10)
        later = self._plan(date_start=date(2026, 9, 1))
        self.assertEqual(plans.mapped("next_generation_date"), [date(2026, 6, 21)] * 5)
        progress = []
        with self._patch_progress(progress):
            self.env["after_sales.plan"]._cron_generate_orders(batch_size=2)
        self.assertEqual(len(plans.order_ids), 5)
        self.assertFalse(later.order_ids)
        self.assertEqual([p for p, _r in progress], [2, 2, 1], "committed per batch")
        with self._patch_progress(progress):
            self.env["after_sales.plan"]._cron_generate_orders(batch_size=2)
        self.assertEqual(len(plans.order_ids), 5, "idempotent")

    def _patch_progress(self, calls):
        def progress(cron, processed=0, *, remaining=None, deactivate=False):
            calls.append((processed, remaining))
            return 60.0

        return patch.object(type(self.env["ir.cron"]), "_commit_progress", progress)

    @freeze_time("2026-06-01")
    def test_generate_now_button(self):
        plan = self._plan(horizon_days=20)
        action = plan.action_generate_now()
        self.assertEqual(len(plan.order_ids), 1)
        self.assertEqual(action["res_model"], "after_sales.order")
        with self.assertRaisesRegex(UserError, "No order falls due"):
            plan.action_generate_now()

    # ------------------------------------------------------------------
    # Usage
    # ------------------------------------------------------------------
    @freeze_time("2026-06-11")
    def test_usage_trigger_forecast_from_readings(self):
        plan = self._plan(
            is_time_based=False, meter_id=self.meter.id, usage_interval=500, horizon_days=7
        )
        self.assertFalse(plan.usage_forecast_date, "no readings, no forecast")
        self._read(datetime(2026, 6, 1, 10, 0), 100)
        self._read(datetime(2026, 6, 11, 10, 0), 300)  # 20 h a day
        # 500 h at day 10 + (500 - 300) / 20 = 21 June
        self.assertEqual(plan.usage_forecast_date, date(2026, 6, 21))
        self.assertEqual(plan.next_generation_date, date(2026, 6, 14))
        self.assertFalse(plan._generate_orders(date(2026, 6, 11)))

        self._read(datetime(2026, 6, 15, 10, 0), 520)  # used more than forecast
        orders = plan._generate_orders(date(2026, 6, 15))
        self.assertEqual(len(orders), 1)
        self.assertEqual(orders.plan_date, date(2026, 6, 15), "due today: 500 h reached")
        # the next cycle counts from the visit, not from the order's creation
        self.assertFalse(plan.usage_forecast_date, "the visit is pending")
        self.assertFalse(plan._generate_orders(date(2026, 6, 16)))
        self.assertEqual(plan.usage_baseline, 0)

    def test_lower_reading_is_refused(self):
        self._read(datetime(2026, 6, 1, 10, 0), 100)
        with self.assertRaisesRegex(ValidationError, "cannot be lower"):
            self._read(datetime(2026, 6, 2, 10, 0), 90)

    @freeze_time("2026-06-15")
    def test_whichever_comes_first(self):
        plan = self._plan(
            date_start=date(2026, 6, 1),
            meter_id=self.meter.id,
            usage_interval=500,
            horizon_days=20,
            tolerance_days=10,
        )
        self.assertEqual(plan.next_time_date, date(2026, 7, 1))
        self._read(datetime(2026, 6, 1, 10, 0), 0)
        self._read(datetime(2026, 6, 15, 10, 0), 350)  # 25 h a day: 500 h on 21 June
        self.assertEqual(plan.next_due_date, date(2026, 6, 21), "usage comes first")
        orders = plan._generate_orders(date(2026, 6, 15))
        # the calendar date of 1 July is within the tolerance: the same visit
        self.assertEqual(orders.mapped("plan_date"), [date(2026, 6, 21)])
        self.assertEqual(plan.next_time_date, date(2026, 8, 1))
        # with usage far away, the calendar comes first
        plan2 = self._plan(
            date_start=date(2026, 6, 1),
            meter_id=self.meter.id,
            usage_interval=5000,
            horizon_days=20,
        )
        self.assertEqual(plan2.next_due_date, date(2026, 7, 1))
        self.assertEqual(
            plan2._generate_orders(date(2026, 6, 15)).mapped("plan_date"), [date(2026, 7, 1)]
        )

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    def test_bad_schedules_are_refused(self):
        count = self.env["after_sales.plan"].search_count([])
        for vals, message in (
            ({"interval_number": 0}, "at least 1"),
            ({"interval_number": -2}, "at least 1"),
            ({"horizon_days": -1}, "cannot be negative"),
            ({"meter_id": self.meter.id, "usage_interval": 0}, "must be positive"),
            ({"is_time_based": False}, "recurrence, a usage meter"),
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message):
                self._plan(**vals)
        self.assertEqual(self.env["after_sales.plan"].search_count([]), count)

    def test_equipment_of_another_customer_than_the_contract(self):
        foreign = self._create_equipment(partner=self.other_customer)
        count = self.env["after_sales.plan"].search_count([])
        with self.assertRaisesRegex(ValidationError, "does not belong to"):
            self._plan(equipment_id=foreign.id)
        self.assertEqual(self.env["after_sales.plan"].search_count([]), count)

    # ------------------------------------------------------------------
    # Contract end
    # ------------------------------------------------------------------
    def test_ending_the_contract_stops_its_plans(self):
        contract = self._create_contract(self.equipment, start="2026-01-01", months=6)
        contract.action_start()
        plan = self._plan(contract_id=contract.id, horizon_days=90)
        self.assertEqual(plan.date_end, date(2026, 6, 30))
        with freeze_time("2026-05-01"):
            plan._generate_orders(date(2026, 5, 1))
            self.assertEqual(
                plan.order_ids.mapped("plan_date"), [date(2026, 5, 1), date(2026, 6, 1)]
            )
            contract.date_end = date(2026, 5, 20)  # shortened by agreement
        with freeze_time("2026-05-21"):
            self._run_cron("_cron_manage_terms")
        self.assertEqual(contract.state, "expired")
        self.assertFalse(plan.active)
        may, june = plan.with_context(active_test=False).order_ids.sorted("plan_date")
        self.assertEqual(may.state, "new")
        self.assertEqual(june.state, "cancelled")
        self.assertIn("ended on", june.message_ids[0].body)

    def test_renewal_carries_the_plans_on(self):
        contract = self._create_contract(
            self.equipment, start="2026-01-01", months=6, is_auto_renew=True
        )
        contract.action_start()
        plan = self._plan(contract_id=contract.id)
        with freeze_time("2026-07-01"):
            self._run_cron("_cron_manage_terms")
        self.assertTrue(plan.active)
        self.assertEqual(plan.contract_id, contract.next_contract_id)
        self.assertEqual(plan.date_end, date(2026, 12, 31))

    def test_cancelling_the_contract_cancels_future_orders(self):
        plan = self._plan(horizon_days=60)
        with freeze_time("2026-06-10"):
            orders = plan._generate_orders(date(2026, 6, 10))
            self.contract.action_cancel()
        self.assertFalse(plan.active)
        self.assertEqual(set(orders.mapped("state")), {"cancelled"})

    # ------------------------------------------------------------------
    # Performance
    # ------------------------------------------------------------------
    def test_queries_per_generated_order(self):
        """At most 3 queries per generated order (OCA maintenance_plan: about 15)."""

        @freeze_time("2026-06-25")
        def generate(count):
            plans = self.env["after_sales.plan"]
            for _i in range(count):
                plans |= self._plan(horizon_days=10)
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            with self._patch_progress([]):
                self.env["after_sales.plan"]._cron_generate_orders()
            self.assertEqual(len(plans.order_ids), count)
            return self.cr.sql_log_count - start

        generate(2)  # warm-up
        self.assertLessEqual(generate(60), 3 * 60)
