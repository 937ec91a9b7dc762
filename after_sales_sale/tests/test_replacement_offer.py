"""Replacement offers with Sales: a draft quotation per customer and company with
the successor, linked to the units it replaces, never twice while it is open."""

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.after_sales_service.tests.common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestReplacementOffer(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old_product = cls.env["product.product"].create(
            {
                "name": "Espresso Machine X100",
                "is_storable": True,
                "tracking": "serial",
                "after_sales_obsolete": True,
                "after_sales_successor_id": cls.espresso.id,
            }
        )
        cls.old_grinder = cls.env["product.product"].create(
            {
                "name": "Grinder G5",
                "is_storable": True,
                "tracking": "serial",
                "after_sales_obsolete": True,
                "after_sales_successor_id": cls.dishwasher.id,
            }
        )
        lots = [cls._make_lot(cls.old_product, f"X100-{n}") for n in range(1, 4)]
        grinder_lot = cls._make_lot(cls.old_grinder, "G5-1")
        cls._deliver(cls.old_product, lots[0] | lots[1], cls.customer_site)
        cls._deliver(cls.old_product, lots[2], cls.other_customer)
        cls._deliver(cls.old_grinder, grinder_lot, cls.customer)
        Equipment = cls.env["after_sales.equipment"]
        cls.units = Equipment.search([("lot_id", "in", [lot.id for lot in lots])])
        cls.grinder_unit = Equipment.search([("lot_id", "=", grinder_lot.id)])
        cls.seller = cls.service_user
        cls.seller.write(
            {"group_ids": [Command.link(cls.env.ref("sales_team.group_sale_salesman").id)]}
        )

    def _orders(self):
        return self.env["sale.order"].search(
            [("order_line.after_sales_equipment_ids", "!=", False)]
        )

    def test_offer_from_the_product(self):
        units = self.units | self.grinder_unit
        self.old_product.product_tmpl_id.with_user(
            self.seller
        ).action_after_sales_offer_replacement()
        self.old_grinder.product_tmpl_id.with_user(
            self.seller
        ).action_after_sales_offer_replacement()
        orders = self._orders()
        # the customer's grinder is in a second quotation: the first is open
        self.assertEqual(len(orders), 3)
        customer_orders = orders.filtered(lambda o: o.partner_id == self.customer)
        self.assertEqual(len(customer_orders), 2)
        first = customer_orders.filtered(lambda o: self.espresso in o.order_line.product_id)
        self.assertRecordValues(
            first,
            [{"state": "draft", "company_id": self.company.id, "user_id": self.seller.id}],
        )
        self.assertRecordValues(
            first.order_line,
            [{"product_id": self.espresso.id, "product_uom_qty": 2.0}],
        )
        mine = self.units.filtered(lambda u: u.partner_id == self.customer)
        self.assertEqual(first.order_line.after_sales_equipment_ids, mine)
        self.assertEqual(first.after_sales_equipment_ids, mine)
        other = orders.filtered(lambda o: o.partner_id == self.other_customer)
        self.assertRecordValues(
            other.order_line, [{"product_id": self.espresso.id, "product_uom_qty": 1.0}]
        )
        self.assertEqual(units._replacement_offer_pending(), units)
        self.assertFalse(units.activity_ids, "quotations, not activities")

        # not twice while the quotations are open
        with self.assertRaises(UserError):
            self.old_product.product_tmpl_id.with_user(
                self.seller
            ).action_after_sales_offer_replacement()
        self.assertEqual(self._orders(), orders, "nothing written")

        # a cancelled quotation may be offered again, and only for its units
        first.with_user(self.seller).action_cancel()
        action = (
            self.env["after_sales.obsolete.unit"]
            .browse((self.units | self.grinder_unit).ids)
            .with_user(self.seller)
            .action_offer_replacement()
        )
        new = self._orders() - orders
        self.assertEqual(len(new), 1)
        self.assertEqual(action["res_id"], new.id)
        self.assertEqual(new.order_line.after_sales_equipment_ids, mine)
        self.assertEqual(new.order_line.product_uom_qty, 2.0)

    def test_one_quotation_per_customer_with_a_line_per_successor(self):
        (self.units | self.grinder_unit).with_user(self.seller).action_offer_replacement()
        order = self._orders().filtered(lambda o: o.partner_id == self.customer)
        self.assertEqual(len(order), 1)
        self.assertEqual(
            {(line.product_id, line.product_uom_qty) for line in order.order_line},
            {(self.espresso, 2.0), (self.dishwasher, 1.0)},
        )
        dishwasher_line = order.order_line.filtered(lambda line: line.product_id == self.dishwasher)
        self.assertEqual(dishwasher_line.after_sales_equipment_ids, self.grinder_unit)

    def test_refusals(self):
        # a technician makes no offer
        with self.assertRaises(AccessError):
            self.units.with_user(self.technician).action_offer_replacement()
        # nor does a product that is not obsolete
        with self.assertRaisesRegex(UserError, "not obsolete"):
            self.espresso.product_tmpl_id.with_user(
                self.seller
            ).action_after_sales_offer_replacement()
        self.assertFalse(self._orders(), "nothing written")

    def test_from_offer_to_disposal(self):
        """An obsolete unit under contract: offer, successor delivered, contract
        moved with consent, old unit taken back and recycled."""
        old_unit = self.units.filtered(lambda u: u.partner_id == self.customer)[:1]
        contract = self._create_contract(old_unit)
        contract.action_start()
        self.seller.write({"group_ids": [Command.link(self.env.ref("stock.group_stock_user").id)]})

        self.old_product.product_tmpl_id.with_user(
            self.seller
        ).action_after_sales_offer_replacement()
        order = self._orders().filtered(lambda o: o.partner_id == self.customer)
        self.assertEqual(order.order_line.product_id, self.espresso)
        self.assertIn(old_unit, order.order_line.after_sales_equipment_ids)
        order.with_user(self.seller).action_confirm()
        self.assertEqual(order.state, "sale")
        # an accepted offer is not made again
        with self.assertRaises(UserError):
            old_unit.with_user(self.seller).action_offer_replacement()
        self.assertEqual(len(self._orders().filtered(lambda o: o.partner_id == self.customer)), 1)

        # the successor is delivered, the contract moves to it with the customer's consent
        new_lot = self._make_lot(self.espresso, "X200-REPL")
        self._deliver(self.espresso, new_lot, self.customer_site)
        new_unit = self.env["after_sales.equipment"].search([("lot_id", "=", new_lot.id)])
        contact = self.env["res.partner"].create({"name": "Owner", "parent_id": self.customer.id})
        move = (
            self.env["after_sales.contract.move"]
            .with_user(self.seller)
            .create(
                {
                    "contract_id": contract.id,
                    "equipment_id": old_unit.id,
                    "successor_equipment_id": new_unit.id,
                    "is_consent_given": True,
                    "consent_date": "2026-03-01",
                    "consent_partner_id": contact.id,
                }
            )
        )
        move.action_confirm()
        self.assertEqual(contract.equipment_ids, new_unit)

        # the old unit comes back and is recycled
        old_unit.with_user(self.seller).action_take_back()
        picking = old_unit.take_back_picking_id
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        disposal = (
            self.env["after_sales.disposal"]
            .with_user(self.seller)
            .create({"equipment_id": old_unit.id, "kind": "recycling"})
        )
        disposal.action_confirm()
        self.assertEqual(disposal.scrap_id.state, "done")
        self.assertFalse(old_unit.active)
        self.env.flush_all()
        self.assertNotIn(old_unit, self.env["after_sales.obsolete.unit"].search([]).equipment_id)

    def test_salesman_without_after_sales_rights(self):
        """A salesman who is not in After-Sales works on the quotation as usual."""
        self.units.with_user(self.seller).action_offer_replacement()
        order = self._orders()[:1]
        salesman = new_test_user(
            self.env,
            login="eol_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
        )
        with Form(order.with_user(salesman)) as form:
            form.note = "Trade-in price for your X100 included."
        self.assertEqual(order.state, "draft")
        with self.assertRaises(AccessError):
            order.with_user(salesman).read(["after_sales_equipment_ids"])
