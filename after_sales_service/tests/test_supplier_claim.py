"""Supplier recovery: a warranty cost claimed from the part's supplier, booked when
accepted (Dr recovery receivable / Cr warranty expense) and cleared by the supplier's
credit note."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .test_order_entries import OrderEntriesCommon


@tagged("post_install", "-at_install")
class TestSupplierClaim(OrderEntriesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier = cls.env["res.partner"].create({"name": "Gaskets & Seals GmbH"})
        cls.gasket.seller_ids = [Command.create({"partner_id": cls.supplier.id, "price": 9.0})]
        cls.accountant = new_test_user(
            cls.env,
            login="as_accountant",
            groups="account.group_account_invoice,after_sales_service.group_user",
            company_id=cls.company.id,
        )
        with freeze_time("2026-03-03 10:00:00"):
            cls.order = cls._finish(cls._order(cls.warranty_unit, [cls._part(), cls._labour()]))
        cls.part_line = cls.order.line_ids.filtered(lambda line: line.line_type == "part")

    def _claim(self, **vals):
        return self.env["after_sales.supplier.claim"].create(
            {"order_id": self.order.id, "order_line_id": self.part_line.id, **vals}
        )

    def test_defaults_from_the_part_and_its_vendor(self):
        with Form(self.env["after_sales.supplier.claim"]) as form:
            form.order_id = self.order
            form.order_line_id = self.part_line
            self.assertEqual(form.product_id, self.gasket)
            self.assertEqual(form.partner_id, self.supplier)
            self.assertEqual(form.amount_claimed, 20.0, "the warranty cost of the line")
        claim = form.record
        self.assertTrue(claim.name.startswith("CLM/"))
        self.assertEqual(claim.state, "draft")
        self.assertEqual(self.order.supplier_claim_count, 1)
        action = self.order.action_view_supplier_claims()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), claim)

        # the whole order: the unit's product, what is left of the order's warranty cost
        other = self.env["after_sales.supplier.claim"].create({"order_id": self.order.id})
        self.assertEqual(other.product_id, self.espresso)
        self.assertEqual(other.amount_claimed, 60.0, "80 covered, 20 claimed already")

    def test_claim_above_the_covered_cost_is_refused(self):
        Claim = self.env["after_sales.supplier.claim"]
        count = Claim.search_count([])
        with self.assertRaisesRegex(ValidationError, "more than its warranty-covered cost"):
            self._claim(amount_claimed=20.01)
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self._claim(amount_claimed=0.0)
        self.assertEqual(Claim.search_count([]), count, "nothing written")

        # two claims together may not exceed the order's covered cost either
        self._claim(amount_claimed=20.0)
        with self.assertRaisesRegex(ValidationError, "more than its warranty-covered cost"):
            Claim.create({"order_id": self.order.id, "amount_claimed": 60.01})
        Claim.create({"order_id": self.order.id, "amount_claimed": 60.0})

        # a claim on a customer-paid order covers nothing
        paid = self._finish(self._order(self.old_unit, [self._part()]))
        with self.assertRaisesRegex(ValidationError, "more than its warranty-covered cost"):
            Claim.create({"order_id": paid.id, "amount_claimed": 5.0})

    @freeze_time("2026-03-20 10:00:00")
    def test_accept_credit_note_reconcile_received(self):
        claim = self._claim()
        claim.action_claim()
        self.assertEqual(claim.state, "claimed")

        claim.amount_accepted = 18.0
        claim.action_accept()
        self.assertEqual(claim.state, "accepted")
        entry = claim.recovery_move_id
        self.assertRecordValues(
            entry,
            [
                {
                    "state": "posted",
                    "journal_id": self.journal.id,
                    "after_sales_entry_kind": "recovery",
                    "ref": claim.name,
                }
            ],
        )
        self.assertRecordValues(
            entry.line_ids.sorted("debit"),
            [
                {
                    "account_id": self.warranty_expense_account.id,
                    "debit": 0.0,
                    "credit": 18.0,
                    "partner_id": self.supplier.id,
                },
                {
                    "account_id": self.recovery_account.id,
                    "debit": 18.0,
                    "credit": 0.0,
                    "partner_id": self.supplier.id,
                },
            ],
        )
        self.assertEqual(claim.amount_received, 0.0)
        with self.assertRaisesRegex(UserError, "cannot be accepted"):
            claim.action_accept()
        self.assertEqual(len(entry.search([("ref", "=", claim.name)])), 1, "booked once")

        claim.action_create_credit_note()
        credit_note = claim.credit_note_id
        self.assertRecordValues(
            credit_note,
            [{"move_type": "in_refund", "state": "draft", "partner_id": self.supplier.id}],
        )
        self.assertRecordValues(
            credit_note.invoice_line_ids,
            [{"account_id": self.recovery_account.id, "price_subtotal": 18.0}],
        )
        self.assertEqual(claim.state, "accepted", "a draft credit note clears nothing")
        with self.assertRaisesRegex(UserError, "already has its credit note"):
            claim.action_create_credit_note()

        credit_note.invoice_date = "2026-03-20"
        credit_note.action_post()
        receivable = claim.recovery_line_id
        self.assertTrue(receivable.reconciled)
        self.assertEqual(
            receivable.full_reconcile_id,
            credit_note.line_ids.filtered(
                lambda line: line.account_id == self.recovery_account
            ).full_reconcile_id,
        )
        self.assertEqual(claim.amount_received, 18.0)
        self.assertEqual(claim.state, "received")

        # the credit note undone: the claim waits for its money again
        credit_note.button_draft()
        self.assertEqual(claim.amount_received, 0.0)
        self.assertEqual(claim.state, "accepted")

    def test_partial_credit_note(self):
        claim = self._claim()
        claim.action_claim()
        claim.action_accept()
        self.assertEqual(claim.amount_accepted, 20.0, "by default what was claimed")
        claim.action_create_credit_note()
        credit_note = claim.credit_note_id
        credit_note.invoice_line_ids.price_unit = 15.0
        credit_note.invoice_date = credit_note.date
        credit_note.action_post()
        self.assertEqual(claim.amount_received, 15.0)
        self.assertEqual(claim.state, "accepted")

    def test_rules_of_the_claim(self):
        claim = self._claim()
        with self.assertRaisesRegex(UserError, "cannot be accepted"):
            claim.action_accept()
        claim.action_claim()
        with self.assertRaisesRegex(UserError, "button Accept"):
            claim.write({"state": "accepted"})
        with self.assertRaisesRegex(UserError, "Write why"):
            claim.action_reject()
        claim.reject_reason = "Gasket damaged by limescale: not a manufacturing fault"
        claim.action_reject()
        self.assertEqual(claim.state, "rejected")
        # a rejected claim no longer counts against the covered cost
        second = self._claim(amount_claimed=20.0)
        with self.assertRaisesRegex(ValidationError, "cannot be negative nor above"):
            second.write({"amount_accepted": 25.0})

        # a service user claims; accepting books an entry: accounting users only
        other = self.order.line_ids.filtered(lambda line: line.line_type == "labour")
        user_claim = (
            self.env["after_sales.supplier.claim"]
            .with_user(self.service_user)
            .create(
                {
                    "order_id": self.order.id,
                    "order_line_id": other.id,
                    "partner_id": self.supplier.id,
                }
            )
        )
        user_claim.action_claim()
        with self.assertRaises(AccessError):
            user_claim.action_accept()
        with self.assertRaises(AccessError):
            user_claim.write({"amount_accepted": 10.0})
        user_claim.with_user(self.accountant).action_accept()
        self.assertEqual(user_claim.state, "accepted")

    def test_cancel_an_accepted_claim_reverses_its_entry(self):
        claim = self._claim()
        claim.action_claim()
        claim.action_accept()
        claim.action_create_credit_note()
        claim.action_cancel()
        self.assertEqual(claim.state, "cancelled")
        self.assertEqual(claim.credit_note_id.state, "cancel")
        self.assertTrue(claim.recovery_move_id.reversal_move_ids)
        self.assertEqual(claim.amount_received, 0.0)
        with self.assertRaisesRegex(UserError, "create a new claim"):
            claim.action_draft()

    def test_claim_rule_per_company(self):
        other = self.env["res.company"].create({"name": "Other BV"})
        user = new_test_user(
            self.env,
            login="as_other_user",
            groups="after_sales_service.group_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self._claim()
        self.assertFalse(self.env["after_sales.supplier.claim"].with_user(user).search([]))
