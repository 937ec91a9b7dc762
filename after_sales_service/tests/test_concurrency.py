"""Two cron workers at once, in real, separate transactions.

These tests commit (each ``with registry.cursor()`` block does): they build their data in committed transactions of the test
database, run two workers in two threads, check, and delete what they made.
"""

import threading
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields
from odoo.api import SUPERUSER_ID
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

WORKERS = 2


@tagged("post_install", "-at_install")
class TestTwoWorkers(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _setup(self, build):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            records = build(env)
            # leaving the cursor's block commits
            return {model: recs.ids for model, recs in records.items()}

    def _cleanup(self, ids_by_model):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            for model, ids in ids_by_model.items():
                env[model].browse(ids).exists().with_context(active_test=False).unlink()

    def _run_twice_at_once(self, method_name, **kwargs):
        """Run ``method_name`` in two workers that start at the same moment."""
        barrier = threading.Barrier(WORKERS)
        errors = []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    model = env[
                        "after_sales.contract" if "invoice" in method_name else "after_sales.plan"
                    ]
                    barrier.wait(timeout=30)
                    getattr(model, method_name)(**kwargs)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        threads = [threading.Thread(target=worker) for _i in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        return errors

    def _customer_and_unit(self, env):
        partner = env["res.partner"].create({"name": "Concurrency customer", "is_company": True})
        product = env["product.product"].create({"name": "Concurrency unit", "type": "consu"})
        equipment = env["after_sales.equipment"].create(
            {"product_id": product.id, "partner_id": partner.id}
        )
        return partner, product, equipment

    def test_invoicing_cron_twice_at_once(self):
        """Each due period is invoiced exactly once, and neither worker fails."""
        today = fields.Date.today()

        def build(env):
            partner, product, equipment = self._customer_and_unit(env)
            contracts = env["after_sales.contract"].create(
                [
                    {
                        "partner_id": partner.id,
                        "equipment_ids": [Command.set(equipment.ids)],
                        "date_start": today - relativedelta(months=2),
                        "date_end": today + relativedelta(months=10),
                        "price": 10.0,
                    }
                    for _i in range(30)
                ]
            )
            contracts.action_start()
            return {
                "after_sales.contract": contracts,
                "after_sales.equipment": equipment,
                "product.product": product,
                "res.partner": partner,
            }

        ids = self._setup(build)
        try:
            errors = self._run_twice_at_once("_cron_create_invoices", batch_size=5)
            self.assertEqual(errors, [])
            with self.registry.cursor() as cr:
                env = self._env(cr)
                moves = env["account.move"].search(
                    [("after_sales_contract_id", "in", ids["after_sales.contract"])]
                )
                keys = [(m.after_sales_contract_id.id, m.after_sales_period_start) for m in moves]
                self.assertEqual(len(keys), len(set(keys)), "no period invoiced twice")
                self.assertEqual(len(moves), 30 * 3, "three periods due per contract")
                ids["account.move"] = moves.ids
        finally:
            ids = {"account.move": ids.pop("account.move", []), **ids}
            self._cleanup(ids)

    def test_plan_cron_twice_at_once(self):
        """Each due date gets exactly one order, and neither worker fails."""
        today = fields.Date.today()

        def build(env):
            partner, product, equipment = self._customer_and_unit(env)
            plans = env["after_sales.plan"].create(
                [
                    {
                        "name": f"Concurrency plan {i}",
                        "equipment_id": equipment.id,
                        "date_start": today + timedelta(days=1),
                        "interval_number": 1,
                        "interval_unit": "week",
                        "horizon_days": 20,
                    }
                    for i in range(40)
                ]
            )
            return {
                "after_sales.plan": plans,
                "after_sales.equipment": equipment,
                "product.product": product,
                "res.partner": partner,
            }

        ids = self._setup(build)
        try:
            errors = self._run_twice_at_once("_cron_generate_orders", batch_size=7)
            self.assertEqual(errors, [])
            with self.registry.cursor() as cr:
                env = self._env(cr)
                orders = env["after_sales.order"].search(
                    [("plan_id", "in", ids["after_sales.plan"])]
                )
                keys = [(o.plan_id.id, o.plan_date) for o in orders]
                self.assertEqual(len(keys), len(set(keys)), "no due date twice")
                # weekly from tomorrow, 20 days ahead: 3 dates per plan
                self.assertEqual(len(orders), 40 * 3)
                ids["after_sales.order"] = orders.ids
        finally:
            ids = {"after_sales.order": ids.pop("after_sales.order", []), **ids}
            self._cleanup(ids)
