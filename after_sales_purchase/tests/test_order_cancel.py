"""Cancelling a service order given to a provider cancels the purchase order it
started, unless goods or a bill exist: then the purchaser is told."""

from odoo.tests import tagged

from odoo.addons.after_sales_service.tests.test_order_entries import OrderEntriesCommon


@tagged("post_install", "-at_install")
class TestOrderCancelPurchase(OrderEntriesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env["after_sales.provider"].create(
            {
                "partner_id": cls.vendor.id,
                "kind": "specialist",
                "labour_rate": 60.0,
                "travel_rate": 0.4,
                "warranty_allowed": True,
            }
        )

    def _ordered(self):
        order = self._order(
            self.warranty_unit,
            [
                {
                    "line_type": "subcontract",
                    "name": "Compressor replacement",
                    "vendor_id": self.vendor.id,
                    "quantity": 1.0,
                    "unit_cost": 200.0,
                },
                self._labour(hours=2.0, employee_id=False),
            ],
            provider_id=self.provider.id,
        )
        order.action_create_purchase_order()
        purchase = order.purchase_order_id
        purchase.button_confirm()
        return order, purchase

    def test_cancel_order_cancels_untouched_purchase_order(self):
        order, purchase = self._ordered()
        order.with_user(self.service_user).action_cancel()
        self.assertEqual(purchase.state, "cancel")
        self.assertFalse(order.purchase_order_id)
        self.assertIn("cancelled with this order", order.message_ids[:3].mapped("preview")[0])
        # a cancelled order orders nothing again, and nothing is left live
        self.assertFalse(
            self.env["purchase.order"].search(
                [("after_sales_order_id", "=", order.id), ("state", "!=", "cancel")]
            )
        )

    def test_cancel_order_keeps_received_purchase_order_with_an_activity(self):
        order, purchase = self._ordered()
        purchase.order_line[0].qty_received = 1.0
        order.action_cancel()
        self.assertEqual(order.state, "cancelled")
        self.assertEqual(purchase.state, "purchase")
        activity = purchase.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Service order cancelled")
        self.assertIn(order.name, activity.note)

    def test_cancel_order_keeps_billed_purchase_order(self):
        order, purchase = self._ordered()
        purchase.action_create_invoice()
        self.assertTrue(purchase.invoice_ids)
        order.action_cancel()
        self.assertEqual(purchase.state, "purchase")
        self.assertEqual(purchase.activity_ids.summary, "Service order cancelled")
