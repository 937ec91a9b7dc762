"""A service order given to a provider: its purchase order, the provider's bill of it
as the order's actual cost, charged once where the coverage puts it."""

from datetime import date

import psycopg2.errors
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.after_sales_service.tests.test_order_entries import OrderEntriesCommon


@tagged("post_install", "-at_install")
class TestSubcontracting(OrderEntriesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env["after_sales.provider"].create(
            {
                "partner_id": cls.vendor.id,
                "kind": "specialist",
                "labour_rate": 60.0,
                "travel_rate": 0.4,
                "parts_margin": 10.0,
                "warranty_allowed": True,
            }
        )

    def _provider_order(self, equipment=None, **vals):
        return self._order(
            equipment or self.warranty_unit,
            [
                {
                    "line_type": "subcontract",
                    "name": "Compressor replacement",
                    "vendor_id": self.vendor.id,
                    "quantity": 1.0,
                    "unit_cost": 200.0,
                },
                self._labour(hours=2.0, employee_id=False),
                self._travel(km=10.0),
                self._part(quantity=2.0),
            ],
            provider_id=self.provider.id,
            **vals,
        )

    def _provision_items(self, order):
        return self.env["account.move.line"].search(
            [
                ("after_sales_order_id", "=", order.id),
                ("account_id", "=", self.provision_account.id),
                ("parent_state", "=", "posted"),
            ]
        )

    @freeze_time("2026-03-03 10:00:00")
    def test_warranty_repair_from_order_to_bill(self):
        order = self._provider_order()
        self.assertEqual(order.coverage_source, "warranty")
        subcontract, labour, travel, part = order.line_ids

        order.action_create_purchase_order()
        purchase = order.purchase_order_id
        self.assertRecordValues(
            purchase,
            [
                {
                    "partner_id": self.vendor.id,
                    "origin": order.name,
                    "after_sales_order_id": order.id,
                    "amount_untaxed": 346.0,
                }
            ],
        )
        # subcontracted 1 x 200; labour 2 h x 60; travel 10 km x 0.40; parts 2 x 10 + 10 %
        self.assertRecordValues(
            purchase.order_line.sorted("sequence"),
            [
                {"after_sales_order_line_id": line.id, "product_qty": qty, "price_unit": price}
                for line, qty, price in (
                    (subcontract, 1.0, 200.0),
                    (labour, 2.0, 60.0),
                    (travel, 10.0, 0.4),
                    (part, 2.0, 11.0),
                )
            ],
        )
        self.assertEqual(subcontract.purchase_line_ids, purchase.order_line[0])
        # the agreement is the planned cost; nothing is billed yet
        self.assertEqual(order.cost_planned, 346.0)
        self.assertEqual(order.cost_actual, 0.0)

        # not twice
        with self.assertRaisesRegex(UserError, "already has a purchase order"):
            order.action_create_purchase_order()
        self.assertEqual(len(order.purchase_order_ids), 1)

        purchase.button_confirm()
        self._finish(order)
        # the provider's work is not in the order's own cost entry, its parts not
        # taken from our stock
        self.assertFalse(order.cost_move_ids)
        self.assertFalse(part.sudo().move_ids)
        self.assertFalse(self._provision_items(order))

        purchase.action_create_invoice()
        bill = purchase.invoice_ids
        self.assertEqual(len(bill), 1)
        self.assertEqual(bill.invoice_line_ids.after_sales_order_id, order)
        bill.invoice_date = date(2026, 3, 3)
        bill.action_post()

        # the bill is the actual cost of the lines it charges
        self.assertEqual(
            [subcontract.cost_actual, labour.cost_actual, travel.cost_actual, part.cost_actual],
            [200.0, 120.0, 4.0, 22.0],
        )
        self.assertEqual(order.cost_actual, 346.0)
        # the warranty pays parts and labour in full and half of the travel
        self.assertEqual(order.cost_warranty, 344.0)
        self.assertEqual(order.cost_billable, 2.0)
        self.assertEqual(order.vendor_bill_count, 1)

        # in the provision usage exactly once: 200 + 120 work, 22 parts, 2 travel
        items = self._provision_items(order)
        self.assertEqual(len(items.move_id), 1)
        entry = items.move_id
        self.assertRecordValues(
            entry,
            [
                {
                    "state": "posted",
                    "after_sales_entry_kind": "usage",
                    "after_sales_source_move_id": bill.id,
                    "after_sales_cost_order_id": False,
                    "date": date(2026, 3, 3),
                }
            ],
        )
        by_kind = {}
        for item in items:
            by_kind[item.after_sales_provision_kind] = (
                by_kind.get(item.after_sales_provision_kind, 0.0) + item.debit - item.credit
            )
        self.assertEqual(by_kind, {"usage_labour": 320.0, "usage_parts": 22.0, "usage_other": 2.0})
        billable = entry.line_ids.filtered(
            lambda item: item.account_id == self.billable_cost_account
        )
        self.assertEqual(billable.debit, 2.0)
        # the entry credits what the bill debited: the expense of the bill is moved, not doubled
        expense_accounts = bill.invoice_line_ids.account_id
        self.assertEqual(
            sum(
                entry.line_ids.filtered(lambda i: i.account_id in expense_accounts).mapped("credit")
            ),
            346.0,
        )
        bill_and_entry = (bill | entry).line_ids.filtered(
            lambda item: item.account_id in expense_accounts
        )
        self.assertEqual(sum(bill_and_entry.mapped("balance")), 0.0)
        self.assertEqual(sum(entry.line_ids.mapped("debit")), 346.0)
        # the old vendor bill of subcontracted work does not bill it again
        with self.assertRaisesRegex(UserError, "no subcontracted work left"):
            order.action_create_vendor_bill()
        # nor the order's own cost entry
        self.assertFalse(order._prepare_cost_entry_vals())

        # the bill cancelled: its cost is undone
        bill.button_draft()
        bill.button_cancel()
        self.assertEqual(order.cost_actual, 0.0)
        self.assertEqual(order.cost_warranty, 0.0)
        items = self._provision_items(order)
        self.assertEqual(len(items.move_id), 2)  # the entry and its reversal
        self.assertEqual(sum(items.mapped("balance")), 0.0)

        # the purchase order cancelled frees the order: a new one (of a done order,
        # the subcontracted work only)
        purchase.button_cancel()
        self.assertFalse(order.purchase_order_id)
        order.action_create_purchase_order()
        self.assertEqual(order.purchase_order_id.order_line.after_sales_order_line_id, subcontract)
        self.assertEqual(len(order.purchase_order_ids), 2)

    def test_one_live_purchase_order_in_the_database(self):
        """Two users ordering at once: the database refuses the second live purchase
        order of a service order, not a cancelled one."""
        order = self._provider_order(self.old_unit)
        order.action_create_purchase_order()
        vals = {"partner_id": self.vendor.id, "after_sales_order_id": order.id}
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation):
            self.env["purchase.order"].create(vals)
        order.purchase_order_id.button_cancel()
        self.env.flush_all()
        self.env["purchase.order"].create(vals)
        self.assertEqual(len(order.purchase_order_ids), 2)

    def test_order_without_provider_refused(self):
        order = self._order(self.old_unit, [self._labour()])
        with self.assertRaisesRegex(UserError, "service provider"):
            order.action_create_purchase_order()
        self.assertFalse(order.purchase_order_ids)

    def test_cancelled_order_refused(self):
        order = self._provider_order(self.old_unit)
        order.action_cancel()
        with self.assertRaisesRegex(UserError, "cancelled"):
            order.action_create_purchase_order()
        self.assertFalse(order.purchase_order_ids)

    def test_nothing_to_order_refused(self):
        order = self._order(self.old_unit, [], provider_id=self.provider.id)
        with self.assertRaisesRegex(UserError, "nothing|no subcontracted work"):
            order.action_create_purchase_order()
        self.assertFalse(order.purchase_order_ids)

    def test_subcontracted_work_of_another_vendor_stays_off(self):
        other = self.env["res.partner"].create({"name": "Elektro Pietersen"})
        order = self._order(
            self.old_unit,
            [
                {
                    "line_type": "subcontract",
                    "vendor_id": other.id,
                    "quantity": 1.0,
                    "unit_cost": 80.0,
                },
                self._labour(hours=1.0, employee_id=False),
            ],
            provider_id=self.provider.id,
        )
        order.action_create_purchase_order()
        self.assertEqual(
            order.purchase_order_id.order_line.after_sales_order_line_id,
            order.line_ids.filtered(lambda line: line.line_type == "labour"),
        )

    @freeze_time("2026-03-03 10:00:00")
    def test_customer_paid_work_lands_on_the_customer_cost(self):
        order = self._provider_order(self.old_unit)
        self.assertEqual(order.coverage_source, "none")
        order.action_create_purchase_order()
        purchase = order.purchase_order_id
        purchase.button_confirm()
        purchase.action_create_invoice()
        bill = purchase.invoice_ids
        bill.invoice_date = date(2026, 3, 3)
        bill.action_post()
        self.assertFalse(self._provision_items(order))
        self.assertEqual(order.cost_billable, 346.0)
        entry = self.env["account.move"].search([("after_sales_source_move_id", "=", bill.id)])
        self.assertEqual(
            sum(
                entry.line_ids.filtered(
                    lambda item: item.account_id == self.billable_cost_account
                ).mapped("debit")
            ),
            346.0,
        )
