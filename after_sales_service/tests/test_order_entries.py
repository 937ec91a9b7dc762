"""The cost entry of done service orders: one posted entry per order that charges the
warranty share to the provision, the contract share to the contract's analytic account,
goodwill to its expense and the customer's share to the cost of billable service;
subcontracted work on the subcontractor's draft vendor bill."""

from datetime import date, datetime
from unittest.mock import patch

import psycopg2.errors
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AfterSalesCommon


class OrderEntriesCommon(AfterSalesCommon):
    """Units in and out of warranty and under contract, a stocked part, a technician
    with an hourly cost and a travel product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.provision_account = company.after_sales_provision_account_id
        cls.parts_account = company.after_sales_parts_account_id
        cls.absorbed_account = company.after_sales_cost_absorbed_account_id
        cls.billable_cost_account = company.after_sales_service_cost_account_id
        cls.contract_cost_account = company.after_sales_contract_cost_account_id
        cls.goodwill_account = company.after_sales_goodwill_account_id
        cls.warranty_expense_account = company.after_sales_warranty_expense_account_id
        cls.recovery_account = company.after_sales_recovery_account_id
        cls.journal = company.after_sales_journal_id

        cls.machines = cls.env["product.category"].create(
            {"name": "Espresso machines", "after_sales_provision_rate": 5.0}
        )
        cls.espresso.categ_id = cls.machines
        cls.parts_category = cls.env["product.category"].create(
            {"name": "Spare parts", "property_cost_method": "standard"}
        )
        cls.gasket = cls.env["product.product"].create(
            {
                "name": "Boiler gasket",
                "is_storable": True,
                "categ_id": cls.parts_category.id,
                "standard_price": 10.0,
                "lst_price": 25.0,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.gasket, cls.stock_location, 1000.0)
        cls.travel = cls.env["product.product"].create(
            {"name": "Travel (km)", "type": "service", "standard_price": 0.5, "lst_price": 1.0}
        )
        cls.employee = (
            cls.env["hr.employee"]
            .sudo()
            .create({"name": "Sam Monteur", "hourly_cost": 40.0, "company_id": company.id})
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Koeltechniek Janssen BV"})

        cls.repair_analytic = cls.env["account.analytic.account"].create(
            {
                "name": "Repairs",
                "plan_id": cls.env.ref("after_sales_service.analytic_plan_after_sales").id,
                "company_id": company.id,
            }
        )
        cls.type_corrective.with_company(company).analytic_account_id = cls.repair_analytic

        # delivered on 10 January 2026: 6 months of warranty (parts and labour 100 %,
        # travel 50 %)
        cls.warranty_unit = cls._create_equipment(delivery_date=date(2026, 1, 10))
        # delivered in 2024: out of warranty
        cls.old_unit = cls._create_equipment(delivery_date=date(2024, 1, 10))
        cls.contract_unit = cls._create_equipment(delivery_date=date(2024, 1, 10))
        cls.contract = cls._create_contract(cls.contract_unit, start="2026-01-01")
        cls.contract.action_start()

    @classmethod
    def _order(cls, equipment, lines, **vals):
        """An order for ``equipment`` whose ``lines`` (values) are all used as planned."""
        return cls.env["after_sales.order"].create(
            {
                "service_type_id": cls.type_corrective.id,
                "partner_id": cls.customer.id,
                "equipment_id": equipment.id,
                "date_received": datetime(2026, 3, 2, 8, 0),
                "line_ids": [Command.create(line) for line in lines],
                **vals,
            }
        )

    @classmethod
    def _part(cls, quantity=2.0, **vals):
        return {"line_type": "part", "product_id": cls.gasket.id, "quantity": quantity, **vals}

    @classmethod
    def _labour(cls, hours=1.5, **vals):
        return {"line_type": "labour", "employee_id": cls.employee.id, "quantity": hours, **vals}

    @classmethod
    def _travel(cls, km=10.0, **vals):
        return {"line_type": "travel", "product_id": cls.travel.id, "quantity": km, **vals}

    @classmethod
    def _finish(cls, order):
        order.action_start()
        for line in order.line_ids:
            line.quantity_done = line.quantity
        order.action_done()
        return order

    def _entry_lines(self, move):
        """The journal items of ``move`` as comparable dicts, debits first."""
        return [
            {
                "account_id": line.account_id.id,
                "debit": line.debit,
                "credit": line.credit,
                "after_sales_provision_kind": line.after_sales_provision_kind,
                "after_sales_categ_id": line.after_sales_categ_id.id,
                "analytic_distribution": line.analytic_distribution,
            }
            for line in move.line_ids.sorted(
                lambda line: (-line.debit, line.credit, line.after_sales_provision_kind or "")
            )
        ]


@tagged("post_install", "-at_install")
class TestOrderEntries(OrderEntriesCommon):
    @freeze_time("2026-03-03 10:00:00")
    def test_warranty_repair_charges_the_provision(self):
        order = self._finish(
            self._order(self.warranty_unit, [self._part(), self._labour(), self._travel()])
        )
        self.assertEqual(order.coverage_source, "warranty")
        entry = order.cost_move_id
        self.assertEqual(len(order.cost_move_ids), 1)
        self.assertRecordValues(
            entry,
            [
                {
                    "state": "posted",
                    "move_type": "entry",
                    "journal_id": self.journal.id,
                    "date": date(2026, 3, 3),
                    "ref": order.name,
                    "after_sales_entry_kind": "usage",
                    "after_sales_cost_order_id": order.id,
                }
            ],
        )
        repairs = {str(self.repair_analytic.id): 100.0}
        # gasket 2 x 10, labour 1.5 h x 40, travel 10 km x 0.5 (the warranty pays half)
        self.assertEqual(
            self._entry_lines(entry),
            [
                self._item(self.provision_account, 60.0, "usage_labour", self.machines),
                self._item(self.provision_account, 20.0, "usage_parts", self.machines),
                self._item(self.billable_cost_account, 2.5, analytic=repairs),
                self._item(self.provision_account, 2.5, "usage_other", self.machines),
                self._item(self.parts_account, -20.0),
                self._item(self.absorbed_account, -65.0),
            ],
        )
        part_line = entry.line_ids.filtered(
            lambda line: line.after_sales_provision_kind == "usage_parts"
        )
        self.assertEqual(part_line.after_sales_order_line_id, order.line_ids[0])
        self.assertEqual(set(entry.line_ids.after_sales_order_id.ids), {order.id})
        self.assertEqual(entry.line_ids.partner_id, self.customer)

    @freeze_time("2026-03-03 10:00:00")
    def test_contract_repair_lands_on_the_contract_analytic_account(self):
        account = self.contract.analytic_account_id
        self.assertTrue(account, "created when the contract started")
        self.assertEqual(
            account.plan_id, self.env.ref("after_sales_service.analytic_plan_after_sales")
        )
        self.assertEqual(account.partner_id, self.customer)
        distribution = {str(account.id): 100.0}
        self.assertEqual(self.contract.analytic_distribution, distribution)

        order = self._order(self.contract_unit, [self._part(), self._labour()])
        self.assertEqual(order.coverage_source, "contract")
        self.assertEqual(order.analytic_distribution, distribution)
        self._finish(order)
        entry = order.cost_move_id
        self.assertEqual(
            self._entry_lines(entry),
            [
                self._item(self.contract_cost_account, 60.0, analytic=distribution),
                self._item(self.contract_cost_account, 20.0, analytic=distribution),
                self._item(self.parts_account, -20.0),
                self._item(self.absorbed_account, -60.0),
            ],
        )
        analytic_lines = entry.line_ids.analytic_line_ids
        self.assertEqual(analytic_lines[account.plan_id._column_name()], account)
        self.assertAlmostEqual(sum(analytic_lines.mapped("amount")), -80.0)

        # the contract's invoices carry its distribution too
        self.contract.action_create_invoice()
        invoice_line = self.contract.invoice_ids[:1].invoice_line_ids
        self.assertEqual(invoice_line.analytic_distribution, distribution)

    def test_analytic_per_service_type(self):
        self.company.after_sales_analytic_mode = "service_type"
        order = self._order(self.contract_unit, [self._labour()])
        self.assertEqual(order.analytic_distribution, {str(self.repair_analytic.id): 100.0})
        # a renewal keeps the contract's analytic account
        self.company.after_sales_analytic_mode = "contract"
        renewal = self.contract._create_next_terms()
        self.assertEqual(renewal.analytic_account_id, self.contract.analytic_account_id)

    @freeze_time("2026-03-03 10:00:00")
    def test_goodwill_is_expensed_never_charged_to_the_provision(self):
        order = self._order(
            self.old_unit,
            [self._labour(goodwill_pct=100.0, goodwill_reason="Loyal customer")],
        )
        self.assertEqual(order.coverage_source, "none")
        self._finish(order)
        repairs = {str(self.repair_analytic.id): 100.0}
        self.assertEqual(
            self._entry_lines(order.cost_move_id),
            [
                self._item(self.goodwill_account, 60.0, analytic=repairs),
                self._item(self.absorbed_account, -60.0),
            ],
        )
        self.assertNotIn(self.provision_account, order.cost_move_id.line_ids.account_id)

    @freeze_time("2026-03-03 10:00:00")
    def test_customer_paid_repair(self):
        order = self._finish(self._order(self.old_unit, [self._part(), self._labour()]))
        repairs = {str(self.repair_analytic.id): 100.0}
        self.assertEqual(
            self._entry_lines(order.cost_move_id),
            [
                self._item(self.billable_cost_account, 60.0, analytic=repairs),
                self._item(self.billable_cost_account, 20.0, analytic=repairs),
                self._item(self.parts_account, -20.0),
                self._item(self.absorbed_account, -60.0),
            ],
        )

    def test_technician_closing_the_order_posts_its_cost(self):
        """The technician has no accounting rights: the entry follows from the order
        they were allowed to close (the hours are their own: a technician records
        only their own work)."""
        self.employee.user_id = self.technician
        order = self._order(
            self.warranty_unit, [self._labour()], technician_ids=[Command.set(self.technician.ids)]
        )
        order = order.with_user(self.technician)
        order.action_start()
        order.line_ids.quantity_done = 1.5
        order.action_done()
        entry = order.sudo().cost_move_id
        self.assertEqual(entry.state, "posted")
        self.assertEqual(sum(entry.line_ids.mapped("debit")), 60.0)

    def test_local_done_date(self):
        """Done at 23:30 UTC on 31 March is 1 April in Amsterdam: April's cost."""
        self.company.resource_calendar_id.tz = "Europe/Amsterdam"
        order = self._order(self.old_unit, [self._labour()])
        with freeze_time("2026-03-31 23:30:00"):
            self._finish(order)
        self.assertEqual(order.cost_move_id.date, date(2026, 4, 1))

    def test_order_without_cost_has_no_entry(self):
        order = self._finish(self._order(self.warranty_unit, []))
        self.assertEqual(order.state, "done")
        self.assertFalse(order.cost_move_ids)
        order = self._finish(self._order(self.warranty_unit, [self._labour(hours=0.0)]))
        self.assertFalse(order.cost_move_ids)

    def test_posting_twice_is_refused(self):
        order = self._finish(self._order(self.warranty_unit, [self._labour()]))
        entry = order.cost_move_id
        Move = self.env["account.move"]
        count = Move.search_count([])
        with self.assertRaisesRegex(UserError, "already posted"):
            order._post_cost_entries()
        with self.assertRaisesRegex(UserError, "already posted"):
            order.action_post_cost_entry()
        self.assertEqual(Move.search_count([]), count, "nothing written")

        # the database refuses a second live cost entry, whoever creates it
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation):
            Move.create(order._prepare_cost_entry_vals())
            self.env.flush_all()

        # cancelled, the entry frees the order: its cost can be posted again
        entry.button_draft()
        entry.button_cancel()
        order.invalidate_recordset()
        self.assertFalse(order.cost_move_id)
        order.action_post_cost_entry()
        self.assertEqual(order.cost_move_id.state, "posted")
        self.assertNotEqual(order.cost_move_id, entry)

    def test_only_done_orders_are_posted(self):
        order = self._order(self.warranty_unit, [self._labour()])
        with self.assertRaisesRegex(UserError, "not done"):
            order._post_cost_entries()
        self.assertFalse(order.cost_move_ids)

    def test_account_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other BV"})
        foreign = self.env["account.account"].create(
            {
                "name": "Foreign provision",
                "code": "218199",
                "account_type": "liability_current",
                "company_ids": [Command.set(other.ids)],
            }
        )
        with self.assertRaises(ValidationError):
            self.company.after_sales_provision_account_id = foreign
        # set before the settings checked it: posting refuses it all the same
        self.env.cr.execute(
            "UPDATE res_company SET after_sales_provision_account_id = %s WHERE id = %s",
            (foreign.id, self.company.id),
        )
        self.company.invalidate_recordset()
        order = self._order(self.warranty_unit, [self._labour()])
        order.action_start()
        order.line_ids.quantity_done = 1.5
        count = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "Foreign provision of another company"):
            order.action_done()
        order.invalidate_recordset()
        self.assertEqual(order.state, "in_progress", "the order is not closed either")
        self.assertEqual(self.env["account.move"].search_count([]), count)

    def test_missing_accounts_are_refused(self):
        self.company.after_sales_goodwill_account_id = False
        order = self._order(self.old_unit, [self._labour()])
        order.action_start()
        order.line_ids.quantity_done = 1.0
        with self.assertRaisesRegex(UserError, "Goodwill Expense Account"):
            order.action_done()

    def test_subcontracted_work_goes_on_the_vendor_bill(self):
        order = self._order(
            self.warranty_unit,
            [
                self._labour(),
                {
                    "line_type": "subcontract",
                    "name": "Compressor replacement",
                    "vendor_id": self.vendor.id,
                    "quantity": 1.0,
                    "unit_cost": 300.0,
                },
            ],
        )
        with self.assertRaisesRegex(UserError, "not done"):
            order.action_create_vendor_bill()
        self._finish(order)
        # the entry has the labour only
        self.assertEqual(sum(order.cost_move_id.line_ids.mapped("debit")), 60.0)

        order.action_create_vendor_bill()
        bill = order.line_ids.filtered(lambda line: line.line_type == "subcontract")
        bill_line = self.env["account.move.line"].search(
            [("after_sales_order_line_id", "=", bill.id)]
        )
        self.assertRecordValues(
            bill_line.move_id,
            [{"move_type": "in_invoice", "state": "draft", "partner_id": self.vendor.id}],
        )
        self.assertRecordValues(
            bill_line,
            [
                {
                    "account_id": self.provision_account.id,
                    "price_subtotal": 300.0,
                    "after_sales_provision_kind": "usage_labour",
                    "after_sales_categ_id": self.machines.id,
                    "after_sales_order_id": order.id,
                }
            ],
        )
        self.assertEqual(order.vendor_bill_count, 1)
        with self.assertRaisesRegex(UserError, "no subcontracted work left"):
            order.action_create_vendor_bill()

    def test_entries_are_posted_in_one_batch(self):
        """The cost entries of 50 orders cost the module as many queries as those of
        5: beyond what Odoo itself spends per entry (its number, taken one by one),
        measured on the same entries made by one bare ``account.move.create``."""
        overheads = self._batch_overheads()
        # a cache of the registry emptied by another thread, or the first number of a
        # sequence, costs a query once in either measure; one query more per order would
        # cost 45 more for 50 orders than for 5
        self.assertLessEqual(
            abs(overheads[50] - overheads[5]), 2, "one batch whatever the number of orders"
        )

    def _batch_overheads(self):
        """{number of orders: queries of posting their entries - queries of the same
        entries made by a bare create and post}, for 5 and 50 orders."""
        orders = self.env["after_sales.order"]
        for _i in range(57):
            orders |= self._order(self.warranty_unit, [self._part(1.0), self._labour(1.0)])
        orders.action_start()
        orders.line_ids.quantity_done = 1.0
        with patch.object(type(orders), "_post_cost_entries", lambda self: None):
            orders.action_done()
        self.assertFalse(orders.cost_move_ids)
        Move = self.env["account.move"]
        floor_vals = [
            {**vals, "after_sales_cost_order_id": False}
            for vals in orders._prepare_cost_entry_vals_list()
        ]

        def queries(function):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            result = function()
            self.env.flush_all()
            return self.env.cr.sql_log_count - start, result

        def floor(vals_list):
            moves = Move.create(vals_list)
            moves._post(soft=False)
            return moves

        # warm-up: caches of access rules, sequences, translations
        queries(orders[:2]._post_cost_entries)
        queries(lambda: floor(floor_vals[:2]))
        overheads = {}
        for batch, vals_list in ((orders[2:7], floor_vals[2:7]), (orders[7:], floor_vals[7:])):
            ours, moves = queries(batch._post_cost_entries)
            bare, _moves = queries(lambda vals_list=vals_list: floor(vals_list))
            self.assertEqual(len(moves), len(batch))
            self.assertEqual(set(moves.mapped("state")), {"posted"})
            overheads[len(batch)] = ours - bare
        return overheads

    @staticmethod
    def _item(account, balance, kind=False, categ=None, analytic=None):
        return {
            "account_id": account.id,
            "debit": max(balance, 0.0),
            "credit": max(-balance, 0.0),
            "after_sales_provision_kind": kind,
            "after_sales_categ_id": categ.id if categ else False,
            "analytic_distribution": analytic or False,
        }
