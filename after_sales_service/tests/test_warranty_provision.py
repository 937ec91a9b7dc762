from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestWarrantyProvision(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.machines = cls.env["product.category"].create(
            {"name": "Coffee Machines", "after_sales_provision_rate": 2.0}
        )
        cls.kitchen = cls.env["product.category"].create(
            {"name": "Kitchen Equipment", "after_sales_provision_rate": 3.5}
        )
        cls.no_rate = cls.env["product.category"].create({"name": "Accessories"})
        cls.espresso.categ_id = cls.machines
        cls.dishwasher.categ_id = cls.kitchen
        cls.coffee_beans.categ_id = cls.machines  # no warranty
        cls.grinder = cls.env["product.product"].create(
            {"name": "Grinder", "warranty_months": 12, "categ_id": cls.no_rate.id}
        )
        cls.expense_account = cls.company.after_sales_warranty_expense_account_id
        cls.provision_account = cls.company.after_sales_provision_account_id

    def _invoice(self, lines, move_type="out_invoice", post=True, **vals):
        """``lines``: (product, quantity, price)."""
        return self._create_invoice(
            move_type=move_type,
            partner_id=self.customer.id,
            invoice_date=vals.pop("invoice_date", date(2026, 3, 10)),
            invoice_line_ids=[
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": quantity,
                        "price_unit": price,
                        "tax_ids": [Command.set(self.tax_sale_a.ids)],
                    }
                )
                for product, quantity, price in lines
            ],
            post=post,
            **vals,
        )

    def _sale(self, **vals):
        return self._invoice(
            [
                (self.espresso, 2, 1500.0),
                (self.dishwasher, 1, 4321.99),
                (self.coffee_beans, 10, 10.0),
                (self.grinder, 1, 300.0),
            ],
            **vals,
        )

    def _entries(self, invoice):
        return self.env["account.move"].search(
            [
                ("after_sales_source_move_id", "=", invoice.id),
                ("after_sales_entry_kind", "=", "provision"),
            ],
            order="id",
        )

    def _provision_balance(self, invoices):
        lines = self.env["account.move.line"].search(
            [
                ("move_id.after_sales_source_move_id", "in", invoices.ids),
                ("account_id", "=", self.provision_account.id),
                ("parent_state", "=", "posted"),
            ]
        )
        return sum(lines.mapped("balance"))

    def _lines(self, entry):
        """{(account, category, kind): balance} of the entry."""
        return {
            (
                line.account_id,
                line.after_sales_categ_id,
                line.after_sales_provision_kind or False,
            ): (line.balance)
            for line in entry.line_ids
        }

    def test_posting_accrues_rate_times_revenue_per_category(self):
        invoice = self._sale()
        entry = self._entries(invoice)
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.journal_id, self.company.after_sales_journal_id)
        self.assertEqual(entry.date, invoice.date)
        self.assertEqual(entry.after_sales_entry_kind, "provision")
        self.assertEqual(invoice.after_sales_entry_ids, entry)
        # 2 % of 3,000.00; 3.5 % of 4,321.99 = 151.26965; no warranty, no rate: nothing
        self.assertEqual(
            self._lines(entry),
            {
                (self.expense_account, self.machines, False): 60.0,
                (self.provision_account, self.machines, "accrual"): -60.0,
                (self.expense_account, self.kitchen, False): 151.27,
                (self.provision_account, self.kitchen, "accrual"): -151.27,
            },
        )
        self.assertEqual(entry.line_ids.partner_id, self.customer)

    def test_revenue_in_company_currency(self):
        currency = self.setup_other_currency("CHF", rates=[("2020-01-01", 2.0)])
        invoice = self._invoice([(self.espresso, 1, 1000.0)], currency_id=currency.id)
        # 1,000.00 CHF = 500.00 in the company's currency
        self.assertEqual(
            self._lines(self._entries(invoice))[self.provision_account, self.machines, "accrual"],
            -10.0,
        )

    def test_invoice_without_warranty_products_has_no_entry(self):
        invoice = self._invoice([(self.coffee_beans, 10, 10.0), (self.grinder, 1, 300.0)])
        self.assertFalse(self._entries(invoice))

    def test_credit_note_releases(self):
        invoice = self._sale()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Returned"})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.action_post()
        release = self._entries(credit_note)
        self.assertEqual(
            self._lines(release),
            {
                (self.expense_account, self.machines, False): -60.0,
                (self.provision_account, self.machines, "release"): 60.0,
                (self.expense_account, self.kitchen, False): -151.27,
                (self.provision_account, self.kitchen, "release"): 151.27,
            },
        )
        self.assertEqual(self._provision_balance(invoice | credit_note), 0.0)

    def test_partial_credit_note_releases_its_share(self):
        invoice = self._sale()
        credit_note = self._invoice(
            [(self.espresso, 1, 1500.0)], move_type="out_refund", reversed_entry_id=invoice.id
        )
        self.assertEqual(
            self._lines(self._entries(credit_note))[
                self.provision_account, self.machines, "release"
            ],
            30.0,
        )

    def _credit(self, invoice):
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Returned"})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.action_post()
        return credit_note

    def test_credit_note_releases_the_accrual_after_the_rate_changed(self):
        self.machines.after_sales_provision_rate = 5.0
        invoice = self._invoice([(self.espresso, 2, 600.0), (self.coffee_beans, 10, 10.0)])
        self.assertEqual(self._provision_balance(invoice), -60.0)
        self.machines.after_sales_provision_rate = 8.0
        # the release mirrors the 5 % accrued, not 8 % of today
        credit_note = self._credit(invoice)
        self.assertEqual(
            self._lines(self._entries(credit_note)),
            {
                (self.expense_account, self.machines, False): -60.0,
                (self.provision_account, self.machines, "release"): 60.0,
            },
        )
        self.assertEqual(self._provision_balance(invoice | credit_note), 0.0)

    def test_credit_note_releases_the_accrual_of_the_category_at_sale(self):
        invoice = self._invoice([(self.espresso, 1, 1000.0)])
        # the product moves to another category, its warranty ends: the release
        # still reverses what the sale accrued, on the sale's category
        self.espresso.write({"categ_id": self.kitchen.id, "warranty_months": 0})
        credit_note = self._credit(invoice)
        self.assertEqual(
            self._lines(self._entries(credit_note)),
            {
                (self.expense_account, self.machines, False): -20.0,
                (self.provision_account, self.machines, "release"): 20.0,
            },
        )

    def test_foreign_currency_refund_after_the_rates_moved(self):
        currency = self.setup_other_currency(
            "CHF", rates=[("2020-01-01", 2.0), ("2026-03-20", 1.37)]
        )
        invoice = self._invoice([(self.espresso, 3, 1234.56)], currency_id=currency.id)
        self.assertEqual(self._provision_balance(invoice), -37.04)  # 2 % of 1,851.84
        self.machines.after_sales_provision_rate = 3.0
        credit_note = self._invoice(
            [(self.espresso, 3, 1234.56)],
            move_type="out_refund",
            currency_id=currency.id,
            reversed_entry_id=invoice.id,
            invoice_date=date(2026, 3, 25),
        )
        self.assertEqual(self._provision_balance(invoice | credit_note), 0.0)

    def test_partial_credit_notes_release_their_share_and_never_more(self):
        invoice = self._sale()
        self.machines.after_sales_provision_rate = 10.0
        self.kitchen.after_sales_provision_rate = 1.0
        # a third of the espressos: a third of the 60.00 of machines; nothing of kitchen
        first = self._invoice(
            [(self.espresso, 1, 1000.0)], move_type="out_refund", reversed_entry_id=invoice.id
        )
        self.assertEqual(
            self._lines(self._entries(first)),
            {
                (self.expense_account, self.machines, False): -20.0,
                (self.provision_account, self.machines, "release"): 20.0,
            },
        )
        # crediting more than was invoiced releases what is left, no more
        second = self._invoice(
            [(self.espresso, 3, 1500.0), (self.dishwasher, 1, 4321.99)],
            move_type="out_refund",
            reversed_entry_id=invoice.id,
        )
        self.assertEqual(
            self._lines(self._entries(second)),
            {
                (self.expense_account, self.machines, False): -40.0,
                (self.provision_account, self.machines, "release"): 40.0,
                (self.expense_account, self.kitchen, False): -151.27,
                (self.provision_account, self.kitchen, "release"): 151.27,
            },
        )
        self.assertEqual(self._provision_balance(invoice | first | second), 0.0)
        # a third credit note of the same invoice has nothing left to release
        third = self._invoice(
            [(self.espresso, 1, 1500.0)], move_type="out_refund", reversed_entry_id=invoice.id
        )
        self.assertFalse(self._entries(third))

    def test_reset_reverses_and_posting_again_accrues_once(self):
        invoice = self._sale()
        accrual = self._entries(invoice)
        invoice.button_draft()
        entries = self._entries(invoice)
        reversal = entries - accrual
        self.assertEqual(len(reversal), 1)
        self.assertEqual(reversal.reversed_entry_id, accrual)
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(reversal.after_sales_entry_kind, "provision")
        self.assertEqual(
            self._lines(reversal),
            {
                (self.expense_account, self.machines, False): -60.0,
                (self.provision_account, self.machines, "release"): 60.0,
                (self.expense_account, self.kitchen, False): -151.27,
                (self.provision_account, self.kitchen, "release"): 151.27,
            },
        )
        self.assertEqual(self._provision_balance(invoice), 0.0)
        invoice.action_post()
        self.assertEqual(len(self._entries(invoice)), 3)
        self.assertEqual(self._provision_balance(invoice), -211.27, "accrued once")

    def test_posting_twice_does_not_accrue_twice(self):
        invoice = self._sale()
        with self.assertRaisesRegex(UserError, "must be in draft"):
            invoice.action_post()
        # the hook itself, called again on a posted invoice, adds nothing
        invoice._after_sales_create_entries()
        self.assertEqual(len(self._entries(invoice)), 1)
        self.assertEqual(self._provision_balance(invoice), -211.27)

    def test_cancel_reverses(self):
        invoice = self._sale()
        invoice.button_cancel()
        self.assertEqual(len(self._entries(invoice)), 2)
        self.assertEqual(self._provision_balance(invoice), 0.0)
        # cancelled, then back to draft and posted: one accrual again
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(self._provision_balance(invoice), -211.27)

    def test_batch_of_invoices_in_one_create(self):
        invoices = self.env["account.move"]
        for _i in range(100):
            invoices |= self._invoice([(self.espresso, 1, 1000.0)], post=False)
        Move = type(self.env["account.move"])
        create = Move.create
        batches = []

        def counting_create(records, vals_list):
            if isinstance(vals_list, list) and any(
                vals.get("after_sales_entry_kind") for vals in vals_list
            ):
                batches.append(len(vals_list))
            return create(records, vals_list)

        with patch.object(Move, "create", counting_create):
            invoices.action_post()
        self.assertEqual(batches, [100])
        self.assertEqual(self._provision_balance(invoices), -2000.0)

    def test_missing_accounts_are_refused_clearly(self):
        invoice = self._invoice([(self.espresso, 1, 1000.0)], post=False)
        self.company.after_sales_provision_account_id = False
        with self.assertRaisesRegex(UserError, "Set the after-sales accounts"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")

    def test_account_of_another_company_is_refused(self):
        other = self.setup_other_company(name="Other Service Company")
        foreign_account = other["default_account_expense"]
        with self.assertRaisesRegex(ValidationError, "belong to another company"):
            self.company.after_sales_warranty_expense_account_id = foreign_account
        self.assertEqual(self.company.after_sales_warranty_expense_account_id, self.expense_account)
        with self.assertRaisesRegex(ValidationError, "belong to another company"):
            self.company.after_sales_journal_id = other["default_journal_misc"]
        with self.assertRaisesRegex(ValidationError, "belong to another company"):
            self.env["res.config.settings"].create(
                {"after_sales_provision_account_id": foreign_account.id}
            ).execute()
        self.assertEqual(self.company.after_sales_provision_account_id, self.provision_account)

    def test_branches_use_the_accounts_of_their_root(self):
        fnames = (
            "after_sales_warranty_expense_account_id",
            "after_sales_provision_account_id",
            "after_sales_recovery_account_id",
            "after_sales_journal_id",
        )
        accounts = self.env["account.account"].search_count([])
        branch = self.env["res.company"].create(
            {
                "name": "Branch X",
                "country_id": self.company.country_id.id,
                "parent_id": self.company.id,
            }
        )
        sub_branch = self.env["res.company"].create(
            {
                "name": "Branch XX",
                "country_id": self.company.country_id.id,
                "parent_id": branch.id,
            }
        )
        self.cr.precommit.run()  # load the chart of accounts
        self.assertEqual(branch.chart_template, self.company.chart_template)
        for company in branch | sub_branch:
            for fname in fnames:
                self.assertEqual(company[fname], self.company[fname], fname)
            self.assertEqual(
                company.after_sales_consumption_location_id.valuation_account_id,
                self.company.after_sales_parts_account_id,
            )
        self.assertEqual(self.env["account.account"].search_count([]), accounts, "none created")
        # a sale of the branch accrues on the root's provision account
        self.env.user.company_ids |= branch
        invoice = self._invoice([(self.espresso, 1, 1000.0)], company_id=branch.id)
        self.assertEqual(invoice.company_id, branch)
        entry = self._entries(invoice)
        self.assertEqual(
            (entry.company_id, entry.journal_id), (branch, self.company.after_sales_journal_id)
        )
        self.assertEqual(
            self._lines(entry)[self.provision_account, self.machines, "accrual"], -20.0
        )

    def test_settings_change_the_company_accounts(self):
        account = self.provision_account.copy({"code": "218199"})
        settings = Form(self.env["res.config.settings"])
        settings.after_sales_provision_account_id = account
        settings.after_sales_analytic_mode = "service_type"
        settings.save().execute()
        self.assertEqual(self.company.after_sales_provision_account_id, account)
        self.assertEqual(self.company.after_sales_analytic_mode, "service_type")

    def test_category_form_shows_the_rate(self):
        with Form(self.env["product.category"]) as category:
            category.name = "Ovens"
            category.after_sales_provision_rate = 4.5
        self.assertEqual(category.record.after_sales_provision_rate, 4.5)
