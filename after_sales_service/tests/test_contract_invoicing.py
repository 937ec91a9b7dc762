from datetime import date
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, format_date, mute_logger

from odoo.addons.after_sales_service.models.after_sales_contract import AfterSalesContract

from .common import AfterSalesCommon


class ContractInvoicingCommon(AfterSalesCommon):
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


@tagged("post_install", "-at_install")
class TestContractInvoicing(ContractInvoicingCommon):
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


@tagged("post_install", "-at_install")
class TestContractInvoicingRules(ContractInvoicingCommon):
    """Periods freed by cancelled invoices, free contracts, end dates, cancellation."""

    def _moves(self):
        return self.env["account.move"].search_count([])

    def _invoice_quarter(self, **vals):
        """A monthly contract from 1 January 2026, invoiced for January to March."""
        contract = self._running(start="2026-01-01", months=12, price=100.0, **vals)
        with freeze_time("2026-03-10"):
            self._cron()
        return contract, contract.invoice_ids.sorted("after_sales_period_start")

    def test_cancelled_invoice_period_is_billed_again(self):
        contract, (_jan, feb, _mar) = self._invoice_quarter()
        feb.action_post()
        feb.button_cancel()
        self.assertEqual(contract.next_invoice_date, date(2026, 2, 1))
        with freeze_time("2026-03-10"):
            self._cron()
        live = contract.invoice_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(
            sorted(live.mapped("after_sales_period_start")),
            [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)],
        )
        self.assertEqual(len(contract.invoice_ids), 4)
        self.assertEqual(contract.next_invoice_date, date(2026, 4, 1))

    def test_deleted_draft_invoice_period_is_billed_again(self):
        contract, (jan, _feb, _mar) = self._invoice_quarter()
        jan.unlink()
        self.assertEqual(contract.next_invoice_date, date(2026, 1, 1))
        with freeze_time("2026-03-10"):
            contract.action_create_invoice()
        self.assertEqual(len(contract.invoice_ids), 3)
        self.assertEqual(contract.next_invoice_date, date(2026, 4, 1), "Feb and Mar are billed")

    def test_cancelled_invoice_reset_to_draft_takes_its_period_back(self):
        contract, (_jan, _feb, mar) = self._invoice_quarter()
        mar.button_cancel()
        self.assertEqual(contract.next_invoice_date, date(2026, 3, 1))
        mar.button_draft()
        self.assertEqual(contract.next_invoice_date, date(2026, 4, 1))

    def test_free_contract_is_not_invoiced(self):
        contract = self._running(start="2026-01-01", price=0.0)
        with freeze_time("2026-03-10"):
            self._cron()
        self.assertFalse(contract.invoice_ids)
        moves = self._moves()
        with freeze_time("2026-03-10"), self.assertRaisesRegex(UserError, "no price"):
            contract.action_create_invoice()
        self.assertEqual(self._moves(), moves)
        self.assertEqual(contract.next_invoice_date, date(2026, 1, 1))

    def test_end_date_cannot_cut_an_invoiced_period(self):
        contract, _invoices = self._invoice_quarter()
        with self.assertRaisesRegex(ValidationError, "invoiced until"):
            contract.date_end = date(2026, 3, 15)
        self.assertEqual(contract.date_end, date(2026, 12, 31))
        self.assertEqual(contract.next_invoice_date, date(2026, 4, 1))
        contract.date_end = date(2026, 3, 31)  # agreed: the contract ends with March
        self.assertFalse(contract.next_invoice_date)

    def test_a_cancelled_invoice_does_not_hold_the_end_date(self):
        contract, (_jan, _feb, mar) = self._invoice_quarter()
        mar.button_cancel()
        contract.date_end = date(2026, 3, 15)
        self.assertEqual(contract.next_invoice_date, date(2026, 3, 1))
        with freeze_time("2026-03-20"):
            contract.action_create_invoice()
        last = contract.invoice_ids.filtered(lambda m: m.state == "draft")[-1:]
        self.assertEqual(last.after_sales_period_end, date(2026, 3, 15))
        self.assertAlmostEqual(last.amount_untaxed, round(100.0 * 15 / 31, 2))
        self.assertFalse(contract.next_invoice_date)

    def test_database_refuses_impossible_terms(self):
        contract = self._running(start="2026-01-01")
        for column, value in (
            ("date_end", "2025-12-31"),
            ("price", -1),
            ("parts_pct", 101),
            ("labour_pct", -1),
            ("travel_pct", 150),
            ("notice_days", -1),
            ("reminder_days", -5),
        ):
            with (
                self.subTest(column=column),
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.CheckViolation),
            ):
                self.env.cr.execute(
                    SQL(
                        "UPDATE after_sales_contract SET %s = %s WHERE id = %s",
                        SQL.identifier(column),
                        value,
                        contract.id,
                    )
                )
        self.env.invalidate_all()
        self.assertEqual(contract.date_end, date(2026, 12, 31))
        self.assertEqual(contract.price, 100.0)

    def test_extending_a_fully_invoiced_contract_resumes_invoicing(self):
        contract = self._running(start="2026-01-01", months=3, price=100.0)
        with freeze_time("2026-04-10"):
            self._cron()
        self.assertEqual(len(contract.invoice_ids), 3)
        self.assertFalse(contract.next_invoice_date)
        contract.date_end = date(2026, 6, 30)
        self.assertEqual(contract.next_invoice_date, date(2026, 4, 1))
        with freeze_time("2026-04-10"):
            self._cron()
        self.assertEqual(len(contract.invoice_ids), 4)

    def test_invoice_carries_its_service_period(self):
        contract = self._running(start="2026-01-15", price=100.0)
        with freeze_time("2026-02-20"):
            self._cron()
        second = contract.invoice_ids.sorted("after_sales_period_start")[1]
        self.assertEqual(second.invoice_date, date(2026, 2, 15))
        line = second.invoice_line_ids
        self.assertEqual(
            (line.after_sales_period_start, line.after_sales_period_end),
            (date(2026, 2, 15), date(2026, 3, 14)),
        )
        self.assertIn(format_date(self.env, date(2026, 3, 14)), line.name)

    def test_invoice_uses_odoo_default_sales_journal(self):
        contract = self._running(start="2026-01-01")
        with freeze_time("2026-01-10"):
            self._cron()
        default = self.env["account.move"].new({"move_type": "out_invoice"})
        self.assertEqual(contract.invoice_ids.journal_id, default.journal_id)
        self.assertEqual(contract.invoice_ids.journal_id.type, "sale")

    def test_contract_in_another_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        contract = self._create_contract(self.equipment, start="2026-01-01")
        self.assertEqual(contract.currency_id, self.company.currency_id, "default")
        contract.write({"currency_id": eur.id, "price": 100.0})
        contract.action_start()
        with freeze_time("2026-01-10"):
            self._cron()
        invoice = contract.invoice_ids
        self.assertEqual(invoice.currency_id, eur)
        self.assertEqual(invoice.amount_untaxed, 100.0)
        self.assertAlmostEqual(invoice.amount_untaxed_signed, 50.0)

    def test_cancel_contract_mid_period_proposes_credit_note(self):
        tax = self.company_data["default_tax_sale"]
        self.env.ref("after_sales_service.product_service_contract").taxes_id = tax
        contract, (jan, feb, mar) = self._invoice_quarter()
        (jan | feb | mar).action_post()
        with freeze_time("2026-03-10"):
            april = contract.action_create_invoice()
            april = self.env["account.move"].browse(april["res_id"])
            action = contract.action_cancel()
        self.assertEqual(april.state, "cancel", "a later period is not billed")
        credit_note = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft", "proposed, for review")
        self.assertEqual(credit_note.reversed_entry_id, mar)
        self.assertEqual(credit_note.currency_id, mar.currency_id)
        line = credit_note.invoice_line_ids
        self.assertEqual(line.product_id, contract.product_id)
        self.assertEqual(line.tax_ids, mar.invoice_line_ids.tax_ids)
        self.assertEqual(line.tax_ids, tax)
        # 21 of the 31 days of March are not used (11 to 31)
        self.assertAlmostEqual(credit_note.amount_untaxed, round(100.0 * 21 / 31, 2))
        self.assertEqual(
            (line.after_sales_period_start, line.after_sales_period_end),
            (date(2026, 3, 11), date(2026, 3, 31)),
        )
        self.assertEqual((jan | feb | mar).mapped("state"), ["posted"] * 3)

    def test_cancel_contract_leaves_a_draft_current_invoice_to_the_user(self):
        contract, (_jan, _feb, mar) = self._invoice_quarter()
        moves = self._moves()
        with freeze_time("2026-03-10"):
            result = contract.action_cancel()
        self.assertIs(result, True)
        self.assertEqual(mar.state, "draft")
        self.assertEqual(self._moves(), moves, "no credit note for a draft invoice")
        self.assertIn(f'data-oe-id="{mar.id}"', contract.message_ids[0].body)
        self.assertIn("still draft", contract.message_ids[0].body)

    def test_due_periods_follow_the_company_local_day(self):
        """31 January 12:00 UTC is already 1 February in Auckland: February is due."""
        self.company.resource_calendar_id.tz = "Pacific/Auckland"
        contract = self._running(start="2026-01-01", price=100.0)
        with freeze_time("2026-01-31 12:00:00"):
            self._cron()
        self.assertEqual(len(contract.invoice_ids), 2)
        self.assertEqual(contract.next_invoice_date, date(2026, 3, 1))
