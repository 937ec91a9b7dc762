from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    def test_contract_tour(self):
        """A service user creates a contract for a customer's unit and starts it."""
        customer = self.env["res.partner"].create({"name": "Tour Bakery", "is_company": True})
        product = self.env["product.product"].create(
            {"name": "Tour Espresso", "is_storable": True, "tracking": "serial"}
        )
        lot = self.env["stock.lot"].create({"name": "TOUR-001", "product_id": product.id})
        equipment = self.env["after_sales.equipment"].create(
            {"product_id": product.id, "lot_id": lot.id, "partner_id": customer.id}
        )

        self.start_tour("/odoo", "after_sales_contract_tour", login="admin")

        contract = self.env["after_sales.contract"].search([("partner_id", "=", customer.id)])
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.equipment_ids, equipment)
        self.assertEqual(contract.price, 75)
