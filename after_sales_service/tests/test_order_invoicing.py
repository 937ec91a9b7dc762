import threading
import time
from datetime import date, datetime
from unittest.mock import patch

import psycopg2

from odoo import api
from odoo.api import SUPERUSER_ID
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, Form, get_db_name, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.after_sales_service.models.after_sales_order_invoice import AfterSalesOrder

from .common import AfterSalesCommon


class OrderInvoicingCommon(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = (
            cls.env["hr.employee"].sudo().create({"name": "Jan Monteur", "hourly_cost": 40.0})
        )
        cls.labour_product = cls._service_product("Service Hour", 80.0)
        cls.travel_product = cls._service_product("Travel (km)", 0.83)
        cls.parking_product = cls._service_product("Parking", 7.5)
        cls.gasket = cls.env["product.product"].create(
            {
                "name": "Boiler Gasket",
                "type": "consu",
                "lst_price": 12.34,
                "taxes_id": [Command.set(cls.tax_sale_a.ids)],
            }
        )
        # the espresso machine: parts and labour 100 %, travel 50 % under warranty
        cls.unit_in_warranty = cls._create_equipment(delivery_date=date(2026, 1, 1))
        cls.unit_out_of_warranty = cls._create_equipment(delivery_date=date(2020, 1, 1))
        cls.other_unit = cls._create_equipment(
            partner=cls.other_customer, delivery_date=date(2020, 1, 1)
        )

    @classmethod
    def _service_product(cls, name, price, taxes=None):
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "service",
                "lst_price": price,
                "taxes_id": [Command.set((taxes or cls.tax_sale_a).ids)],
            }
        )

    def _labour(self, hours, product=None):
        return {
            "line_type": "labour",
            "employee_id": self.employee.id,
            "product_id": (product or self.labour_product).id,
            "quantity_done": hours,
        }

    def _travel(self, km):
        return {"line_type": "travel", "product_id": self.travel_product.id, "quantity_done": km}

    def _part(self, quantity):
        return {"line_type": "part", "product_id": self.gasket.id, "quantity_done": quantity}

    def _parking(self):
        return {"line_type": "expense", "product_id": self.parking_product.id, "quantity_done": 1}

    def _order(self, equipment, *lines):
        return self.env["after_sales.order"].create(
            {
                "service_type_id": self.type_corrective.id,
                "partner_id": equipment.partner_id.id,
                "equipment_id": equipment.id,
                "date_received": datetime(2026, 3, 2, 9, 0),
                "line_ids": [Command.create(vals) for vals in lines],
            }
        )

    def _done_order(self, equipment, *lines):
        order = self._order(equipment, *lines)
        order.action_start()
        order.action_done()
        return order

    def _count_invoices(self):
        return self.env["account.move"].search_count([("move_type", "=", "out_invoice")])


@tagged("post_install", "-at_install")
class TestOrderInvoicing(OrderInvoicingCommon):
    def test_one_invoice_per_customer_for_the_billable_part(self):
        repair = self._done_order(
            self.unit_out_of_warranty,
            self._labour(2.5),
            self._part(3),
            self._travel(37),
            self._parking(),
        )
        warranty_repair = self._done_order(
            self.unit_in_warranty,
            self._labour(1.5),
            self._part(2),
            self._travel(37),
            self._parking(),
        )
        other_repair = self._done_order(self.other_unit, self._labour(1))
        orders = repair | warranty_repair | other_repair
        self.assertEqual(set(orders.mapped("invoice_status")), {"to_invoice"})

        action = orders.action_create_invoice()

        invoices = self.env["account.move"].search(action["domain"])
        self.assertEqual(len(invoices), 2, "one invoice per customer")
        invoice = repair.invoice_ids
        self.assertEqual(warranty_repair.invoice_ids, invoice)
        self.assertEqual(invoices - invoice, other_repair.invoice_ids)
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertEqual((invoice.move_type, invoice.state), ("out_invoice", "draft"))
        self.assertEqual(invoice.invoice_origin, f"{repair.name}, {warranty_repair.name}")
        # the billable lines only: the warranty pays the labour and parts of the second
        billed = (repair | warranty_repair).line_ids.filtered("billable_amount")
        self.assertEqual(len(billed), 4 + 2)
        self.assertEqual(invoice.invoice_line_ids.after_sales_order_line_id, billed)
        for line in invoice.invoice_line_ids:
            order_line = line.after_sales_order_line_id
            self.assertEqual(line.price_subtotal, order_line.billable_amount, order_line.name)
            self.assertEqual(line.quantity, order_line.quantity_done)
            self.assertEqual(line.product_id, order_line.product_id)
            self.assertEqual(line.tax_ids, self.tax_sale_a)
            self.assertEqual(line.after_sales_order_id, order_line.order_id)
            self.assertIn(order_line.order_id.name, line.name)
            self.assertIn(order_line.split_reason, line.name)
        self.assertAlmostEqual(
            invoice.amount_untaxed, repair.amount_billable + warranty_repair.amount_billable
        )
        # 200.00 labour + 37.02 parts + 30.71 travel + 7.50 parking; half the travel
        self.assertAlmostEqual(repair.amount_billable, 275.23)
        travel = invoice.invoice_line_ids.filtered(
            lambda line: (
                line.after_sales_order_id == warranty_repair
                and line.product_id == self.travel_product
            )
        )
        self.assertAlmostEqual(travel.price_subtotal, 15.35)
        self.assertIn("Warranty pays 50 %", travel.name)
        self.assertEqual(set(orders.mapped("invoice_status")), {"invoiced"})
        self.assertEqual(repair.invoice_count, 1)
        self.assertEqual(
            self.env["account.move"].search(repair.action_view_invoices()["domain"]), invoice
        )

    def test_form_button_on_one_order(self):
        order = self._order(self.unit_out_of_warranty, self._labour(1))
        distribution = False
        if "analytic_distribution" in order._fields:
            plan = self.env["account.analytic.plan"].create({"name": "Service"})
            account = self.env["account.analytic.account"].create(
                {"name": "Repairs", "plan_id": plan.id}
            )
            distribution = {str(account.id): 100.0}
            order.analytic_distribution = distribution
        order.action_start()
        order.action_done()
        action = order.action_create_invoice()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(invoice.amount_untaxed, 80.0)
        self.assertEqual(invoice.invoice_line_ids.analytic_distribution or False, distribution)

    def test_untaxed_amount_is_exact(self):
        """Prices and shares that do not divide evenly: the untaxed amount of each
        invoice line is still the customer's part to the cent."""
        self.labour_product.lst_price = 33.33
        self.travel_product.lst_price = 0.17
        labour = self._labour(3)
        labour.update(goodwill_pct=33.0, goodwill_reason="Second visit for the same fault")
        repair = self._done_order(self.unit_out_of_warranty, labour)
        warranty_repair = self._done_order(
            self.unit_in_warranty, self._travel(7.3), self._travel(13)
        )
        orders = repair | warranty_repair
        invoice = self.env["account.move"].browse(orders.action_create_invoice()["res_id"])
        self.assertEqual(len(invoice.invoice_line_ids), 3)
        for line in invoice.invoice_line_ids:
            self.assertEqual(line.price_subtotal, line.after_sales_order_line_id.billable_amount)
        self.assertAlmostEqual(
            invoice.amount_untaxed, repair.amount_billable + warranty_repair.amount_billable
        )
        # 99.99 less 33 % goodwill (33.00)
        self.assertAlmostEqual(repair.amount_billable, 66.99)
        self.assertIn("goodwill 33 %", invoice.invoice_line_ids[0].name)

    def test_price_included_tax(self):
        tax_included = self.env["account.tax"].create(
            {
                "name": "21 % included",
                "amount": 21.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        product = self._service_product("Calibration", 33.33, taxes=tax_included)
        order = self._done_order(self.unit_out_of_warranty, self._labour(3, product))
        invoice = self.env["account.move"].browse(order.action_create_invoice()["res_id"])
        self.assertEqual(invoice.invoice_line_ids.tax_ids, tax_included)
        self.assertEqual(invoice.amount_untaxed, 99.99)
        self.assertEqual(invoice.amount_tax, 21.0)

    def test_taxes_follow_the_fiscal_position(self):
        self.customer.property_account_position_id = self.fiscal_pos_a
        order = self._done_order(self.unit_out_of_warranty, self._labour(1))
        invoice = self.env["account.move"].browse(order.action_create_invoice()["res_id"])
        self.assertEqual(invoice.fiscal_position_id, self.fiscal_pos_a)
        self.assertEqual(invoice.invoice_line_ids.tax_ids, self.tax_sale_b)
        self.assertEqual(invoice.amount_untaxed, 80.0)

    def test_fully_covered_order_has_nothing_to_invoice(self):
        order = self._done_order(self.unit_in_warranty, self._labour(2), self._part(1))
        self.assertEqual(order.amount_billable, 0.0)
        self.assertEqual(order.invoice_status, "no")
        invoices = self._count_invoices()
        with self.assertRaisesRegex(UserError, "nothing to invoice"):
            order.action_create_invoice()
        self.assertEqual(self._count_invoices(), invoices)

    def test_order_not_done_is_refused(self):
        order = self._order(self.unit_out_of_warranty, self._labour(2))
        order.action_start()
        self.assertEqual(order.invoice_status, "no")
        done = self._done_order(self.unit_out_of_warranty, self._labour(1))
        invoices = self._count_invoices()
        with self.assertRaisesRegex(UserError, "not done"):
            (done | order).action_create_invoice()
        self.assertEqual(self._count_invoices(), invoices, "nothing written, not even the done one")
        self.assertEqual(done.invoice_status, "to_invoice")

    def test_already_invoiced_order_is_refused(self):
        order = self._done_order(self.unit_out_of_warranty, self._labour(2))
        invoice = self.env["account.move"].browse(order.action_create_invoice()["res_id"])
        invoices = self._count_invoices()
        with self.assertRaisesRegex(UserError, "already invoiced") as refused:
            order.action_create_invoice()
        self.assertIn(invoice.display_name, str(refused.exception))
        self.assertEqual(self._count_invoices(), invoices)
        invoice.action_post()
        with self.assertRaisesRegex(UserError, "already invoiced"):
            order.action_create_invoice()
        self.assertEqual(self._count_invoices(), invoices)

    def test_unique_index_is_the_guarantee(self):
        """Without the checks in Python (a second worker that did not see the first
        invoice yet), the database refuses a second live invoice line."""
        order = self._done_order(self.unit_out_of_warranty, self._labour(2))
        order.action_create_invoice()
        with (
            patch.object(
                AfterSalesOrder, "_billed_order_lines", lambda self: self.line_ids.browse()
            ),
            self.assertRaisesRegex(UserError, "already invoiced by another invoice"),
        ):
            order._create_invoices()
        line = order.invoice_line_ids
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation):
            self.env["account.move.line"].create(
                {
                    "move_id": line.move_id.id,
                    "name": "Second line for the same work",
                    "account_id": line.account_id.id,
                    "quantity": 1.0,
                    "price_unit": 1.0,
                    "after_sales_order_id": order.id,
                    "after_sales_order_line_id": line.after_sales_order_line_id.id,
                    "after_sales_is_billing": True,
                }
            )

    def test_cancelled_or_deleted_invoice_frees_the_order(self):
        order = self._done_order(self.unit_out_of_warranty, self._labour(2))
        first = self.env["account.move"].browse(order.action_create_invoice()["res_id"])
        first.action_post()
        first.button_cancel()
        self.assertEqual(order.invoice_status, "to_invoice")
        second = self.env["account.move"].browse(order.action_create_invoice()["res_id"])
        self.assertEqual(order.invoice_status, "invoiced")
        # the cancelled invoice cannot come back while the second bills the order
        with self.assertRaisesRegex(UserError, "already invoiced by another invoice"):
            first.button_draft()
        first.invalidate_recordset()
        self.assertEqual(first.state, "cancel")
        second.unlink()
        self.assertEqual(order.invoice_status, "to_invoice")
        first.button_draft()
        self.assertEqual(order.invoice_status, "invoiced")

    def test_credit_note_frees_the_order(self):
        order = self._done_order(self.unit_out_of_warranty, self._labour(2), self._parking())
        invoice = self.env["account.move"].browse(order.action_create_invoice()["res_id"])
        invoice.action_post()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Wrong customer"})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(order.invoice_status, "invoiced", "a draft credit note frees nothing")
        self.assertEqual(order.invoice_ids, invoice | credit_note)
        # the credit note shows the order, but does not bill it
        self.assertEqual(credit_note.invoice_line_ids.after_sales_order_id, order)
        self.assertFalse(any(credit_note.invoice_line_ids.mapped("after_sales_is_billing")))
        credit_note.action_post()
        self.assertTrue(all(invoice.invoice_line_ids.mapped("after_sales_credited")))
        self.assertEqual(order.invoice_status, "to_invoice")
        # reset: the invoice bills the order again
        credit_note.button_draft()
        self.assertEqual(order.invoice_status, "invoiced")
        credit_note.action_post()
        new_invoice = self.env["account.move"].browse(order.action_create_invoice()["res_id"])
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(new_invoice.amount_untaxed, invoice.amount_untaxed)
        # the credit note cannot be undone while the new invoice bills the order
        with self.assertRaisesRegex(UserError, "already invoiced by another invoice"):
            credit_note.button_draft()

    def test_reverse_and_create_invoice_keeps_the_order_billed(self):
        order = self._done_order(self.unit_out_of_warranty, self._labour(2))
        invoice = self.env["account.move"].browse(order.action_create_invoice()["res_id"])
        invoice.action_post()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Other address"})
        )
        new_invoice = self.env["account.move"].browse(reversal.modify_moves()["res_id"])
        self.assertEqual(new_invoice.move_type, "out_invoice")
        self.assertEqual(new_invoice.invoice_line_ids.after_sales_order_line_id, order.line_ids)
        self.assertEqual(order.invoice_status, "invoiced")
        with self.assertRaisesRegex(UserError, "already invoiced"):
            order.action_create_invoice()

    def test_list_action_and_form(self):
        orders = self._done_order(self.unit_out_of_warranty, self._labour(1)) | self._done_order(
            self.unit_out_of_warranty, self._parking()
        )
        server_action = self.env.ref("after_sales_service.after_sales_order_action_create_invoice")
        action = server_action.with_context(
            active_model="after_sales.order", active_ids=orders.ids
        ).run()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(invoice.invoice_line_ids.after_sales_order_id, orders)
        form = Form(orders[0])
        self.assertEqual(form.invoice_status, "invoiced")
        self.assertEqual(form.invoice_count, 1)


@tagged("post_install", "-at_install")
class TestOrderInvoicingConcurrency(BaseCase):
    """Two users invoice the same orders at the same moment, in real, separate
    transactions (these tests commit, and delete what they made)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner = env["res.partner"].create(
                {"name": "Concurrency customer", "is_company": True}
            )
            product = env["product.product"].create({"name": "Concurrency unit", "type": "consu"})
            parking = env["product.product"].create(
                {"name": "Concurrency parking", "type": "service", "lst_price": 7.5}
            )
            equipment = env["after_sales.equipment"].create(
                {"product_id": product.id, "partner_id": partner.id}
            )
            orders = env["after_sales.order"].create(
                [
                    {
                        "service_type_id": env.ref(
                            "after_sales_service.service_type_corrective"
                        ).id,
                        "partner_id": partner.id,
                        "equipment_id": equipment.id,
                        "line_ids": [
                            Command.create(
                                {
                                    "line_type": "expense",
                                    "product_id": parking.id,
                                    "quantity_done": 1,
                                }
                            )
                        ],
                    }
                    for _i in range(3)
                ]
            )
            orders.action_start()
            orders.action_done()
            self.made = {
                "orders": orders.ids,
                "equipment": equipment.ids,
                "products": (product | parking).ids,
                "partner": partner.ids,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["account.move"].search(
                [("line_ids.after_sales_order_id", "in", self.made["orders"])]
            ).unlink()
            # done orders are history and refuse unlink(): this is test data
            env.execute_query(
                SQL("DELETE FROM after_sales_order WHERE id IN %s", tuple(self.made["orders"]))
            )
            env.invalidate_all()
            env["after_sales.equipment"].browse(self.made["equipment"]).unlink()
            env["product.product"].browse(self.made["products"]).unlink()
            env["res.partner"].browse(self.made["partner"]).unlink()

    def _invoice(self, before=None, after=None):
        """A worker: invoice the orders in its own transaction; ``before`` and
        ``after`` are called around (e.g. barriers)."""
        outcome = {}

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    if before:
                        before()
                    try:
                        orders = env["after_sales.order"].browse(self.made["orders"])
                        outcome["invoices"] = orders._create_invoices().ids
                    finally:
                        if after:
                            after()
            except Exception as error:  # noqa: BLE001 - reported by the test
                outcome["error"] = error

        thread = threading.Thread(target=worker)
        thread.start()
        return thread, outcome

    def _invoices(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            orders = env["after_sales.order"].browse(self.made["orders"])
            invoices = env["account.move"].search(
                [("line_ids.after_sales_order_id", "in", orders.ids)]
            )
            return (
                len(invoices),
                len(invoices.invoice_line_ids),
                set(orders.mapped("invoice_status")),
            )

    def test_two_users_at_once(self):
        barrier = threading.Barrier(2)
        workers = [self._invoice(before=lambda: barrier.wait(timeout=30)) for _i in range(2)]
        for thread, _outcome in workers:
            thread.join(timeout=120)
        outcomes = [outcome for _thread, outcome in workers]
        self.assertEqual(sorted("invoices" in outcome for outcome in outcomes), [False, True])
        error = next(outcome["error"] for outcome in outcomes if "error" in outcome)
        self.assertIsInstance(error, UserError)
        self.assertRegex(str(error), "being invoiced by someone else|already invoiced")
        self.assertEqual(self._invoices(), (1, 3, {"invoiced"}))

    def test_second_user_while_the_first_is_invoicing(self):
        """The first holds the lock (its transaction is still open): the second is
        told at once, and does not wait."""
        invoiced = threading.Event()
        second_done = threading.Event()
        first, first_outcome = self._invoice(
            after=lambda: (invoiced.set(), second_done.wait(timeout=60))
        )
        invoiced.wait(timeout=60)
        second, second_outcome = self._invoice(after=second_done.set)
        second.join(timeout=60)
        first.join(timeout=60)
        self.assertIn("invoices", first_outcome)
        self.assertIsInstance(second_outcome.get("error"), UserError)
        self.assertIn("being invoiced by someone else", str(second_outcome["error"]))
        self.assertEqual(self._invoices(), (1, 3, {"invoiced"}))

    def test_database_refuses_what_the_lock_missed(self):
        """Without the row lock, the second transaction does not see the first's
        uncommitted invoice and passes every check: the unique index makes it
        wait for the first and then refuses its invoice lines."""
        invoiced = threading.Event()
        with patch.object(AfterSalesOrder, "_lock_for_invoicing", lambda self: None):
            first, first_outcome = self._invoice(after=lambda: (invoiced.set(), time.sleep(1.0)))
            invoiced.wait(timeout=60)
            second, second_outcome = self._invoice()
            first.join(timeout=60)
            second.join(timeout=60)
        self.assertIn("invoices", first_outcome)
        self.assertIsInstance(second_outcome.get("error"), UserError)
        self.assertIn("already invoiced by another invoice", str(second_outcome["error"]))
        self.assertEqual(self._invoices(), (1, 3, {"invoiced"}))
