"""Resolutions of a customer claim: each button creates the real document (repair
order, replacement delivery and return, credit note, loan, supplier claim) and links
it to the claim; only on accepted claims, once per kind, by service users."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AfterSalesCommon

RESOLUTION_BUTTONS = (
    "action_resolve_repair",
    "action_resolve_replacement",
    "action_resolve_refund",
    "action_resolve_loaner",
    "action_resolve_supplier",
)


@tagged("post_install", "-at_install")
class TestClaimResolution(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._make_lot(cls.espresso, "CLM-X200-001")
        cls.delivery = cls._deliver(cls.espresso, cls.lot, cls.customer_site)
        cls.unit = cls.lot.after_sales_equipment_ids
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.espresso.id,
                            "quantity": 1.0,
                            "price_unit": 1000.0,
                            "tax_ids": [Command.set(cls.tax_sale_a.ids)],
                        }
                    ),
                    Command.create(
                        {
                            "product_id": cls.coffee_beans.id,
                            "quantity": 2.0,
                            "price_unit": 15.0,
                            "tax_ids": [Command.set(cls.tax_sale_a.ids)],
                        }
                    ),
                ],
            }
        )
        cls.invoice.action_post()
        cls.supplier = cls.env["res.partner"].create({"name": "Pumps & Valves GmbH"})
        cls.pump = cls.env["product.product"].create(
            {
                "name": "Pump P7",
                "type": "consu",
                "standard_price": 45.0,
                "lst_price": 90.0,
                "seller_ids": [Command.create({"partner_id": cls.supplier.id, "price": 45.0})],
            }
        )

    def _claim(self, accept=True, **vals):
        claim = self.env["after_sales.claim"].create(
            {
                "partner_id": self.customer.id,
                "lot_id": self.lot.id,
                "picking_id": self.delivery.id,
                "invoice_id": self.invoice.id,
                "priority": "3",
                "description": "<p>The boiler leaks after a week.</p>",
                **vals,
            }
        )
        if accept:
            claim.action_accept()
        return claim

    def _as_user(self, claim):
        return claim.with_user(self.service_user)

    def _validate(self, picking):
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    # ------------------------------------------------------------------
    # Repair
    # ------------------------------------------------------------------
    def test_repair_creates_the_corrective_order(self):
        claim = self._claim()
        self.assertEqual(claim.equipment_id, self.unit)
        action = self._as_user(claim).action_resolve_repair()

        order = claim.order_id
        self.assertEqual(action["res_model"], "after_sales.order")
        self.assertEqual(action["res_id"], order.id)
        self.assertRecordValues(
            order,
            [
                {
                    "service_type_id": self.type_corrective.id,
                    "partner_id": self.customer.id,
                    "equipment_id": self.unit.id,
                    "priority": "3",
                    "claim_id": claim.id,
                    "state": "new",
                    "company_id": self.company.id,
                    "date_received": claim.date_received,
                }
            ],
        )
        self.assertIn("The boiler leaks", order.description)
        self.assertEqual(order.coverage_source, "warranty", "delivered today: in warranty")
        self.assertEqual(claim.resolution, "repair")
        self.assertIn(order.name, claim.message_ids[0].body)
        back = order.action_view_claim()
        self.assertEqual((back["res_model"], back["res_id"]), ("after_sales.claim", claim.id))

        # once while the order lives
        orders = self.env["after_sales.order"].search_count([])
        with self.assertRaisesRegex(UserError, "already has"):
            self._as_user(claim).action_resolve_repair()
        self.assertEqual(self.env["after_sales.order"].search_count([]), orders, "nothing written")

        # a cancelled repair may be replaced
        order.action_cancel()
        self._as_user(claim).action_resolve_repair()
        self.assertNotEqual(claim.order_id, order)
        self.assertEqual(claim.order_id.state, "new")

    # ------------------------------------------------------------------
    # Refusals
    # ------------------------------------------------------------------
    def test_only_accepted_claims_are_resolved(self):
        claim = self._claim(accept=False)
        counts = self._document_counts()
        for button in RESOLUTION_BUTTONS:
            with self.subTest(button=button), self.assertRaisesRegex(UserError, "only an accepted"):
                getattr(self._as_user(claim), button)()
        self.assertEqual(self._document_counts(), counts, "nothing written")
        self.assertFalse(claim.resolution)

        claim.action_review()
        with self.assertRaisesRegex(UserError, "only an accepted"):
            self._as_user(claim).action_resolve_repair()

    def _document_counts(self):
        return [
            self.env[model].search_count([])
            for model in (
                "after_sales.order",
                "stock.picking",
                "account.move",
                "after_sales.loan",
                "after_sales.supplier.claim",
            )
        ]

    def test_technician_cannot_resolve(self):
        claim = self._claim()
        counts = self._document_counts()
        for button in RESOLUTION_BUTTONS:
            with self.subTest(button=button), self.assertRaises(AccessError):
                getattr(claim.with_user(self.technician), button)()
        self.assertEqual(self._document_counts(), counts, "nothing written")

    def test_links_are_written_by_the_buttons_only(self):
        """Over RPC too: a service user cannot point a claim at another document."""
        claim = self._claim()
        other = self._claim()
        other.with_user(self.service_user).action_resolve_repair()
        with self.assertRaises(AccessError):
            self._as_user(claim).write({"order_id": other.order_id.id})
        with self.assertRaises(AccessError):
            self._as_user(claim).write({"resolution": "refund"})
        self.assertFalse(claim.order_id)
        self.assertFalse(claim.resolution)

    # ------------------------------------------------------------------
    # Replacement
    # ------------------------------------------------------------------
    def test_replacement_delivery_and_return_update_the_installed_base(self):
        new_lot = self._make_lot(self.espresso, "CLM-X200-002")
        self.env["stock.quant"]._update_available_quantity(
            self.espresso, self.stock_location, 1.0, lot_id=new_lot
        )
        claim = self._claim()
        # the service user has no stock rights: the pickings are made for the claim
        self.assertFalse(self.service_user.has_group("stock.group_stock_user"))
        self._as_user(claim).action_resolve_replacement()
        delivery, back = claim.replacement_picking_id, claim.return_picking_id
        self.assertEqual(claim.resolution, "replacement")

        self.assertRecordValues(
            delivery,
            [
                {
                    "picking_type_id": self.warehouse.out_type_id.id,
                    "partner_id": self.customer_site.id,
                    "origin": claim.name,
                    "state": "assigned",
                }
            ],
        )
        self.assertEqual(delivery.move_ids.product_id, self.espresso)
        self.assertEqual(delivery.move_ids.product_uom_qty, 1.0)

        # Odoo's return of the original delivery, for the claimed serial
        self.assertEqual(back.return_id, self.delivery)
        self.assertEqual(back.picking_type_id.code, "incoming")
        self.assertEqual(back.location_id.usage, "customer")
        self.assertEqual(back.move_ids.origin_returned_move_id, self.delivery.move_ids)
        self.assertEqual(back.move_ids.move_line_ids.lot_id, self.lot)

        with self.assertRaisesRegex(UserError, "already has"):
            self._as_user(claim).action_resolve_replacement()

        self._validate(back)
        self.assertFalse(self.unit.partner_id, "the faulty unit left the customer's base")
        self._validate(delivery)
        self.assertEqual(delivery.move_ids.move_line_ids.lot_id, new_lot)
        new_unit = new_lot.after_sales_equipment_ids
        self.assertRecordValues(
            new_unit,
            [
                {
                    "partner_id": self.customer.id,
                    "site_partner_id": self.customer_site.id,
                    "product_id": self.espresso.id,
                }
            ],
        )

    def test_replacement_without_delivery_receives_the_serial(self):
        """A unit registered by hand: the return is a receipt from the customer."""
        lot = self._make_lot(self.espresso, "CLM-X200-HAND")
        unit = self._create_equipment(lot=lot, delivery_date=fields.Date.today())
        claim = self._claim(lot_id=lot.id, picking_id=False)
        self.assertEqual(claim.equipment_id, unit)
        self._as_user(claim).action_resolve_replacement()
        back = claim.return_picking_id
        self.assertFalse(back.return_id)
        self.assertEqual(back.picking_type_id, self.warehouse.in_type_id)
        self.assertEqual(back.partner_id, self.customer)
        self.assertEqual(back.move_ids.move_line_ids.lot_id, lot)
        self._validate(back)
        self.assertFalse(unit.partner_id)

    # ------------------------------------------------------------------
    # Refund
    # ------------------------------------------------------------------
    def test_refund_reverses_the_claimed_product(self):
        claim = self._claim()
        self.assertFalse(self.service_user.has_group("account.group_account_invoice"))
        action = self._as_user(claim).action_resolve_refund()
        # the service user cannot open an invoice: told, not sent to an access error
        self.assertEqual(action["tag"], "display_notification")

        refund = claim.refund_move_id
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "state": "draft",
                    "reversed_entry_id": self.invoice.id,
                    "partner_id": self.customer.id,
                    "amount_untaxed": 1000.0,
                    "amount_total": 1150.0,
                }
            ],
        )
        self.assertEqual(refund.invoice_line_ids.product_id, self.espresso)
        self.assertEqual(claim.resolution, "refund")
        with self.assertRaisesRegex(UserError, "already has"):
            self._as_user(claim).action_resolve_refund()

        # posted by the accountant, it pays the invoice back for the product
        self.assertEqual(self.invoice.amount_residual, 1184.5)
        refund.action_post()
        self.assertEqual(self.invoice.amount_residual, 34.5)
        self.assertEqual(self.invoice.payment_state, "partial")

        # an accounting user lands on the credit note
        refund.button_draft()
        refund.button_cancel()
        action = claim.action_resolve_refund()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(action["res_id"], claim.refund_move_id.id)

    def test_refund_needs_a_posted_invoice(self):
        draft = self.invoice.copy()
        claim = self._claim(invoice_id=draft.id)
        moves = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "Only a posted customer invoice"):
            self._as_user(claim).action_resolve_refund()
        claim = self._claim(invoice_id=False)
        with self.assertRaisesRegex(UserError, "no customer invoice"):
            self._as_user(claim).action_resolve_refund()
        self.assertEqual(self.env["account.move"].search_count([]), moves, "nothing written")

    # ------------------------------------------------------------------
    # Loaner
    # ------------------------------------------------------------------
    def test_loaner_lends_a_free_unit(self):
        claim = self._claim()
        with self.assertRaisesRegex(UserError, "No loaner unit is free"):
            self._as_user(claim).action_resolve_loaner()

        loaner = self._create_equipment(partner=self.company.partner_id, is_loaner=True)
        self._as_user(claim).action_resolve_repair()
        self._as_user(claim).action_resolve_loaner()
        loan = claim.loan_id
        self.assertRecordValues(
            loan,
            [
                {
                    "loaner_id": loaner.id,
                    "partner_id": self.customer.id,
                    "order_id": claim.order_id.id,
                    "state": "lent",
                    "date_due": fields.Date.today() + timedelta(days=14),
                }
            ],
        )
        self.assertEqual(claim.resolution, "loaner")
        self.assertEqual(claim.order_id.loan_count, 1)

        with self.assertRaisesRegex(UserError, "already has"):
            self._as_user(claim).action_resolve_loaner()
        # the lent unit cannot be lent a second time, from another claim or by hand
        with self.assertRaisesRegex(UserError, "No loaner unit is free"):
            self._as_user(self._claim()).action_resolve_loaner()
        with self.assertRaisesRegex(ValidationError, "already lent"):
            self.env["after_sales.loan"].create(
                {
                    "loaner_id": loaner.id,
                    "partner_id": self.other_customer.id,
                    "date_due": fields.Date.today() + timedelta(days=3),
                }
            )

        # back from the customer: the claim may lend again
        loan.action_return()
        self._as_user(claim).action_resolve_loaner()
        self.assertNotEqual(claim.loan_id, loan)

    # ------------------------------------------------------------------
    # Supplier recovery
    # ------------------------------------------------------------------
    def test_supplier_recovery_claims_the_warranty_part(self):
        claim = self._claim()
        with self.assertRaisesRegex(UserError, "create the repair order"):
            self._as_user(claim).action_resolve_supplier()
        self._as_user(claim).action_resolve_repair()
        order = claim.order_id
        with self.assertRaisesRegex(UserError, "no warranty-covered cost"):
            self._as_user(claim).action_resolve_supplier()
        self.assertFalse(
            self.env["after_sales.supplier.claim"].search([("order_id", "=", order.id)])
        )

        order.line_ids = [
            Command.create(
                {"line_type": "part", "product_id": self.pump.id, "quantity": 1, "quantity_done": 1}
            )
        ]
        part = order.line_ids
        self.assertEqual(part.warranty_cost, 45.0)
        self._as_user(claim).action_resolve_supplier()
        supplier_claim = claim.supplier_claim_id
        self.assertRecordValues(
            supplier_claim,
            [
                {
                    "order_id": order.id,
                    "order_line_id": part.id,
                    "product_id": self.pump.id,
                    "partner_id": self.supplier.id,
                    "amount_claimed": 45.0,
                    "state": "draft",
                }
            ],
        )
        self.assertIn("boiler leaks", supplier_claim.description)
        self.assertEqual(claim.resolution, "supplier")
        with self.assertRaisesRegex(UserError, "already has"):
            self._as_user(claim).action_resolve_supplier()


@tagged("post_install", "-at_install")
class TestClaimResolutionTour(HttpCase):
    def test_claim_repair_tour(self):
        """A service user opens an accepted claim, clicks Repair and lands on the new
        corrective order."""
        new_test_user(
            self.env,
            login="claim_tour_user",
            groups="after_sales_service.group_user",
            company_id=self.env.company.id,
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Claim Customer", "is_company": True}
        )
        product = self.env["product.product"].create(
            {"name": "Tour Claim Espresso", "is_storable": True, "tracking": "serial"}
        )
        lot = self.env["stock.lot"].create({"name": "TOUR-CLM-001", "product_id": product.id})
        unit = self.env["after_sales.equipment"].create(
            {"product_id": product.id, "lot_id": lot.id, "partner_id": customer.id}
        )
        claim = self.env["after_sales.claim"].create(
            {"partner_id": customer.id, "lot_id": lot.id, "description": "<p>No steam.</p>"}
        )
        claim.action_accept()

        self.start_tour(
            f"/odoo/action-after_sales_service.after_sales_claim_action/{claim.id}",
            "after_sales_claim_repair_tour",
            login="claim_tour_user",
        )

        order = claim.order_id
        self.assertTrue(order)
        self.assertEqual(order.claim_id, claim)
        self.assertEqual(order.equipment_id, unit)
        self.assertEqual(order.service_type_id.code, "corrective")
        self.assertEqual(claim.resolution, "repair")
