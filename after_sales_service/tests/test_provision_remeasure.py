from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import BaseCase, Form, new_test_user, tagged

from ..models.warranty_cohort import Group, cost_per_unit_month, current_share, elapsed_months
from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestWarrantyCohortCore(BaseCase):
    """The plain-Python core, without a database."""

    def test_warranty_time_of_a_group(self):
        group = Group(date(2025, 1, 1), 12, 10.0)
        self.assertEqual(elapsed_months(group.month, date(2025, 1, 31)), 1)
        self.assertEqual(group.remaining(date(2025, 1, 31)), 110.0)
        self.assertEqual(group.remaining(date(2025, 7, 31)), 50.0)
        self.assertEqual(group.remaining(date(2025, 12, 31)), 0.0)
        self.assertFalse(group.has_ended(date(2025, 11, 30)))
        self.assertTrue(group.has_ended(date(2025, 12, 31)))
        # sold after the date: all of its warranty is left, none of it was exposed
        self.assertEqual(group.remaining(date(2024, 12, 31)), 120.0)
        self.assertEqual(group.exposure(date(2024, 1, 1), date(2024, 12, 31)), 0.0)
        self.assertEqual(group.exposure(date(2024, 8, 1), date(2025, 7, 31)), 70.0)
        self.assertEqual(group.exposure(date(2025, 6, 1), date(2026, 5, 31)), 70.0)

    def test_cost_per_unit_month_needs_history(self):
        groups = [Group(date(2025, 1, 1), 12, 10.0)]
        self.assertAlmostEqual(cost_per_unit_month(groups, 600.0, date(2025, 7, 31)), 600 / 70)
        self.assertIsNone(cost_per_unit_month(groups, 600.0, date(2025, 5, 31)), "5 months")
        self.assertIsNone(cost_per_unit_month(groups, 0.0, date(2025, 7, 31)), "no usage")
        self.assertIsNone(cost_per_unit_month([], 600.0, date(2025, 7, 31)))

    def test_current_share(self):
        groups = [Group(date(2025, 1, 1), 24, 10.0)]
        # 17 months left at the end of July: 12 of them within a year
        self.assertAlmostEqual(current_share(groups, date(2025, 7, 31)), 12 / 17)
        self.assertEqual(current_share(groups, date(2027, 1, 31)), 1.0, "ended: all current")


class RemeasureCommon(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ovens = cls.env["product.category"].create(
            {"name": "Ovens", "after_sales_provision_rate": 5.0}
        )
        cls.oven = cls.env["product.product"].create(
            {"name": "Combi Oven", "warranty_months": 12, "categ_id": cls.ovens.id}
        )
        cls.provision_account = cls.company.after_sales_provision_account_id
        cls.expense_account = cls.company.after_sales_warranty_expense_account_id
        cls.parts_account = cls.company.after_sales_parts_account_id
        cls.Measure = cls.env["after_sales.provision.measure"]

    def _sell(self, day, quantity, product=None, price=1000.0, **vals):
        return self._create_invoice(
            partner_id=self.customer.id,
            invoice_date=day,
            invoice_line_ids=[
                Command.create(
                    {
                        "product_id": (product or self.oven).id,
                        "quantity": quantity,
                        "price_unit": price,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
            post=True,
            **vals,
        )

    def _repair(self, day, cost, categ=None):
        """The cost entry of a warranty repair: Dr provision (usage) / Cr parts."""
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.company.after_sales_journal_id.id,
                "date": day,
                "line_ids": [
                    Command.create(
                        {
                            "name": "Warranty repair",
                            "account_id": self.provision_account.id,
                            "balance": cost,
                            "after_sales_provision_kind": "usage_parts",
                            "after_sales_categ_id": (categ or self.ovens).id,
                        }
                    ),
                    Command.create(
                        {"name": "Parts", "account_id": self.parts_account.id, "balance": -cost}
                    ),
                ],
            }
        )
        move.action_post()
        return move

    def _close(self, day):
        """The month-end proposal of the month of ``day``, posted."""
        entry = self.Measure._propose(self.company, day)
        entry.action_post()
        return entry

    def _provision_lines(self, entry, kind=None):
        lines = entry.line_ids.filtered(lambda line: line.account_id == self.provision_account)
        if kind:
            lines = lines.filtered(lambda line: line.after_sales_provision_kind == kind)
        return {
            (line.after_sales_cohort_date or False, line.after_sales_provision_kind): -line.balance
            for line in lines
        }

    def _report(self, date_from, date_to):
        return self.env["after_sales.provision.report"].get_report(date_from, date_to)


@tagged("post_install", "-at_install")
class TestProvisionRemeasure(RemeasureCommon):
    def test_sale_freezes_the_terms_of_its_cohort(self):
        invoice = self._sell(date(2025, 1, 31), 10)
        line = invoice.invoice_line_ids
        self.assertEqual(
            (line.after_sales_categ_id, line.after_sales_warranty_months),
            (self.ovens, 12),
        )
        self.assertEqual(line.after_sales_cohort_date, date(2025, 1, 1))
        accrual = invoice.after_sales_entry_ids.line_ids.filtered(
            lambda line: line.account_id == self.provision_account
        )
        self.assertEqual(accrual.after_sales_cohort_date, date(2025, 1, 1))
        # the product's terms change later: the cohort keeps those it was sold with
        self.oven.warranty_months = 24
        cohort = self.Measure._measure(self.company, date(2025, 2, 28))["cohorts"]
        self.assertEqual(
            [(c["categ"], c["month"], c["warranty_months"], c["units"]) for c in cohort],
            [(self.ovens, date(2025, 1, 1), 12, 10.0)],
        )

    def test_true_up_to_the_expected_remaining_cost_then_expiry(self):
        self._sell(date(2025, 1, 15), 10)  # accrues 5 % of 10,000.00 = 500.00
        for month in range(2, 8):
            self._repair(date(2025, month, 10), 100.0)
        # not enough history at the end of May (5 months): nothing proposed
        self.assertFalse(self.Measure._propose(self.company, date(2025, 5, 31)))
        # end of July: 600.00 over 70 unit-months; 50 unit-months left = 428.57
        entry = self._close(date(2025, 7, 20))
        self.assertEqual(entry.date, date(2025, 7, 31))
        self.assertEqual(entry.after_sales_entry_kind, "remeasurement")
        self.assertEqual(
            self._provision_lines(entry),
            {(date(2025, 1, 1), "trueup"): -71.43, (False, "trueup"): 600.0},
        )
        expense = entry.line_ids.filtered(lambda line: line.account_id == self.expense_account)
        self.assertAlmostEqual(sum(expense.mapped("balance")), 528.57, places=2)
        report = self._report("2025-01-01", "2025-07-31")
        self.assertEqual(report["totals"]["closing"], 428.57)
        self.assertEqual(report["totals"]["trueup"], 528.57)
        self.assertEqual(report["difference"], 0.0)
        # at the measured cost, the provision stays: nothing more to propose
        self.assertFalse(self.Measure._propose(self.company, date(2025, 7, 31)))
        # end of December: the warranties of January have ended, what is left goes
        entry = self._close(date(2025, 12, 31))
        self.assertEqual(self._provision_lines(entry), {(date(2025, 1, 1), "expiry"): -428.57})
        report = self._report("2025-08-01", "2025-12-31")
        self.assertEqual(report["totals"]["expiry"], 428.57)
        self.assertEqual(report["totals"]["closing"], 0.0)
        self.assertEqual(report["difference"], 0.0)

    def test_monthly_cron_proposes_last_month(self):
        self._sell(date(2025, 1, 15), 10)
        for month in range(2, 8):
            self._repair(date(2025, month, 10), 100.0)
        with freeze_time("2025-08-01 06:00:00"):
            # as the cron runs it: as the superuser, for every company
            entries = self.Measure.sudo()._cron_propose_month_end()
        entries = entries.filtered(lambda entry: entry.company_id == self.company)
        self.assertEqual(len(entries), 1)
        self.assertEqual((entries.date, entries.state), (date(2025, 7, 31), "draft"))
        cron = self.env.ref("after_sales_service.ir_cron_provision_remeasure")
        self.assertEqual(cron.code, "model._cron_propose_month_end()")

    def test_proposing_again_replaces_the_draft(self):
        self._sell(date(2025, 1, 15), 10)
        for month in range(2, 8):
            self._repair(date(2025, month, 10), 100.0)
        first = self.Measure._propose(self.company, date(2025, 7, 31))
        self.assertEqual(first.state, "draft")
        second = self.Measure._propose(self.company, date(2025, 7, 31))
        self.assertFalse(first.exists())
        self.assertEqual(second.state, "draft")
        # a draft moves nothing: the report does not count it
        self.assertEqual(self._report("2025-07-01", "2025-07-31")["totals"]["trueup"], 0.0)

    def test_wizard_lists_the_cohorts_and_proposes(self):
        self._sell(date(2025, 1, 15), 10)
        self._sell(date(2025, 3, 15), 4, currency_id=self.setup_other_currency("CHF").id)
        for month in range(2, 8):
            self._repair(date(2025, month, 10), 100.0)
        wizard = Form(self.env["after_sales.provision.remeasure"])
        wizard.date = date(2025, 7, 31)
        wizard = wizard.save()
        self.assertEqual(
            [
                (line.month, line.warranty_months, line.units, line.remaining, line.is_measured)
                for line in wizard.line_ids
            ],
            [(date(2025, 1, 1), 12, 10.0, 50.0, True), (date(2025, 3, 1), 12, 4.0, 28.0, True)],
        )
        action = wizard.action_propose()
        entry = self.env["account.move"].browse(action["res_id"])
        self.assertEqual((entry.state, entry.after_sales_entry_kind), ("draft", "remeasurement"))

    def test_billing_users_cannot_remeasure(self):
        billing = new_test_user(
            self.env,
            login="as_billing_remeasure",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.env["after_sales.provision.remeasure"].with_user(billing).create(
                {"date": date(2025, 7, 31)}
            )
        self.assertFalse(
            self.env["account.move"].search([("after_sales_entry_kind", "=", "remeasurement")])
        )

    def test_manual_adjustment_with_a_reason(self):
        self._sell(date(2025, 1, 15), 10)
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.company.after_sales_journal_id.id,
                "date": date(2025, 2, 10),
                "line_ids": [
                    Command.create(
                        {
                            "account_id": self.provision_account.id,
                            "balance": -50.0,
                            "after_sales_categ_id": self.ovens.id,
                            "after_sales_adjustment_reason": "Recall campaign announced",
                        }
                    ),
                    Command.create({"account_id": self.expense_account.id, "balance": 50.0}),
                ],
            }
        )
        move.action_post()
        self.assertEqual(move.line_ids[0].after_sales_provision_kind, "adjustment")
        report = self._report("2025-01-01", "2025-02-28")
        self.assertEqual(report["totals"]["adjustment"], 50.0)
        self.assertEqual(report["totals"]["closing"], 550.0)
        self.assertEqual(report["difference"], 0.0)
        # without a reason, a manual entry is a difference to explain
        line = move.line_ids[0]
        line.after_sales_adjustment_reason = False
        self.assertFalse(line.after_sales_provision_kind)
        self.assertEqual(self._report("2025-01-01", "2025-02-28")["difference"], 50.0)
        # a reason on an item of the module does not change what it is
        accrual = self.env["account.move.line"].search(
            [
                ("after_sales_provision_kind", "=", "accrual"),
                ("after_sales_categ_id", "=", self.ovens.id),
            ]
        )
        accrual.after_sales_adjustment_reason = "Note"
        self.assertEqual(accrual.after_sales_provision_kind, "accrual")

    def test_current_and_non_current_and_flag(self):
        self.oven.warranty_months = 24
        self._sell(date(2025, 1, 15), 10)  # 500.00, 24 months
        report = self._report("2025-07-01", "2025-07-31")
        [line] = report["lines"]
        # 17 months of warranty left at the end of July, 12 of them within a year
        self.assertEqual((line["current"], line["non_current"]), (352.94, 147.06))
        self.assertFalse(line["is_flagged"])
        self.assertEqual(report["totals"]["current"] + report["totals"]["non_current"], 500.0)
        # usage beyond the provision: flagged, not a silent negative non-current part
        self._repair(date(2025, 7, 20), 800.0)
        [line] = self._report("2025-07-01", "2025-07-31")["lines"]
        self.assertTrue(line["is_flagged"])
        self.assertEqual((line["current"], line["non_current"]), (-300.0, 0.0))


@tagged("post_install", "-at_install")
class TestProvisionTwoYears(RemeasureCommon):
    def test_24_months_tie_to_the_ledger(self):
        """24 months of sales and repairs over several cohorts, a rate change, a
        foreign-currency refund, month-end true-ups and expiry releases and a manual
        adjustment: the roll-forward ties to the ledger, every movement in its column."""
        chf = self.setup_other_currency(
            "CHF", rates=[("2024-01-01", 1.5), ("2024-09-01", 1.1), ("2025-06-01", 0.95)]
        )
        start = date(2024, 1, 1)
        chf_sale = None
        credit_note = None
        adjustment = None
        with freeze_time("2026-01-10"):
            for index in range(24):
                month = start + relativedelta(months=index)
                if index == 12:
                    self.ovens.after_sales_provision_rate = 8.0
                self._sell(month + relativedelta(days=4), 5 + index % 4)
                if index == 3:
                    chf_sale = self._sell(month + relativedelta(days=9), 3, currency_id=chf.id)
                if index == 14:
                    # refunded after the exchange rate and the category rate moved
                    credit_note = self._create_invoice(
                        move_type="out_refund",
                        partner_id=self.customer.id,
                        invoice_date=month + relativedelta(days=2),
                        currency_id=chf.id,
                        reversed_entry_id=chf_sale.id,
                        invoice_line_ids=[
                            Command.create(
                                {
                                    "product_id": self.oven.id,
                                    "quantity": 3,
                                    "price_unit": 1000.0,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                        post=True,
                    )
                if index == 20:
                    adjustment = self.env["account.move"].create(
                        {
                            "move_type": "entry",
                            "journal_id": self.company.after_sales_journal_id.id,
                            "date": month + relativedelta(days=14),
                            "line_ids": [
                                Command.create(
                                    {
                                        "account_id": self.provision_account.id,
                                        "balance": -120.0,
                                        "after_sales_categ_id": self.ovens.id,
                                        "after_sales_adjustment_reason": "Known defect batch",
                                    }
                                ),
                                Command.create(
                                    {"account_id": self.expense_account.id, "balance": 120.0}
                                ),
                            ],
                        }
                    )
                    adjustment.action_post()
                if index:
                    self._repair(month + relativedelta(days=19), 80.0 + 7 * index)
                entry = self.Measure._propose(self.company, month)
                if entry:
                    entry.action_post()
        # the refund released exactly what the CHF sale accrued
        chf_accrual = sum(
            chf_sale.after_sales_entry_ids.line_ids.filtered(
                lambda line: line.account_id == self.provision_account
            ).mapped("balance")
        )
        release = sum(
            credit_note.after_sales_entry_ids.line_ids.filtered(
                lambda line: line.account_id == self.provision_account
            ).mapped("balance")
        )
        self.assertEqual(chf_accrual + release, 0.0)
        # every movement of the provision account, by kind, from the ledger
        expected = defaultdict(float)
        for line in self.env["account.move.line"].search(
            [("account_id", "=", self.provision_account.id), ("parent_state", "=", "posted")]
        ):
            expected[line.after_sales_provision_kind] += line.balance
        self.assertFalse(expected.get(False), "every item is a movement of the report")
        for kind in ("accrual", "release", "usage_parts", "trueup", "expiry", "adjustment"):
            self.assertTrue(expected[kind], kind)
        report = self._report("2024-01-01", "2025-12-31")
        totals = report["totals"]
        self.assertEqual(totals["opening"], 0.0)
        for kind in ("accrual", "trueup", "adjustment"):
            self.assertAlmostEqual(totals[kind], -expected[kind], places=2, msg=kind)
        for kind in ("release", "usage_parts", "expiry"):
            self.assertAlmostEqual(totals[kind], expected[kind], places=2, msg=kind)
        self.assertEqual(totals["adjustment"], 120.0)
        self.assertEqual(report["difference"], 0.0)
        self.assertAlmostEqual(report["ledger_balance"], -sum(expected.values()), places=2)
        # the provision is what the live cohorts are expected to cost
        measure = self.Measure._measure(self.company, date(2025, 12, 31))
        live = [cohort for cohort in measure["cohorts"] if not cohort["has_ended"]]
        self.assertEqual(len(live), 11)
        self.assertAlmostEqual(
            report["totals"]["closing"], sum(cohort["expected"] for cohort in live), places=2
        )
        self.assertAlmostEqual(
            totals["current"] + totals["non_current"], totals["closing"], places=2
        )
