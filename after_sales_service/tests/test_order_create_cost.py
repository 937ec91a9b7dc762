from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestOrderCreateCost(AfterSalesCommon):
    """What creating an order costs in queries, one at a time and in a batch, and
    that the reliability facts an order's creation skips are never stale."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.equipment = cls._create_equipment(delivery_date=date(2025, 1, 1))
        cls.contract = cls._create_contract(cls.equipment, start="2026-01-01", months=36)
        cls.contract.action_start()
        cls.Order = cls.env["after_sales.order"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_notrack=True
        )

    def _plan_vals(self, plan, count, first=date(2026, 7, 1)):
        """The values of ``count`` orders of ``plan``, as its cron builds them."""
        return [
            plan._prepare_order_vals(first + timedelta(days=i), None, False) for i in range(count)
        ]

    def _order(self, unit, service_type, received, **vals):
        return self.Order.create(
            {
                "service_type_id": service_type.id,
                "partner_id": self.customer.id,
                "equipment_id": unit.id if unit else False,
                "date_received": received,
                **vals,
            }
        )

    def test_created_orders_leave_no_stale_fact(self):
        """A new order of any kind leaves every reliability fact as a full recompute of
        its unit would: the creations that skip the recompute (a plan's preventive
        orders, an order without a unit) change no fact."""
        plan = self._plan(service_type_id=self.type_preventive.id)
        first = self._order(self.equipment, self.type_corrective, datetime(2026, 6, 20, 10))
        with freeze_time(datetime(2026, 6, 21, 10)):
            first.action_start()
            first.action_done()
        self.assertEqual(first.kpi_fix_result, "held")
        self.assertFalse(first.kpi_repeat_visit)
        # a plan's orders within 30 days: no repeat visit, nothing recomputed
        self.Order.create(self._plan_vals(plan, 3))
        self.assertFalse(first.kpi_repeat_visit)
        # an order without a unit counts nowhere
        loose = self._order(False, self.type_corrective, datetime(2026, 6, 25))
        self.assertEqual(first.kpi_fix_result, "held")
        self.assertFalse(loose.kpi_free_days)
        units = self.equipment.ids
        self.assertEqual(self.env["after_sales.order"]._kpi_refresh_facts(units), 0)
        # an order not from a plan is a repeat visit; a corrective one a failed fix
        self._order(self.equipment, self.type_preventive, datetime(2026, 6, 28))
        self.assertTrue(first.kpi_repeat_visit)
        self.assertEqual(first.kpi_fix_result, "held")
        second = self._order(self.equipment, self.type_corrective, datetime(2026, 7, 10))
        self.assertEqual(first.kpi_fix_result, "failed")
        # done 2026-06-21 10:00, received again 2026-07-10 00:00
        self.assertAlmostEqual(second.kpi_free_days, 18 + 14 / 24, places=4)
        # a fact given at creation, in the values or as a default, is not kept
        forged = self.Order.create(
            {**self._plan_vals(plan, 1, date(2026, 8, 1))[0], "kpi_repeat_visit": True}
        )
        self.assertFalse(forged.kpi_repeat_visit)
        forged = self.Order.with_context(default_kpi_fix_result="held").create(
            self._plan_vals(plan, 1, date(2026, 8, 2))[0]
        )
        self.assertFalse(forged.kpi_fix_result)
        self.assertEqual(self.env["after_sales.order"]._kpi_refresh_facts(units), 0)

    def test_queries_to_create_plan_orders(self):
        """A plan's order is created with no query for the reliability facts (it
        changes none): 5 queries for one order, and 5 for a batch of 20 including the
        flush of their computed fields (one query per batch, not per order)."""
        plan = self._plan(service_type_id=self.type_preventive.id)
        vals_list = self._plan_vals(plan, 45)
        self.Order.create(vals_list[:2])  # warm-up: ORM caches, the company's sequence
        self.Order.create(vals_list[2])
        self.env.flush_all()
        with self.assertQueryCount(5):
            self.Order.create(vals_list[3])
        self.env.flush_all()
        with self.assertQueryCount(5):
            orders = self.Order.create(vals_list[4:24])
            self.env.flush_all()
        self.assertEqual(len(orders), 20)
        self.assertEqual(len(set(orders.mapped("name"))), 20)

    def test_queries_to_create_a_corrective_order(self):
        """A corrective order can change its unit's reliability facts: one statement
        recomputes them, per create call whatever the number of orders (7 queries for
        one order, 7 for a batch of 20 with the flush)."""
        self._order(self.equipment, self.type_corrective, datetime(2026, 6, 1))  # warm-up
        self.env.flush_all()
        with self.assertQueryCount(7):
            self._order(self.equipment, self.type_corrective, datetime(2026, 6, 2))
        self.env.flush_all()
        with self.assertQueryCount(7):
            orders = self.Order.create(
                [
                    {
                        "service_type_id": self.type_corrective.id,
                        "partner_id": self.customer.id,
                        "equipment_id": self.equipment.id,
                        "date_received": datetime(2026, 6, 3 + i),
                    }
                    for i in range(20)
                ]
            )
            self.env.flush_all()
        self.assertEqual(len(orders), 20)
