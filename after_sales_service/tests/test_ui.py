from odoo.tests import HttpCase, tagged

from .common_screenshots import ScreenshotTourMixin


@tagged("post_install", "-at_install")
class TestUi(ScreenshotTourMixin, HttpCase):
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

    def test_costing_tour(self):
        """A service user records the part used and the hours worked on a started
        repair (one of the two reserved gaskets), has the customer sign off, completes
        it and invoices what the customer pays."""
        company = self.env.company
        if not company.chart_template:
            self.env["account.chart.template"].try_loading("generic_coa", company)
        customer = self.env["res.partner"].create({"name": "Tour Costing Customer"})
        gasket = self.env["product.product"].create(
            {"name": "Tour Gasket", "is_storable": True, "list_price": 40.0}
        )
        labour_product = self.env["product.product"].create(
            {"name": "Tour Labour", "type": "service", "list_price": 80.0}
        )
        mechanic = self.env["hr.employee"].create({"name": "Tour Mechanic", "hourly_cost": 45.0})
        stock = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(gasket, stock.lot_stock_id, 5.0)
        order = self.env["after_sales.order"].create(
            {
                "service_type_id": self.env.ref("after_sales_service.service_type_corrective").id,
                "partner_id": customer.id,
                "technician_ids": [(4, self.env.ref("base.user_admin").id)],
                "planned_date_start": "2026-12-01 08:00:00",
                "line_ids": [
                    (0, 0, {"line_type": "part", "product_id": gasket.id, "quantity": 2}),
                    (
                        0,
                        0,
                        {
                            "line_type": "labour",
                            "employee_id": mechanic.id,
                            "product_id": labour_product.id,
                            "quantity": 2,
                        },
                    ),
                ],
            }
        )
        order.task_ids.is_done = True
        order.action_start()
        self.assertEqual(order.line_ids.move_ids.state, "assigned")
        self.assertFalse(order.work_hours)
        self.assertFalse(order.signature)

        self.start_tour("/odoo", "after_sales_costing_tour", login="admin")

        self.assertEqual(order.state, "done")
        self.assertEqual(order.signed_by, "Jan Bakker")
        self.assertTrue(order.signature)
        self.assertTrue(order.signed_on)
        self.assertLessEqual(order.signed_on, order.date_done, "signed before it was done")
        part = order.line_ids.filtered(lambda line: line.line_type == "part")
        labour = order.line_ids - part
        self.assertEqual(part.quantity_done, 1)
        self.assertEqual(part.move_ids.filtered(lambda m: m.state == "done").quantity, 1)
        self.assertEqual(labour.quantity_done, 2)
        self.assertEqual(labour.cost_actual, 90.0)
        self.assertEqual(order.amount_billable, 40.0 + 160.0)
        self.assertEqual(order.invoice_status, "invoiced")
        invoice = order.invoice_ids
        self.assertEqual(invoice.partner_id, customer)
        self.assertEqual(invoice.amount_untaxed, 200.0)
        self.assertScreenshots("service_order")
