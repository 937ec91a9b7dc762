from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.after_sales_service.models.account_move import monthly_shares

from .common import AfterSalesCommon

# (date, days) of the months of a yearly period from 31 January
YEAR_FROM_31_JAN_2025 = [
    (date(2025, 1, 31), 1),
    (date(2025, 2, 28), 28),
    (date(2025, 3, 31), 31),
    (date(2025, 4, 30), 30),
    (date(2025, 5, 31), 31),
    (date(2025, 6, 30), 30),
    (date(2025, 7, 31), 31),
    (date(2025, 8, 31), 31),
    (date(2025, 9, 30), 30),
    (date(2025, 10, 31), 31),
    (date(2025, 11, 30), 30),
    (date(2025, 12, 31), 31),
    (date(2026, 1, 30), 30),
]


@tagged("post_install", "-at_install")
class TestContractDeferral(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls._create_equipment(delivery_date=date(2024, 1, 1))
        cls.deferred_account = cls.company.after_sales_deferred_revenue_account_id
        plan = cls.env["account.analytic.plan"].create({"name": "Contracts"})
        cls.analytic_account = cls.env["account.analytic.account"].create(
            {"name": "Prepaid service", "plan_id": plan.id}
        )

    def _contract_invoice(self, start, price=1200.0, billing_period="yearly", post=True):
        """The first invoice of a running contract from ``start``, posted on its date."""
        contract = self._create_contract(
            self.equipment, start=start, months=12, price=price, billing_period=billing_period
        )
        contract.action_start()
        with freeze_time(start):
            invoice = self.env["account.move"].browse(contract.action_create_invoice()["res_id"])
            invoice.invoice_line_ids.analytic_distribution = {str(self.analytic_account.id): 100}
            if post:
                invoice.action_post()
        return contract, invoice

    def _entries(self, invoices, kind=None):
        domain = [("after_sales_source_move_id", "in", invoices.ids)]
        if kind:
            domain.append(("after_sales_entry_kind", "=", kind))
        return self.env["account.move"].search(domain, order="date, id")

    def _balance(self, moves, account, state="posted"):
        return round(
            sum(
                line.balance
                for line in moves.line_ids
                if line.account_id == account and line.parent_state == state
            ),
            2,
        )

    def _deferred(self, entries):
        """[balance of the deferred revenue account] of each entry."""
        return [
            round(
                sum(
                    line.balance
                    for line in entry.line_ids
                    if line.account_id == self.deferred_account
                ),
                2,
            )
            for entry in entries
        ]

    def _autopost(self, day):
        with (
            freeze_time(day),
            patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0),
        ):
            self.env["account.move"]._autopost_draft_entries()

    def _check_year(self, invoice, months, total_days):
        revenue_account = invoice.invoice_line_ids.account_id
        deferral = self._entries(invoice, "deferral")
        self.assertEqual(len(deferral), 1)
        self.assertEqual((deferral.date, deferral.state), (invoice.date, "posted"))
        self.assertEqual(deferral.journal_id, self.company.after_sales_journal_id)
        self.assertEqual(
            {(line.account_id, line.balance) for line in deferral.line_ids},
            {(revenue_account, 1200.0), (self.deferred_account, -1200.0)},
        )
        revenue_line = deferral.line_ids.filtered(lambda line: line.account_id == revenue_account)
        self.assertEqual(revenue_line.analytic_distribution, {str(self.analytic_account.id): 100})
        recognitions = self._entries(invoice, "recognition")
        self.assertEqual(recognitions.mapped("date"), [day for day, _days in months])
        amounts = self._deferred(recognitions)
        expected = [round(1200.0 * days / total_days, 2) for _day, days in months[:-1]]
        expected.append(round(1200.0 - sum(expected), 2))
        self.assertEqual(amounts, expected)
        self.assertAlmostEqual(sum(amounts), 1200.0, places=6)
        for entry in recognitions:
            revenue = entry.line_ids.filtered(lambda line: line.account_id == revenue_account)
            self.assertEqual(revenue.analytic_distribution, {str(self.analytic_account.id): 100})
        # the first month ends on the invoice date: posted; the others wait for their date
        self.assertEqual(recognitions[0].state, "posted")
        self.assertEqual(set(recognitions[1:].mapped("state")), {"draft"})
        self.assertEqual(set(recognitions[1:].mapped("auto_post")), {"at_date"})
        return recognitions

    def test_yearly_prepaid_contract_from_31_january(self):
        _contract, invoice = self._contract_invoice("2025-01-31")
        self.assertEqual(
            (invoice.after_sales_period_start, invoice.after_sales_period_end),
            (date(2025, 1, 31), date(2026, 1, 30)),
        )
        recognitions = self._check_year(invoice, YEAR_FROM_31_JAN_2025, 365)
        amounts = self._deferred(recognitions)
        # one day of January, 28 of February, ...; the last takes the remainder
        self.assertEqual(amounts[:3], [3.29, 92.05, 101.92])
        self.assertEqual(amounts[-1], 98.62)

    def test_yearly_prepaid_contract_over_a_leap_february(self):
        _contract, invoice = self._contract_invoice("2024-01-31")
        months = [(day.replace(year=day.year - 1), days) for day, days in YEAR_FROM_31_JAN_2025]
        months[1] = (date(2024, 2, 29), 29)
        self.assertEqual(invoice.after_sales_period_end, date(2025, 1, 30))
        recognitions = self._check_year(invoice, months, 366)
        self.assertEqual(self._deferred(recognitions[:2]), [3.28, 95.08])

    def test_cron_posts_recognitions_when_due(self):
        _contract, invoice = self._contract_invoice("2025-01-31")
        recognitions = self._entries(invoice, "recognition")
        self._autopost("2025-06-15")
        posted = recognitions.filtered(lambda entry: entry.state == "posted")
        self.assertEqual(
            posted.mapped("date"),
            [
                date(2025, 1, 31),
                date(2025, 2, 28),
                date(2025, 3, 31),
                date(2025, 4, 30),
                date(2025, 5, 31),
            ],
        )
        # 1 + 28 + 31 + 30 + 31 days of 365 recognised: deferred revenue left
        self.assertEqual(
            self._balance(self._entries(invoice), self.deferred_account),
            -round(1200.0 - sum(self._deferred(recognitions[:5])), 2),
        )
        self._autopost("2026-02-01")
        self.assertEqual(set(recognitions.mapped("state")), {"posted"})
        self.assertEqual(self._balance(self._entries(invoice), self.deferred_account), 0.0)
        revenue_account = invoice.invoice_line_ids.account_id
        self.assertEqual(self._balance(invoice | self._entries(invoice), revenue_account), -1200.0)

    def test_cancelled_invoice_reverses_posted_and_deletes_waiting(self):
        _contract, invoice = self._contract_invoice("2025-01-31")
        self._autopost("2025-06-15")
        posted = self._entries(invoice).filtered(lambda entry: entry.state == "posted")
        self.assertEqual(len(posted), 1 + 5)
        with freeze_time("2025-06-15"):
            invoice.button_cancel()
        entries = self._entries(invoice)
        self.assertFalse(
            entries.filtered(lambda entry: entry.state == "draft"), "waiting ones deleted"
        )
        reversals = entries - posted
        self.assertEqual(len(reversals), 6)
        self.assertEqual(reversals.reversed_entry_id, posted)
        self.assertEqual(set(reversals.mapped("date")), {date(2025, 6, 15)})
        self.assertEqual(self._balance(entries, self.deferred_account), 0.0)
        self.assertEqual(self._balance(entries, invoice.invoice_line_ids.account_id), 0.0)
        # later runs of the cron post nothing more
        self._autopost("2026-02-01")
        self.assertEqual(self._entries(invoice), entries)

    def test_posting_again_defers_once(self):
        _contract, invoice = self._contract_invoice("2025-01-31")
        with freeze_time("2025-01-31"):
            invoice.button_draft()
            self.assertFalse(self._entries(invoice).filtered(lambda entry: entry.state == "draft"))
            invoice.action_post()
        live = self._entries(invoice).filtered(
            lambda entry: not entry.reversed_entry_id and not entry.reversal_move_ids
        )
        self.assertEqual(len(live.filtered(lambda e: e.after_sales_entry_kind == "deferral")), 1)
        self.assertEqual(
            len(live.filtered(lambda e: e.after_sales_entry_kind == "recognition")), 13
        )
        self._autopost("2026-02-01")
        self.assertEqual(self._balance(self._entries(invoice), self.deferred_account), 0.0)
        revenue_account = invoice.invoice_line_ids.account_id
        self.assertEqual(self._balance(invoice | self._entries(invoice), revenue_account), -1200.0)

    def test_credit_note_of_a_cancelled_contract_is_deferred_symmetrically(self):
        contract, invoice = self._contract_invoice("2025-01-31")
        with freeze_time("2025-06-15"):
            action = contract.action_cancel()
            credit_note = self.env["account.move"].browse(action["res_id"])
            self.assertEqual(
                (credit_note.after_sales_period_start, credit_note.after_sales_period_end),
                (date(2025, 6, 16), date(2026, 1, 30)),
            )
            credit_note.action_post()
        refunded = credit_note.amount_untaxed
        self.assertEqual(refunded, round(1200.0 * 229 / 365, 2))
        deferral = self._entries(credit_note, "deferral")
        revenue_account = invoice.invoice_line_ids.account_id
        self.assertEqual(
            {(line.account_id, line.balance) for line in deferral.line_ids},
            {(revenue_account, -refunded), (self.deferred_account, refunded)},
        )
        recognitions = self._entries(credit_note, "recognition")
        self.assertEqual(
            recognitions.mapped("date"),
            [date(2025, 6, 30)] + [day for day, _days in YEAR_FROM_31_JAN_2025[6:]],
        )
        self.assertAlmostEqual(
            sum(
                recognitions.line_ids.filtered(
                    lambda line: line.account_id == revenue_account
                ).mapped("balance")
            ),
            refunded,
        )
        self._autopost("2026-02-01")
        every_entry = self._entries(invoice | credit_note)
        self.assertEqual(self._balance(every_entry, self.deferred_account), 0.0)
        self.assertEqual(
            self._balance(invoice | credit_note | every_entry, revenue_account),
            -round(1200.0 - refunded, 2),
        )

    def test_period_within_one_month_is_not_deferred(self):
        _contract, invoice = self._contract_invoice("2025-03-01", billing_period="monthly")
        self.assertEqual(invoice.after_sales_period_end, date(2025, 3, 31))
        self.assertFalse(self._entries(invoice))

    def test_monthly_period_across_two_months(self):
        _contract, invoice = self._contract_invoice(
            "2025-03-15", price=310.0, billing_period="monthly"
        )
        recognitions = self._entries(invoice, "recognition")
        # 17 days of March, 14 of April (15 March - 14 April)
        self.assertEqual(recognitions.mapped("date"), [date(2025, 3, 31), date(2025, 4, 14)])
        self.assertEqual(self._deferred(recognitions), [170.0, 140.0])

    def test_monthly_shares_add_up(self):
        currency = self.company.currency_id
        shares = monthly_shares(date(2025, 1, 31), date(2026, 1, 30), 1000.01, currency)
        self.assertEqual(len(shares), 13)
        self.assertAlmostEqual(sum(share for _day, share in shares), 1000.01, places=6)
        self.assertEqual(
            monthly_shares(date(2025, 2, 1), date(2025, 2, 28), 50.0, currency),
            [(date(2025, 2, 28), 50.0)],
        )
