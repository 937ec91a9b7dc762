from datetime import date
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.after_sales_service.models.after_sales_contract import AfterSalesContract

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestContractInvoicing(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls._create_equipment(delivery_date=date(2025, 1, 1))

    def _running(self, **vals):
        contract = self._create_contract(self.equipment, **vals)
        contract.action_start()
        return contract

    def _cron(self):
        self._run_cron("_cron_create_invoices")

    def test_each_period_invoiced_exactly_once(self):
        contract = self._running(start="2026-01-01", months=12, price=120.0)
        with freeze_time("2026-03-15"):
            self._cron()
            self._cron()  # re-run: nothing new
        invoices = contract.invoice_ids.sorted("after_sales_period_start")
        self.assertEqual(len(invoices), 3, "January, February and March are due on 15 March")
        self.assertEqual(
            invoices.mapped("after_sales_period_start"),
            [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
        )
        self.assertEqual(invoices[1].after_sales_period_end, date(2026, 2, 28))
        self.assertEqual(set(invoices.mapped("state")), {"draft"})
        self.assertEqual(set(invoices.mapped("move_type")), {"out_invoice"})
        self.assertEqual(invoices.partner_id, self.customer)
        self.assertEqual(invoices.invoice_line_ids.mapped("price_unit"), [120.0] * 3)
        self.assertEqual(invoices.invoice_line_ids.product_id, contract.product_id)
        self.assertIn(contract.name, invoices[0].invoice_line_ids.name)
        self.assertEqual(contract.next_invoice_date, date(2026, 4, 1))
        self.assertEqual(contract.invoice_count, 3)

    def test_last_period_is_prorated_and_ends_invoicing(self):
        contract = self._running(
            start="2026-01-01",
            date_end=date(2026, 4, 15),
            price=300.0,
            billing_period="quarterly",
        )
        with freeze_time("2026-06-01"):
            self._cron()
        first, last = contract.invoice_ids.sorted("after_sales_period_start")
        self.assertEqual(first.invoice_line_ids.price_unit, 300.0)
        self.assertEqual(
            (last.after_sales_period_start, last.after_sales_period_end),
            (date(2026, 4, 1), date(2026, 4, 15)),
        )
        # 15 of the 91 days of the quarter April-June
        self.assertAlmostEqual(last.invoice_line_ids.price_unit, round(300 * 15 / 91, 2))
        self.assertFalse(contract.next_invoice_date)

    def test_draft_and_future_contracts_are_not_invoiced(self):
        draft = self._create_contract(self.equipment, start="2026-01-01")
        future = self._running(start="2026-05-01")
        with freeze_time("2026-03-15"):
            self._cron()
        self.assertFalse(draft.invoice_ids)
        self.assertFalse(future.invoice_ids)

    def test_invoicing_a_period_twice_is_refused(self):
        contract = self._running(start="2026-01-01")
        contract._invoice_next_period()
        contract.next_invoice_date = date(2026, 1, 1)  # someone moves the date back
        moves = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "already invoiced"):
            contract.action_create_invoice()
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(contract.next_invoice_date, date(2026, 1, 1))

    def test_database_refuses_a_second_live_invoice_for_a_period(self):
        contract = self._running(start="2026-01-01")
        invoice = contract._invoice_next_period()
        vals = contract._prepare_invoice_vals(date(2026, 1, 1))
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation):
            self.env["account.move"].create(vals)
            self.env.flush_all()
        # a cancelled invoice frees the period
        invoice.button_cancel()
        self.env.flush_all()
        self.env["account.move"].create(vals)
        self.env.flush_all()

    def test_cron_skips_period_invoiced_by_another_worker(self):
        """The other worker committed the invoice; our copy of the contract is stale."""
        contract = self._running(start="2026-01-01")
        contract._invoice_next_period()
        contract.next_invoice_date = date(2026, 1, 1)
        with freeze_time("2026-01-20"):
            self._cron()
        self.assertEqual(len(contract.invoice_ids), 1)
        self.assertEqual(contract.next_invoice_date, date(2026, 2, 1))
        self.assertFalse(contract.activity_ids)

    def test_cron_skips_contracts_locked_by_another_worker(self):
        first = self._running(start="2026-01-01")
        second = self._running(start="2026-01-01")
        real_lock = AfterSalesContract.try_lock_for_update

        def lock_all_but_first(records, **kwargs):
            return real_lock(records - first, **kwargs)

        with (
            freeze_time("2026-01-20"),
            patch.object(AfterSalesContract, "try_lock_for_update", lock_all_but_first),
        ):
            self._cron()
        self.assertFalse(first.invoice_ids, "the other worker holds it")
        self.assertEqual(len(second.invoice_ids), 1)

    def test_one_bad_contract_does_not_stop_the_others(self):
        good = self._running(start="2026-01-01", user_id=self.service_user.id)
        bad = self._running(start="2026-01-01", user_id=self.service_user.id)
        real_prepare = AfterSalesContract._prepare_invoice_vals

        def prepare(contract, period_start):
            if contract == bad:
                raise UserError(contract.env._("No sales journal for this customer"))
            return real_prepare(contract, period_start)

        with (
            freeze_time("2026-02-10"),
            patch.object(AfterSalesContract, "_prepare_invoice_vals", prepare),
            mute_logger("odoo.addons.after_sales_service.models.after_sales_contract"),
        ):
            self._cron()
            self.assertEqual(len(good.invoice_ids), 2)
            self.assertFalse(bad.invoice_ids)
            self.assertEqual(bad.next_invoice_date, date(2026, 1, 1))
            self._cron()  # the next run: still failing, no second activity
        activity = bad.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.service_user)
        self.assertIn("No sales journal", activity.note)

    def test_query_count_per_invoice(self):
        """Batch invoicing: at most 8 queries per invoice (OCA contract: about 13),
        and each further invoice costs only a few more queries."""

        def invoice(count):
            contracts = self.env["after_sales.contract"]
            for _i in range(count):
                contracts |= self._create_contract(self.equipment, start="2026-01-01")
            contracts.action_start()
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            with freeze_time("2026-01-05"):
                self._cron()
            self.assertEqual(len(contracts.invoice_ids), count)
            return self.cr.sql_log_count - start

        invoice(2)  # warm-up: access rules and ORM caches
        self.assertLessEqual(invoice(20), 8 * 20)
        small, large = invoice(10), invoice(40)
        self.assertLessEqual((large - small) / 30, 4, "marginal queries per invoice")
