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

    def test_order_tour(self):
        """A technician opens their order, starts it, ticks the checklist, completes it."""
        technician = self.env["res.users"].create(
            {
                "name": "Tour Technician",
                "login": "tour_technician",
                "password": "tour_technician",
                "group_ids": [(4, self.env.ref("after_sales_service.group_technician").id)],
            }
        )
        customer = self.env["res.partner"].create({"name": "Tour Repair Customer"})
        template = self.env["after_sales.checklist.template"].create(
            {
                "name": "Tour repair",
                "sequence": 1,
                "service_type_id": self.env.ref("after_sales_service.service_type_corrective").id,
                "line_ids": [(0, 0, {"name": "Diagnose"}), (0, 0, {"name": "Repair"})],
            }
        )
        order = self.env["after_sales.order"].create(
            {
                "service_type_id": template.service_type_id.id,
                "partner_id": customer.id,
                "technician_ids": [(4, technician.id)],
                "checklist_template_id": template.id,
            }
        )
        self.assertEqual(len(order.task_ids), 2)

        self.start_tour("/odoo", "after_sales_order_tour", login="tour_technician")

        self.assertEqual(order.state, "done")
        self.assertTrue(all(order.task_ids.mapped("is_done")))
        self.assertEqual(order.task_ids.done_by_id, technician)
