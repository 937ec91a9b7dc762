"""Costing of service orders: labour, parts, travel, expenses and subcontracted work,
their cost and value, and the split of each line into what the warranty, the
contract, goodwill and the customer pay."""

import math
from datetime import date, datetime

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import AfterSalesCommon

SPLIT = ("warranty", "contract", "goodwill", "billable")


@tagged("post_install", "-at_install")
class TestOrderCosting(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls.company.currency_id
        service = {"type": "service", "is_storable": False}
        cls.labour_product = cls.env["product.product"].create(
            {"name": "Service hour", "lst_price": 60.0, **service}
        )
        cls.travel_product = cls.env["product.product"].create(
            {"name": "Travel", "lst_price": 33.33, "standard_price": 20.0, **service}
        )
        cls.expense_product = cls.env["product.product"].create(
            {"name": "Parking", "lst_price": 5.0, "standard_price": 5.0, **service}
        )
        cls.part = cls.env["product.product"].create(
            {"name": "Descaler", "is_storable": True, "lst_price": 33.33, "standard_price": 12.5}
        )
        cls.subcontractor = cls.env["res.partner"].create({"name": "Koeltechniek BV"})
        cls.employee = (
            cls.env["hr.employee"]
            .sudo()
            .create({"name": "Sam Monteur", "user_id": cls.technician.id, "hourly_cost": 40.0})
        )

        # in warranty: parts and labour 100 %, travel 50 %
        cls.warranty_unit = cls._create_equipment(delivery_date=date(2026, 1, 10))
        # under a contract paying 33 % of parts and 50 % of labour
        cls.boiler = cls.env["product.product"].create(
            {"name": "Boiler B10", "is_storable": True, "warranty_months": 0}
        )
        cls.contract_unit = cls._create_equipment(product=cls.boiler, partner=cls.other_customer)
        cls.contract = cls._create_contract(
            cls.contract_unit,
            partner_id=cls.other_customer.id,
            parts_pct=33.0,
            labour_pct=50.0,
            travel_pct=0.0,
        )
        cls.contract.action_start()

    def _order(self, equipment=None, lines=(), **vals):
        values = {
            "service_type_id": self.type_corrective.id,
            "partner_id": (equipment.partner_id if equipment else self.customer).id,
            "equipment_id": equipment and equipment.id,
            "date_received": datetime(2026, 3, 2, 8, 0),
            "technician_ids": [Command.link(self.technician.id)],
            "line_ids": [Command.create(line) for line in lines],
            **vals,
        }
        return self.env["after_sales.order"].create(values)

    def _part_line(self, quantity=3.0, **vals):
        return {"product_id": self.part.id, "quantity": quantity, "quantity_done": quantity, **vals}

    def _labour_line(self, hours=1.5, **vals):
        return {
            "line_type": "labour",
            "employee_id": self.employee.id,
            "product_id": self.labour_product.id,
            "quantity": hours,
            "quantity_done": hours,
            **vals,
        }

    def _travel_line(self, quantity=3.0, **vals):
        return {
            "line_type": "travel",
            "product_id": self.travel_product.id,
            "quantity": quantity,
            "quantity_done": quantity,
            **vals,
        }

    def assertSplit(self, line, **expected):  # noqa: N802
        """The amounts of ``line``'s split (those not given are 0) add up to its value."""
        amounts = {part: expected.get(part, 0.0) for part in SPLIT}
        self.assertRecordValues(line, [{f"{part}_amount": amounts[part] for part in SPLIT}])
        total = sum(line[f"{part}_amount"] for part in SPLIT)
        self.assertTrue(self.currency.is_zero(total - line.price_total), "adds up exactly")
        cost = sum(line[f"{part}_cost"] for part in SPLIT)
        self.assertTrue(self.currency.is_zero(cost - line.cost_actual), "the cost too")

    # ------------------------------------------------------------------
    # Cost and value
    # ------------------------------------------------------------------
    def test_labour_is_costed_at_the_technicians_hourly_cost(self):
        order = self._order().with_user(self.technician)
        order.write(
            {
                "line_ids": [
                    Command.create({"line_type": "labour", "quantity": 2, "quantity_done": 1.5})
                ]
            }
        )
        line = order.line_ids
        self.assertEqual(line.employee_id, self.employee, "the user's own employee by default")
        self.assertEqual(line.name, "Sam Monteur")
        self.assertEqual(order.work_hours, 1.5, "time is entered once, on labour lines")
        line = line.sudo()
        self.assertEqual(line.unit_cost, 40.0)
        self.assertEqual((line.cost_planned, line.cost_actual), (80.0, 60.0))

    def test_each_kind_of_line_has_its_cost_and_value(self):
        order = self._order(
            lines=[
                self._labour_line(),
                self._part_line(quantity=2.0),
                self._travel_line(quantity=1.0),
                {"line_type": "expense", "product_id": self.expense_product.id, "quantity_done": 2},
                {
                    "line_type": "subcontract",
                    "vendor_id": self.subcontractor.id,
                    "product_id": self.labour_product.id,
                    "unit_cost": 150.0,
                    "price_unit": 200.0,
                    "quantity_done": 1,
                },
            ]
        )
        self.assertRecordValues(
            order.line_ids,
            [
                {
                    "line_type": "labour",
                    "unit_cost": 40.0,
                    "cost_actual": 60.0,
                    "price_total": 90.0,
                },
                {"line_type": "part", "unit_cost": 12.5, "cost_actual": 25.0, "price_total": 66.66},
                {
                    "line_type": "travel",
                    "unit_cost": 20.0,
                    "cost_actual": 20.0,
                    "price_total": 33.33,
                },
                {
                    "line_type": "expense",
                    "unit_cost": 5.0,
                    "cost_actual": 10.0,
                    "price_total": 10.0,
                },
                {
                    "line_type": "subcontract",
                    "unit_cost": 150.0,
                    "cost_actual": 150.0,
                    "price_total": 200.0,
                },
            ],
        )
        self.assertRecordValues(
            order,
            [
                {
                    "cost_actual": 265.0,
                    "amount_total": 399.99,
                    "amount_billable": 399.99,
                    "margin": 134.99,
                }
            ],
        )

    # ------------------------------------------------------------------
    # Who pays
    # ------------------------------------------------------------------
    def test_split_under_warranty(self):
        order = self._order(self.warranty_unit, [self._part_line(), self._travel_line()])
        self.assertEqual(order.coverage_parts_source, "warranty")
        part, travel = order.line_ids
        self.assertEqual(part.price_total, 99.99)
        self.assertSplit(part, warranty=99.99)
        self.assertEqual(part.split_reason, "Warranty pays 100 %")
        # 50 % of 99.99 is 49.995: the warranty's 50.00 and the customer's 49.99
        self.assertSplit(travel, warranty=50.0, billable=49.99)
        self.assertEqual(order.amount_warranty, 149.99)
        self.assertEqual(order.amount_billable, 49.99)
        self.assertEqual(order.cost_warranty, 67.5)

    def test_split_under_contract(self):
        order = self._order(
            self.contract_unit, [self._part_line(), self._labour_line(), self._travel_line()]
        )
        self.assertEqual(order.contract_id, self.contract)
        part, labour, travel = order.line_ids
        # 33 % of 3 x 33.33
        self.assertSplit(part, contract=33.0, billable=66.99)
        self.assertSplit(labour, contract=45.0, billable=45.0)
        self.assertSplit(travel, billable=99.99)
        self.assertIn("Contract pays 33 %", part.split_reason)
        self.assertEqual(order.amount_contract, 78.0)
        self.assertEqual(order.amount_billable, 211.98)

    def test_split_not_covered_and_goodwill(self):
        order = self._order(lines=[self._part_line(), self._travel_line()])
        part, travel = order.line_ids
        self.assertSplit(part, billable=99.99)
        self.assertSplit(travel, billable=99.99)
        self.assertEqual(part.split_reason, "Not covered")
        part.with_user(self.service_manager).write(
            {"goodwill_pct": 33.0, "goodwill_reason": "Second visit for the same fault"}
        )
        self.assertSplit(part, goodwill=33.0, billable=66.99)
        self.assertEqual(
            part.split_reason, "Not covered; goodwill 33 % (Second visit for the same fault)"
        )
        self.assertEqual(order.amount_goodwill, 33.0)
        self.assertEqual(order.amount_billable, 166.98)

    def test_expenses_are_the_customers_even_under_warranty(self):
        order = self._order(
            self.warranty_unit,
            [{"line_type": "expense", "product_id": self.expense_product.id, "quantity_done": 3}],
        )
        self.assertSplit(order.line_ids, billable=15.0)
        self.assertEqual(order.line_ids.split_reason, "Expenses are not covered")

    def test_goodwill_is_a_managers_decision(self):
        order = self._order(lines=[self._part_line()])
        line = order.line_ids
        for user in (self.service_user, self.technician):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                line.with_user(user).write({"goodwill_pct": 50.0, "goodwill_reason": "Loyal"})
        self.assertEqual((line.goodwill_pct, line.goodwill_amount), (0.0, 0.0))
        count = len(order.line_ids)
        with self.assertRaises(AccessError):
            order.with_user(self.service_user).write(
                {
                    "line_ids": [
                        Command.create(self._part_line(goodwill_pct=10, goodwill_reason="x"))
                    ]
                }
            )
        self.assertEqual(len(order.line_ids), count)

    def test_goodwill_needs_a_reason(self):
        order = self._order(lines=[self._part_line()])
        line = order.line_ids.with_user(self.service_manager)
        for vals in ({"goodwill_pct": 20.0}, {"goodwill_pct": 20.0, "goodwill_reason": "  "}):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, "needs a reason"):
                line.write(vals)
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            line.write({"goodwill_pct": 120.0, "goodwill_reason": "Too generous"})
        self.assertEqual(line.goodwill_pct, 0.0)
        count = len(order.line_ids)
        with self.assertRaisesRegex(ValidationError, "needs a reason"):
            self.env["after_sales.order.line"].with_user(self.service_manager).create(
                {"order_id": order.id, **self._part_line(goodwill_pct=20.0)}
            )
        self.assertEqual(len(order.line_ids), count)

    # ------------------------------------------------------------------
    # Bad input and rights
    # ------------------------------------------------------------------
    def test_negative_quantities_and_hours_are_refused(self):
        order = self._order(lines=[self._part_line(), self._labour_line()])
        part, labour = order.line_ids
        for line, vals in (
            (part, {"quantity": -1.0}),
            (part, {"quantity_done": -2.0}),
            (part, {"returned_qty": -1.0}),
            (labour, {"quantity_done": -1.5}),
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, "negative"):
                line.write(vals)
        self.assertRecordValues(
            part + labour,
            [
                {"quantity": 3.0, "quantity_done": 3.0, "returned_qty": 0.0},
                {"quantity": 1.5, "quantity_done": 1.5, "returned_qty": 0.0},
            ],
        )
        count = len(order.line_ids)
        with self.assertRaisesRegex(ValidationError, "negative"):
            order.write({"line_ids": [Command.create(self._labour_line(hours=-2.0))]})
        self.assertEqual(len(order.line_ids), count)
        self.assertEqual(order.work_hours, 1.5)

    def test_technician_records_work_but_not_prices_or_costs(self):
        order = self._order(lines=[self._part_line()])
        line = order.line_ids.with_user(self.technician)
        for vals in ({"price_unit": 0.0}, {"unit_cost": 0.0}, {"goodwill_pct": 100.0}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                line.write(vals)
        self.assertEqual((order.line_ids.price_unit, order.line_ids.unit_cost), (33.33, 12.5))
        count = len(order.line_ids)
        with self.assertRaises(AccessError):
            self.env["after_sales.order.line"].with_user(self.technician).create(
                {"order_id": order.id, **self._part_line(price_unit=1.0)}
            )
        self.assertEqual(len(order.line_ids), count)
        line.write({"quantity_done": 2.0, "note": "one spare left"})
        self.assertEqual(order.line_ids.quantity_done, 2.0)

    # ------------------------------------------------------------------
    # Analysis
    # ------------------------------------------------------------------
    def test_order_totals_per_contract_and_per_customer(self):
        under_contract = self._order(self.contract_unit, [self._part_line(), self._labour_line()])
        under_warranty = self._order(self.warranty_unit, [self._part_line(), self._travel_line()])
        not_covered = self._order(lines=[self._part_line()])
        orders = under_contract + under_warranty + not_covered
        aggregates = ["cost_actual:sum", "amount_billable:sum", "margin:sum", "__count"]

        per_contract = {
            contract: rest
            for contract, *rest in self.env["after_sales.order"]._read_group(
                [("id", "in", orders.ids)], ["contract_id"], aggregates
            )
        }
        self.assertEqual(
            per_contract,
            {
                self.contract: [97.5, 111.99, 14.49, 1],
                self.env["after_sales.contract"]: [135.0, 149.98, 14.98, 2],
            },
        )
        per_customer = dict(
            self.env["after_sales.order"]._read_group(
                [("id", "in", orders.ids)], ["partner_id"], ["margin:sum"]
            )
        )
        self.assertEqual(per_customer, {self.other_customer: 14.49, self.customer: 14.98})
        lines = self.env["after_sales.order.line"]._read_group(
            [("order_id", "in", orders.ids)], ["line_type"], ["cost_actual:sum"]
        )
        self.assertEqual(dict(lines), {"part": 112.5, "labour": 60.0, "travel": 60.0})

    def test_costing_a_big_order_takes_a_fixed_number_of_queries(self):
        """Adding 200 lines of all kinds in one write and reading the order's totals
        costs as many queries as 20 lines: nothing is read or computed line by line.
        The only difference is Odoo's own batching of rows: one INSERT and one UPDATE
        statement per 100 rows (``INSERT_BATCH_SIZE``, ``UPDATE_BATCH_SIZE``)."""
        makers = (self._part_line, self._labour_line, self._travel_line)

        def add_lines_and_read_totals(count, budget):
            """The number of queries to add ``count`` lines and read the totals."""
            order = self._order(lines=[])
            self.env.flush_all()
            self.env.cr.precommit.run()
            self.env.invalidate_all()
            with self.assertQueryCount(budget):
                start = self.cr.sql_log_count
                order.write({"line_ids": [Command.create(makers[i % 3]()) for i in range(count)]})
                order.invalidate_recordset()
                totals = order.read(["cost_actual", "amount_billable", "margin", "work_hours"])[0]
                self.env.flush_all()
                queries = self.cr.sql_log_count - start
            # a third of the lines each: parts, labour (1.5 hours each) and travel
            self.assertAlmostEqual(totals["work_hours"], 1.5 * ((count + 1) // 3), 6)
            [(cost,)] = order.line_ids._read_group(
                [("order_id", "=", order.id)], [], ["cost_actual:sum"]
            )
            self.assertEqual(totals["cost_actual"], cost)
            return queries

        add_lines_and_read_totals(3, budget=100)  # warm the caches (rules, defaults...)
        queries = {}
        for count in (20, 100, 200):
            statements = 2 * (math.ceil(count / 100) - 1)  # INSERT + UPDATE per 100 rows
            queries[count] = add_lines_and_read_totals(count, QUERIES + statements) - statements
        self.assertEqual(queries[200], queries[20], "a fixed number of queries")
        self.assertEqual(queries[100], queries[20])


# Queries to add lines of all kinds to an order in one write and read its totals, for
# up to 100 lines (one INSERT and one UPDATE more per further 100 lines)
QUERIES = 16
