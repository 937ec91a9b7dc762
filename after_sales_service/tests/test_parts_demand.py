"""Spare-parts demand forecast: checked by hand on a small fleet.

Today is Wednesday 26 January 2028 (ISO week 4, Monday the 24th); 12 weeks run from
Monday 24 January to Sunday 16 April 2028, across 29 February 2028.

- plan A, monthly from 31 December 2027 (espresso unit): 31 Jan, 29 Feb, 31 Mar;
- plan B, every 6 weeks from Wednesday 5 January 2028 (same unit, parts from the
  van): 16 Feb, 29 Mar;
- plan C, usage only (dishwasher): 100 h on 27 Dec, 400 h on 26 Jan = 10 h a day;
  next service at 300 + 250 = 550 h: 10 Feb, then every 25 days: 6 Mar, 31 Mar;
- kits: preventive (any unit): 1 filter + 2 gaskets; preventive for dishwashers:
  1 drain hose; corrective: 1 pump;
- 10 espresso units delivered (plus one not delivered, one archived), failure rate
  365 per 1,000 a year: 10 x 0.365 x 7 / 365 = 0.07 pumps a week.
"""

from datetime import date, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.sql_db import db_connect
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models.after_sales_parts_demand import DEMAND_LOCK
from .common import AfterSalesCommon, call_kw

TODAY = "2028-01-26 10:00:00"
MONDAY = date(2028, 1, 24)


def week(month, day):
    """The Monday of the ISO week of a day of 2028."""
    day = date(2028, month, day)
    return day - timedelta(days=day.weekday())


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestPartsDemand(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.filter = Product.create({"name": "Water Filter", "is_storable": True})
        cls.gasket = Product.create({"name": "Gasket", "is_storable": True})
        cls.hose = Product.create({"name": "Drain Hose", "is_storable": True})
        cls.pump = Product.create({"name": "Pump", "is_storable": True})
        Kit = cls.env["after_sales.parts.kit"]
        cls.kit_preventive = Kit.create(
            {
                "name": "Preventive",
                "company_id": False,
                "service_type_id": cls.type_preventive.id,
                "line_ids": [
                    Command.create({"product_id": cls.filter.id, "quantity": 1}),
                    Command.create({"product_id": cls.gasket.id, "quantity": 2}),
                ],
            }
        )
        cls.kit_dishwasher = Kit.create(
            {
                "name": "Preventive dishwasher",
                "service_type_id": cls.type_preventive.id,
                "product_id": cls.dishwasher.id,
                "line_ids": [Command.create({"product_id": cls.hose.id, "quantity": 1})],
            }
        )
        cls.kit_corrective = Kit.create(
            {
                "name": "Repair",
                "service_type_id": cls.type_corrective.id,
                "line_ids": [Command.create({"product_id": cls.pump.id, "quantity": 1})],
            }
        )
        cls.espresso_unit = cls._create_equipment(delivery_date="2027-06-01")
        cls.dishwasher_unit = cls._create_equipment(
            product=cls.dishwasher, delivery_date="2027-06-01"
        )
        for _i in range(9):
            cls._create_equipment(delivery_date="2027-09-01")
        cls._create_equipment()  # not delivered
        cls._create_equipment(delivery_date="2027-09-01", active=False)
        cls.espresso.product_tmpl_id.after_sales_failure_rate = 365.0
        cls.van = cls.env["stock.location"].create(
            {"name": "Van 1", "usage": "internal", "location_id": cls.stock_location.id}
        )
        Plan = cls.env["after_sales.plan"]
        cls.plan_monthly = Plan.create(
            {
                "name": "A monthly on the 31st",
                "equipment_id": cls.espresso_unit.id,
                "service_type_id": cls.type_preventive.id,
                "date_start": "2027-12-31",
                "interval_number": 1,
                "interval_unit": "month",
            }
        )
        cls.plan_six_weeks = Plan.create(
            {
                "name": "B every 6 weeks",
                "equipment_id": cls.espresso_unit.id,
                "service_type_id": cls.type_preventive.id,
                "date_start": "2028-01-05",
                "interval_number": 6,
                "interval_unit": "week",
                "parts_location_id": cls.van.id,
            }
        )
        cls.meter = cls.env.ref("after_sales_service.meter_operating_hours")
        Reading = cls.env["after_sales.meter.reading"]
        for when, value in (("2027-12-27 00:00:00", 100.0), ("2028-01-26 00:00:00", 400.0)):
            Reading.create(
                {
                    "equipment_id": cls.dishwasher_unit.id,
                    "meter_id": cls.meter.id,
                    "date": when,
                    "value": value,
                }
            )
        cls.plan_usage = Plan.create(
            {
                "name": "C every 250 h",
                "equipment_id": cls.dishwasher_unit.id,
                "service_type_id": cls.type_preventive.id,
                "date_start": "2027-12-01",
                "is_time_based": False,
                "meter_id": cls.meter.id,
                "usage_interval": 250.0,
                "usage_baseline": 300.0,
            }
        )
        cls.Demand = cls.env["after_sales.parts.demand"]

    def _expected(self):
        stock, van = self.stock_location.id, self.van.id
        expected = {}

        def add(product, location, monday, planned=0.0, corrective=0.0):
            key = (product.id, location, monday)
            old = expected.get(key, (0.0, 0.0))
            expected[key] = (old[0] + planned, old[1] + corrective)

        for location, day in (
            (stock, (1, 31)),
            (stock, (2, 29)),
            (stock, (3, 31)),
            (van, (2, 16)),
            (van, (3, 29)),
        ):
            add(self.filter, location, week(*day), planned=1)
            add(self.gasket, location, week(*day), planned=2)
        for day in ((2, 10), (3, 6), (3, 31)):
            add(self.hose, stock, week(*day), planned=1)
        for index in range(12):
            add(self.pump, stock, MONDAY + timedelta(weeks=index), corrective=0.07)
        return expected

    def _demand(self, company=None):
        rows = self.Demand.search([("company_id", "=", (company or self.company).id)])
        return {
            (row.product_id.id, row.location_id.id, row.week_date): (
                round(row.qty_planned, 6),
                round(row.qty_corrective, 6),
            )
            for row in rows
        }

    def _regenerate(self, **kwargs):
        return self.Demand._regenerate(self.company, 12, today=date(2028, 1, 26), **kwargs)

    # ------------------------------------------------------------------
    # The forecast
    # ------------------------------------------------------------------
    def test_forecast_by_hand(self):
        self.assertEqual(
            self.plan_monthly._occurrences(date(2028, 1, 26), date(2028, 4, 16)),
            [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)],
        )
        self._regenerate()
        self.assertEqual(self._demand(), self._expected())
        rows = self.Demand.search([("company_id", "=", self.company.id)])
        self.assertEqual(set(rows.mapped("date_computed")), {date(2028, 1, 26)})
        leap = rows.filtered(lambda row: row.week_date == date(2028, 2, 28))
        self.assertEqual(set(leap.mapped("week_name")), {"2028-W09"})
        self.assertAlmostEqual(sum(rows.mapped("qty_total")), 5 * 3 + 3 + 0.84)

    def test_regenerate_replaces_and_follows_the_plans(self):
        self._regenerate()
        self.plan_six_weeks.active = False
        self.plan_usage.usage_interval = 1000.0  # 1,300 h: 26 April, after the horizon
        self._regenerate()
        demand = self._demand()
        self.assertNotIn((self.hose.id, self.stock_location.id, week(2, 10)), demand)
        self.assertFalse([key for key in demand if key[1] == self.van.id])
        self.assertEqual(demand[(self.filter.id, self.stock_location.id, week(1, 31))], (1, 0))

    def test_open_usage_order_waits(self):
        """While a usage visit is open, the meter asks for nothing more."""
        self.env["after_sales.order"].create(
            {
                "partner_id": self.customer.id,
                "equipment_id": self.dishwasher_unit.id,
                "service_type_id": self.type_preventive.id,
                "plan_id": self.plan_usage.id,
                "is_usage_triggered": True,
            }
        )
        self._regenerate()
        self.assertFalse([key for key in self._demand() if key[0] == self.hose.id])

    def test_plan_of_a_unit_sold_on_makes_no_demand(self):
        # resold: the unit's owner is no longer the plan's customer
        self.dishwasher_unit.partner_id = self.other_customer
        self.assertFalse(self.plan_usage._serves_unit_owner())
        self._regenerate()
        self.assertFalse([key for key in self._demand() if key[0] == self.hose.id])

    def test_other_company_not_counted(self):
        other = self.env["res.company"].create({"name": "Parts Other Co"})
        self.env["after_sales.plan"].create(
            {
                "name": "Other company weekly",
                "company_id": other.id,
                "service_type_id": self.type_preventive.id,
                "date_start": "2028-01-01",
                "interval_number": 1,
                "interval_unit": "week",
            }
        )
        self._regenerate()
        self.assertEqual(self._demand(), self._expected())
        self.Demand._regenerate(other, 12, today=date(2028, 1, 26))
        other_stock = (
            self.env["stock.warehouse"].search([("company_id", "=", other.id)]).lot_stock_id
        )
        other_demand = self._demand(other)
        # 12 Mondays from 24 January (the kit is shared), none in the first company's
        self.assertEqual(len(other_demand), 2 * 12)
        self.assertEqual({key[1] for key in other_demand}, {other_stock.id})
        self.assertEqual(self._demand(), self._expected(), "untouched by the other's run")
        # a user of the first company does not see the other's demand
        self.assertFalse(
            self.Demand.with_user(self.service_manager).search([("company_id", "=", other.id)])
        )

    def test_most_specific_kit(self):
        checklist = self._create_checklist(self.type_preventive, ("Descale", 10, True))
        self.env["after_sales.parts.kit"].create(
            {
                "name": "Descaling",
                "checklist_template_id": checklist.id,
                "line_ids": [Command.create({"product_id": self.pump.id, "quantity": 3})],
            }
        )
        self.plan_monthly.checklist_template_id = checklist
        self._regenerate()
        demand = self._demand()
        self.assertEqual(demand[(self.pump.id, self.stock_location.id, week(2, 29))], (3, 0.07))
        self.assertEqual(demand[(self.filter.id, self.van.id, week(2, 16))], (1, 0))
        self.assertNotIn((self.filter.id, self.stock_location.id, week(1, 31)), demand)

    def test_other_company_records_refused(self):
        other = self.env["res.company"].create({"name": "Parts Refused Co"})
        foreign_part = self.env["product.product"].create(
            {"name": "Their Part", "is_storable": True, "company_id": other.id}
        )
        foreign_stock = (
            self.env["stock.warehouse"].search([("company_id", "=", other.id)]).lot_stock_id
        )
        Kit = self.env["after_sales.parts.kit"]
        with self.assertRaisesRegex(UserError, "[Cc]ompan"):
            Kit.create(
                {
                    "name": "Mixed",
                    "service_type_id": self.type_preventive.id,
                    "line_ids": [Command.create({"product_id": foreign_part.id})],
                }
            )
        self.assertFalse(Kit.search([("name", "=", "Mixed")]))
        with self.assertRaisesRegex(UserError, "[Cc]ompan"):
            self.plan_monthly.parts_location_id = foreign_stock
        self.assertFalse(self.plan_monthly.parts_location_id)

    def test_kit_needs_a_scope(self):
        with self.assertRaisesRegex(ValidationError, "needs a service type"):
            self.env["after_sales.parts.kit"].create({"name": "Nothing"})
        self.assertFalse(self.env["after_sales.parts.kit"].search([("name", "=", "Nothing")]))

    # ------------------------------------------------------------------
    # Substitutes
    # ------------------------------------------------------------------
    def test_substitute_replaces_obsolete_part(self):
        old_filter = self.env["product.product"].create(
            {"name": "Filter (discontinued)", "is_storable": True}
        )
        new_filter = self.env["product.product"].create(
            {"name": "Filter Mk II", "is_storable": True}
        )
        self.filter.after_sales_substitute_ids = [
            Command.create({"substitute_id": old_filter.id, "sequence": 1}),
            Command.create({"substitute_id": new_filter.id, "sequence": 2}),
        ]
        # the first substitute became obsolete later: skipped
        old_filter.after_sales_obsolete = True
        self.filter.after_sales_obsolete = True
        self._regenerate()
        demand = self._demand()
        self.assertFalse([key for key in demand if key[0] in (self.filter.id, old_filter.id)])
        self.assertEqual(demand[(new_filter.id, self.van.id, week(3, 29))], (1, 0))
        self.assertEqual(
            sum(planned for key, (planned, _c) in demand.items() if key[0] == new_filter.id), 5
        )
        # archived works the same
        self.filter.after_sales_obsolete = False
        self.gasket.after_sales_substitute_ids = [Command.create({"substitute_id": new_filter.id})]
        self.gasket.active = False
        self._regenerate()
        demand = self._demand()
        self.assertEqual(demand[(new_filter.id, self.van.id, week(3, 29))], (2, 0))
        self.assertEqual(demand[(self.filter.id, self.van.id, week(3, 29))], (1, 0))

    def test_successor_after_the_substitutes(self):
        """No usable substitute: the part's end-of-life successor takes its demand."""
        successor = self.env["product.product"].create(
            {"name": "Filter Successor", "is_storable": True}
        )
        gone = self.env["product.product"].create({"name": "Filter Gone", "is_storable": True})
        self.filter.write(
            {
                "after_sales_substitute_ids": [Command.create({"substitute_id": gone.id})],
                "after_sales_successor_id": successor.id,
            }
        )
        gone.active = False
        self.filter.after_sales_obsolete = True
        self._regenerate()
        demand = self._demand()
        self.assertEqual(demand[(successor.id, self.van.id, week(2, 14))], (1, 0))
        self.assertFalse([key for key in demand if key[0] in (self.filter.id, gone.id)])

    def test_obsolete_part_without_usable_substitute_keeps_its_demand(self):
        self.filter.after_sales_obsolete = True
        self._regenerate()
        self.assertEqual(self._demand(), self._expected())

    def test_obsolete_substitute_refused(self):
        obsolete = self.env["product.product"].create(
            {"name": "Obsolete Filter", "is_storable": True, "after_sales_obsolete": True}
        )
        with self.assertRaisesRegex(ValidationError, "obsolete or archived"):
            self.filter.after_sales_substitute_ids = [
                Command.create({"substitute_id": obsolete.id})
            ]
        with self.assertRaisesRegex(ValidationError, "its own substitute"):
            self.filter.after_sales_substitute_ids = [
                Command.create({"substitute_id": self.filter.id})
            ]
        self.assertFalse(self.filter.after_sales_substitute_ids)

    # ------------------------------------------------------------------
    # Reordering rules
    # ------------------------------------------------------------------
    def test_orderpoints_created_once(self):
        self._regenerate()
        Orderpoint = self.env["stock.warehouse.orderpoint"].with_context(active_test=False)
        # a rule someone made: raised, never lowered
        manual = Orderpoint.create(
            {
                "product_id": self.gasket.id,
                "location_id": self.stock_location.id,
                "product_min_qty": 2,
                "product_max_qty": 4,
            }
        )
        high = Orderpoint.create(
            {
                "product_id": self.hose.id,
                "location_id": self.stock_location.id,
                "product_min_qty": 50,
                "product_max_qty": 60,
            }
        )
        self.Demand.action_update_orderpoints()
        points = Orderpoint.search(
            [("product_id", "in", (self.filter | self.gasket | self.hose | self.pump).ids)]
        )
        self.assertEqual(len(points), 6)  # filter, gasket at stock and van; hose; pump
        values = {
            (p.product_id, p.location_id): (p.product_min_qty, p.product_max_qty, p.trigger)
            for p in points
        }
        self.assertEqual(values[self.filter, self.stock_location], (3, 3, "manual"))
        self.assertEqual(values[self.filter, self.van], (2, 2, "manual"))
        self.assertEqual(values[self.gasket, self.stock_location], (6, 6, "auto"))
        self.assertEqual(values[self.hose, self.stock_location], (50, 60, "auto"))
        self.assertEqual(values[self.pump, self.stock_location], (1, 1, "manual"))  # 0.84 up
        self.assertEqual(manual.after_sales_demand_qty, 6)
        self.assertTrue(high.active)
        # twice: nothing new, nothing changed
        self.Demand.action_update_orderpoints()
        self.assertEqual(
            Orderpoint.search(
                [("product_id", "in", (self.filter | self.gasket | self.hose | self.pump).ids)]
            ),
            points,
        )
        # the demand drops: our rules follow it, the manual one keeps its minimum
        self.plan_six_weeks.active = False
        self.plan_monthly.active = False
        self._regenerate()
        self.Demand.action_update_orderpoints()
        van_filter = points.filtered(
            lambda p: p.location_id == self.van and p.product_id == self.filter
        )
        self.assertEqual(van_filter.product_min_qty, 0)
        self.assertEqual(manual.product_min_qty, 6)

    def test_orderpoints_refused_without_stock_rights(self):
        self._regenerate()
        with self.assertRaisesRegex(AccessError, "inventory administrators"):
            self.Demand.with_user(self.service_manager).action_update_orderpoints()
        self.assertFalse(
            self.env["stock.warehouse.orderpoint"].search([("product_id", "=", self.filter.id)])
        )

    # ------------------------------------------------------------------
    # Regeneration: rights, concurrency, cron
    # ------------------------------------------------------------------
    def test_wizard_regenerates_for_managers_only(self):
        wizard = self.env["after_sales.parts.demand.generate"].with_user(self.service_manager)
        wizard.create({"weeks": 12}).action_generate()
        self.assertEqual(self._demand(), self._expected())
        for user in (self.service_user, self.technician):
            with self.assertRaises(AccessError):
                self.Demand.with_user(user).action_regenerate(4)
        with self.assertRaisesRegex(UserError, "at least one week"):
            self.Demand.with_user(self.service_manager).action_regenerate(0)
        self.assertEqual(self._demand(), self._expected(), "nothing rewritten")
        # technicians read it
        self.assertTrue(self.Demand.with_user(self.technician).search_count([]))

    def test_second_run_at_once_skips_the_company(self):
        """Another transaction regenerating the company holds its lock: a second
        run skips it (the cron) or says so (the button), and writes nothing."""
        with db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DEMAND_LOCK, self.company.id])
            self.assertFalse(self._regenerate())
            with self.assertRaisesRegex(UserError, "another run"):
                self.Demand.with_user(self.service_manager).action_regenerate(12)
            other.rollback()
        self.assertFalse(self._demand())
        self.assertEqual(self._regenerate(), self.company)

    def test_cron_goes_on_after_a_broken_plan(self):
        Demand = type(self.Demand)
        original = Demand._parts_demand_rows
        broken = self.plan_six_weeks

        def rows(model, companies, today, weeks, plan_ids=None, planned=True, corrective=True):
            if plan_ids is not None and broken.id in plan_ids:
                raise ValueError("the kit of this plan is broken")
            return original(model, companies, today, weeks, plan_ids, planned, corrective)

        with (
            patch.object(Demand, "_parts_demand_rows", rows),
            patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0),
        ):
            self.Demand._cron_regenerate(batch_size=2)
        expected = {key: value for key, value in self._expected().items() if key[1] != self.van.id}
        self.assertEqual(self._demand(), expected)
        activity = broken.activity_ids.filtered(
            lambda activity: activity.summary == "Parts demand not forecast"
        )
        self.assertEqual(len(activity), 1)
        self.assertIn("the kit of this plan is broken", activity.note)
        self.assertFalse(self.plan_monthly.activity_ids)
        # a second run the same day leaves the company alone
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0):
            self.Demand._cron_regenerate(batch_size=2)
        self.assertEqual(self._demand(), expected)

    def test_query_count_independent_of_plans(self):
        Plan = self.env["after_sales.plan"]

        def add_plans(count):
            Plan.create(
                [
                    {
                        "name": f"Extra {i}",
                        "equipment_id": self.espresso_unit.id,
                        "service_type_id": self.type_preventive.id,
                        "date_start": "2028-01-03",
                        "interval_number": 1 + i % 3,
                        "interval_unit": ("week", "month", "day")[i % 3],
                    }
                    for i in range(count)
                ]
            )

        for size in (5, 50):
            add_plans(size)
            self._regenerate()  # same rows before each measure
            self.env.invalidate_all()
            with self.assertQueryCount(18):
                self._regenerate()
                self.env.flush_all()
        self.assertTrue(self._demand())


any_start = st.one_of(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 6, 30)),
    st.builds(
        lambda year, month, day: date(year, month, 1) + relativedelta(day=day),
        st.integers(2026, 2028),
        st.integers(1, 12),
        st.integers(28, 31),
    ),
)


@tagged("post_install", "-at_install")
class TestPartsDemandRecurrence(AfterSalesCommon):
    """The SQL occurrences (``generate_series``) are the plan's own recurrence
    (``dateutil.rrule``), for any start, unit, interval and weekdays."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.part = cls.env["product.product"].create({"name": "Part", "is_storable": True})
        cls.env["after_sales.parts.kit"].create(
            {
                "name": "Any preventive visit",
                "service_type_id": cls.type_preventive.id,
                "line_ids": [Command.create({"product_id": cls.part.id, "quantity": 1})],
            }
        )

    @settings(max_examples=60, deadline=None)
    @given(
        start=any_start,
        unit=st.sampled_from(["day", "week", "month", "year"]),
        interval=st.integers(1, 8),
        weekdays=st.sets(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])),
    )
    def test_sql_occurrences_are_the_plans(self, start, unit, interval, weekdays):
        plan = self.env["after_sales.plan"].create(
            {
                "name": "Property",
                "service_type_id": self.type_preventive.id,
                "date_start": start,
                "interval_unit": unit,
                "interval_number": interval,
                **dict.fromkeys(weekdays, True),
            }
        )
        today = date(2028, 1, 26)
        Demand = self.env["after_sales.parts.demand"]
        _monday, last_day = Demand._forecast_window(today, 30)
        rows = Demand._parts_demand_rows(
            self.company, today, 30, plan_ids=[plan.id], corrective=False
        )
        ours = {row[3]: row[4] for row in rows}
        expected = {}
        for day in plan._occurrences(max(start, today), last_day):
            monday = day - timedelta(days=day.weekday())
            expected[monday] = expected.get(monday, 0.0) + 1.0
        self.assertEqual(ours, expected)


@tagged("post_install", "-at_install")
class TestPartsDemandRpc(AfterSalesCommon, HttpCase):
    """The rights, through the JSON-RPC endpoint the web client uses."""

    def rpc(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, user.login)
        return call_kw(self, model, method, *args, **kwargs)

    def assertDenied(self, user, model, method, *args, **kwargs):  # noqa: N802
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as context:
            self.rpc(user, model, method, *args, **kwargs)
        self.assertEqual(context.exception.args[0], "odoo.exceptions.AccessError")

    def test_roles_over_rpc(self):
        part = self.env["product.product"].create({"name": "Part", "is_storable": True})
        kit = {
            "name": "Kit",
            "service_type_id": self.type_preventive.id,
            "line_ids": [Command.create({"product_id": part.id, "quantity": 1})],
        }
        Demand = "after_sales.parts.demand"
        for user in (self.technician, self.service_user):
            self.assertDenied(user, Demand, "action_regenerate", 12)
            self.assertDenied(user, "after_sales.parts.kit", "create", [kit])
            self.assertDenied(user, Demand, "action_update_orderpoints", [])
            self.assertEqual(self.rpc(user, Demand, "search_read", [], ["qty_total"]), [])
        kit_ids = self.rpc(self.service_manager, "after_sales.parts.kit", "create", [kit])
        self.assertEqual(len(kit_ids), 1)
        self.env["after_sales.plan"].create(
            {
                "name": "Weekly",
                "service_type_id": self.type_preventive.id,
                "interval_number": 1,
                "interval_unit": "week",
            }
        )
        self.rpc(self.service_manager, Demand, "action_regenerate", 4)
        self.assertTrue(self.rpc(self.technician, Demand, "search_read", [], ["qty_total"]))
        # the rows are the forecast's: nobody edits them
        demand_ids = self.env[Demand].search([]).ids
        self.assertDenied(self.service_manager, Demand, "write", demand_ids, {"qty_planned": 9})
        self.assertDenied(self.service_manager, Demand, "unlink", demand_ids)
        # reordering rules: a stock matter
        self.assertDenied(self.service_manager, Demand, "action_update_orderpoints", [])
        self.assertFalse(
            self.env["stock.warehouse.orderpoint"].search([("product_id", "=", part.id)])
        )
