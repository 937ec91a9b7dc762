"""Month end: March 2026 of an after-sales department posted from start to finish
(once, in ``setUpClass``), every journal item checked against figures computed here
from the inputs, down to the reconciliation of the warranty provision (difference 0).

1 March a prepaid yearly contract is invoiced and deferred; 2 March 3 machines sold
(5 % provision) and delivered; 6 March 1 credited; 10 March a warranty repair; 11
March a contract repair; 12 March a repair out of warranty, invoiced; 19 March a
customer-paid repair with 50 % goodwill, invoiced; 20-24 March the warranty repair's
gasket claimed from its supplier, accepted, credited; 31 March Odoo's auto-post cron
recognises March's contract revenue. Gaskets: FIFO, real time, 2 at 12.50 then 4 at 13.00.
"""

import calendar
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import AfterSalesCommon

# Inputs of the month
MACHINE_PRICE = 2000.00
MACHINES_SOLD = 3
MACHINES_CREDITED = 1
PROVISION_RATE = 5.0  # % of the revenue of machines with warranty
HOURLY_COST = 45.00  # the technician's cost per hour
LABOUR_PRICE = 70.00  # price of an hour of labour
PART_PRICE = 25.00  # sales price of a gasket
TRAVEL_COST = 0.40  # cost per km
TRAVEL_PRICE = 0.90  # price per km
GASKET_RECEIPTS = ((2, 12.50), (4, 13.00))  # (quantity, unit cost), in FIFO order
GOODWILL_PCT = 50.0
CONTRACT_PRICE = 1200.00  # per year, prepaid
CONTRACT_START = date(2026, 3, 1)

MARCH_START = date(2026, 3, 1)
MARCH_END = date(2026, 3, 31)


def to_cents(amount):
    """``amount`` rounded half-up to the cent, the rounding of the company's currency
    (computed here with decimals, not with the currency the module uses)."""
    return float(Decimal(repr(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def fifo_values(receipts, consumptions):
    """[value of each consumption] taken in order from the FIFO layers ``receipts``
    ((quantity, unit cost) in the order received)."""
    layers = [[quantity, cost] for quantity, cost in receipts]
    values = []
    for quantity in consumptions:
        value = Decimal(0)
        while quantity:
            layer = next(layer for layer in layers if layer[0])
            taken = min(layer[0], quantity)
            layer[0] -= taken
            quantity -= taken
            value += Decimal(taken) * Decimal(repr(layer[1]))
        values.append(float(value))
    return values


def analytic_key(distribution):
    return tuple(sorted((str(key), float(value)) for key, value in (distribution or {}).items()))


@tagged("post_install", "-at_install")
class TestMonthEnd(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_master_data()
        cls._post_the_month()

    # ------------------------------------------------------------------
    # Master data (before March)
    # ------------------------------------------------------------------
    @classmethod
    def _setup_master_data(cls):
        company = cls.company
        cls.provision_account = company.after_sales_provision_account_id
        cls.warranty_expense_account = company.after_sales_warranty_expense_account_id
        cls.parts_account = company.after_sales_parts_account_id
        cls.absorbed_account = company.after_sales_cost_absorbed_account_id
        cls.billable_cost_account = company.after_sales_service_cost_account_id
        cls.contract_cost_account = company.after_sales_contract_cost_account_id
        cls.goodwill_account = company.after_sales_goodwill_account_id
        cls.recovery_account = company.after_sales_recovery_account_id
        cls.deferred_account = company.after_sales_deferred_revenue_account_id
        cls.journal = company.after_sales_journal_id
        cls.revenue_account = cls.company_data["default_account_revenue"]
        cls.expense_account = cls.company_data["default_account_expense"]
        cls.tax_account = cls.company_data["default_account_tax_sale"]
        cls.vat = cls.tax_sale_a
        cls.stock_account = cls.env["account.account"].create(
            {
                "name": "Stock of spare parts",
                "code": "110950",
                "account_type": "asset_current",
                "company_ids": [Command.set(company.ids)],
            }
        )
        cls.repair_analytic = cls.env["account.analytic.account"].create(
            {
                "name": "Repairs",
                "plan_id": cls.env.ref("after_sales_service.analytic_plan_after_sales").id,
                "company_id": company.id,
            }
        )
        cls.type_corrective.with_company(company).analytic_account_id = cls.repair_analytic

        cls.machines = cls._category(
            "Machines", after_sales_provision_rate=PROVISION_RATE, property_valuation="periodic"
        )
        cls.spare_parts = cls._category(
            "Spare parts",
            property_valuation="real_time",
            property_cost_method="fifo",
            property_stock_valuation_account_id=cls.stock_account.id,
        )
        cls.services = cls._category("Services")
        cls.espresso.write(
            {
                "categ_id": cls.machines.id,
                "lst_price": MACHINE_PRICE,
                "taxes_id": [Command.set(cls.vat.ids)],
            }
        )
        cls.supplier = cls.env["res.partner"].create(
            {"name": "Gaskets & Seals GmbH", "is_company": True}
        )
        cls.gasket = cls._product(
            "Boiler gasket",
            is_storable=True,
            categ_id=cls.spare_parts.id,
            lst_price=PART_PRICE,
            seller_ids=[Command.create({"partner_id": cls.supplier.id, "price": 12.0})],
        )
        cls.labour = cls._product("Service labour (hour)", type="service", lst_price=LABOUR_PRICE)
        cls.travel = cls._product(
            "Travel (km)", type="service", standard_price=TRAVEL_COST, lst_price=TRAVEL_PRICE
        )
        cls.contract_product = cls._product("Prepaid service contract", type="service")
        cls.employee = (
            cls.env["hr.employee"]
            .sudo()
            .create({"name": "Sam Monteur", "hourly_cost": HOURLY_COST, "company_id": company.id})
        )
        cls.accountant = new_test_user(
            cls.env,
            login="as_month_accountant",
            groups="account.group_account_invoice,after_sales_service.group_user",
            company_id=company.id,
        )

        # the units: three sold this month (below), three older ones out of warranty
        cls.hotel_unit = cls._create_equipment(
            partner=cls.other_customer, delivery_date=date(2024, 5, 15)
        )
        cls.contract_unit = cls._create_equipment(delivery_date=date(2024, 1, 10))
        cls.goodwill_unit = cls._create_equipment(delivery_date=date(2023, 6, 1))
        cls.contract = cls._create_contract(
            cls.contract_unit,
            start=CONTRACT_START,
            months=12,
            price=CONTRACT_PRICE,
            billing_period="yearly",
            product_id=cls.contract_product.id,
        )

        with freeze_time("2026-02-27 10:00:00"):
            cls.receipts = [
                cls._receive(cls.gasket, quantity, cost) for quantity, cost in GASKET_RECEIPTS
            ]

    @classmethod
    def _category(cls, name, **vals):
        return (
            cls.env["product.category"]
            .with_company(cls.company)
            .create(
                {
                    "name": name,
                    "property_account_income_categ_id": cls.revenue_account.id,
                    "property_account_expense_categ_id": cls.expense_account.id,
                    **vals,
                }
            )
        )

    @classmethod
    def _product(cls, name, **vals):
        return cls.env["product.product"].create(
            {
                "name": name,
                "categ_id": cls.services.id,
                "taxes_id": [Command.set(cls.vat.ids)],
                **vals,
            }
        )

    @classmethod
    def _receive(cls, product, quantity, unit_cost):
        move = cls.env["stock.move"].create(
            {
                "product_id": product.id,
                "product_uom_qty": quantity,
                "location_id": cls.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": cls.stock_location.id,
                "value_manual": unit_cost * quantity,
                "price_unit": unit_cost,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.picked = True
        move._action_done()
        return move

    # ------------------------------------------------------------------
    # The month
    # ------------------------------------------------------------------
    @classmethod
    def _post_the_month(cls):
        # 1 March: the prepaid contract starts and is invoiced for its first year
        with freeze_time("2026-03-01 09:00:00"):
            cls.contract.action_start()
            cls.contract_invoice = cls.env["account.move"].browse(
                cls.contract.action_create_invoice()["res_id"]
            )
            cls.contract_invoice.action_post()
        cls.recognitions = cls._entries(cls.contract_invoice, "recognition")
        cls.recognition_states_at_invoicing = cls.recognitions.mapped("state")

        # 2 March: 3 machines sold and delivered
        with freeze_time("2026-03-02 10:00:00"):
            cls.sale = cls._create_invoice(
                move_type="out_invoice",
                partner_id=cls.customer.id,
                invoice_date=date(2026, 3, 2),
                invoice_line_ids=[cls._machine_line(MACHINES_SOLD)],
                post=True,
            )
            cls.serials = cls.env["stock.lot"].union(
                *(
                    cls._make_lot(cls.espresso, f"X200-2026-{n:03d}")
                    for n in range(1, MACHINES_SOLD + 1)
                )
            )
            cls._deliver(cls.espresso, cls.serials, cls.customer_site)
        cls.sold_units = cls.env["after_sales.equipment"].search(
            [("lot_id", "in", cls.serials.ids)]
        )

        # 6 March: one machine credited
        with freeze_time("2026-03-06 10:00:00"):
            cls.credit_note = cls._create_invoice(
                move_type="out_refund",
                partner_id=cls.customer.id,
                invoice_date=date(2026, 3, 6),
                reversed_entry_id=cls.sale.id,
                invoice_line_ids=[cls._machine_line(MACHINES_CREDITED)],
                post=True,
            )

        # 9-10 March: warranty repair of a machine sold this month
        warranty_unit = cls.sold_units.filtered(lambda unit: unit.lot_id == cls.serials[0])
        cls.warranty_order = cls._order(
            warranty_unit,
            datetime(2026, 3, 9, 8, 0),
            [cls._part(1), cls._labour_line(2.0)],
            technician_ids=[Command.set(cls.technician.ids)],
            planned_date_start=datetime(2026, 3, 10, 9, 0),
        )
        with freeze_time("2026-03-09 14:00:00"):
            cls.warranty_order.action_schedule()
            cls.reservation_at_scheduling = [
                (move.state, move.quantity)
                for move in cls.warranty_order.line_ids.move_ids
                if move.state != "cancel"
            ]
        cls._finish(cls.warranty_order, "2026-03-10 15:00:00")

        # 11 March: repair under the contract (2 gaskets: the last at 12.50, one at 13.00)
        cls.contract_order = cls._order(
            cls.contract_unit,
            datetime(2026, 3, 11, 8, 0),
            [cls._part(2), cls._labour_line(1.5), cls._travel_line(20)],
        )
        cls._finish(cls.contract_order, "2026-03-11 16:00:00")

        # 12 March: repair out of warranty, invoiced and posted
        cls.paid_order = cls._order(
            cls.hotel_unit,
            datetime(2026, 3, 12, 8, 0),
            [cls._part(1), cls._labour_line(1.5), cls._travel_line(40)],
            partner_id=cls.other_customer.id,
        )
        cls._finish(cls.paid_order, "2026-03-12 12:00:00")
        cls.paid_status_before_invoicing = cls.paid_order.invoice_status
        with freeze_time("2026-03-12 15:00:00"):
            cls.paid_invoice = cls.paid_order._create_invoices()
            cls.paid_invoice.invoice_date = date(2026, 3, 12)
            cls.paid_invoice.action_post()

        # 19 March: customer-paid repair, the service manager grants 50 % goodwill on labour
        cls.goodwill_order = cls._order(
            cls.goodwill_unit,
            datetime(2026, 3, 19, 8, 0),
            [cls._part(1), cls._labour_line(3.0)],
        )
        with freeze_time("2026-03-19 11:00:00"):
            cls.goodwill_order.action_start()
            for line in cls.goodwill_order.line_ids:
                line.quantity_done = line.quantity
            labour = cls.goodwill_order.line_ids.filtered(lambda line: line.line_type == "labour")
            labour.with_user(cls.service_manager).write(
                {
                    "goodwill_pct": GOODWILL_PCT,
                    "goodwill_reason": "Second visit for the same leak: half the hours waived",
                }
            )
            cls.goodwill_order.action_done()
            cls.goodwill_invoice = cls.goodwill_order._create_invoices()
            cls.goodwill_invoice.invoice_date = date(2026, 3, 19)
            cls.goodwill_invoice.action_post()

        # 20 March: the warranty repair's gasket claimed from its supplier, accepted
        part_line = cls.warranty_order.line_ids.filtered(lambda line: line.line_type == "part")
        with freeze_time("2026-03-20 10:00:00"):
            cls.claim = (
                cls.env["after_sales.supplier.claim"]
                .with_user(cls.service_user)
                .create({"order_id": cls.warranty_order.id, "order_line_id": part_line.id})
            )
            cls.claim.action_claim()
            cls.claim = cls.claim.with_user(cls.accountant)
            cls.claim.action_accept()
            cls.claim.action_create_credit_note()
            cls.claim_state_before_credit_note = cls.claim.state
        # 24 March: the supplier's credit note arrives and is posted
        with freeze_time("2026-03-24 10:00:00"):
            supplier_credit_note = cls.claim.credit_note_id
            supplier_credit_note.invoice_date = date(2026, 3, 24)
            supplier_credit_note.action_post()

        # 31 March: Odoo's auto-post cron
        with (
            freeze_time("2026-03-31 20:00:00"),
            patch.object(type(cls.env["ir.cron"]), "_commit_progress", return_value=60.0),
        ):
            cls.env["account.move"]._autopost_draft_entries()
        cls.claim = cls.claim.with_user(cls.env.user)

    # ------------------------------------------------------------------
    # Helpers of the scenario
    # ------------------------------------------------------------------
    @classmethod
    def _machine_line(cls, quantity):
        return Command.create(
            {
                "product_id": cls.espresso.id,
                "quantity": quantity,
                "price_unit": MACHINE_PRICE,
                "tax_ids": [Command.set(cls.vat.ids)],
            }
        )

    @classmethod
    def _order(cls, equipment, received, lines, **vals):
        return cls.env["after_sales.order"].create(
            {
                "service_type_id": cls.type_corrective.id,
                "partner_id": equipment.partner_id.id,
                "equipment_id": equipment.id,
                "date_received": received,
                "line_ids": [Command.create(line) for line in lines],
                **vals,
            }
        )

    @classmethod
    def _part(cls, quantity):
        return {"line_type": "part", "product_id": cls.gasket.id, "quantity": quantity}

    @classmethod
    def _labour_line(cls, hours):
        return {
            "line_type": "labour",
            "employee_id": cls.employee.id,
            "product_id": cls.labour.id,
            "quantity": hours,
        }

    @classmethod
    def _travel_line(cls, km):
        return {"line_type": "travel", "product_id": cls.travel.id, "quantity": km}

    @classmethod
    def _finish(cls, order, moment):
        """Start the order (when needed), use what was planned, close it at ``moment``."""
        with freeze_time(moment):
            if order.state != "in_progress":
                order.action_start()
            for line in order.line_ids:
                line.quantity_done = line.quantity
            order.action_done()

    @classmethod
    def _entries(cls, document, kind):
        domain = [("after_sales_source_move_id", "=", document.id)]
        domain.append(("after_sales_entry_kind", "=", kind))
        return cls.env["account.move"].search(domain, order="date, id")

    @staticmethod
    def _items(moves):
        """Every journal item of ``moves`` as (account code, debit, credit, partner,
        analytic distribution, provision movement), sorted."""
        return sorted(
            (
                line.account_id.code,
                line.debit,
                line.credit,
                line.partner_id.name or "",
                analytic_key(line.analytic_distribution),
                line.after_sales_provision_kind or "",
            )
            for line in moves.line_ids
        )

    @staticmethod
    def _item(account, balance, partner=None, analytic=None, kind=""):
        balance = to_cents(balance)
        return (
            account.code,
            max(balance, 0.0),
            max(-balance, 0.0),
            partner.name if partner else "",
            analytic_key(analytic),
            kind,
        )

    def _pair(self, debit, credit, amount, partner=None, analytic=(None, None), kind=("", "")):
        """The two items of an entry of ``amount``: Dr ``debit`` / Cr ``credit``
        (``analytic`` and ``kind``: of the debit and of the credit)."""
        return sorted(
            [
                self._item(debit, amount, partner, analytic[0], kind[0]),
                self._item(credit, -amount, partner, analytic[1], kind[1]),
            ]
        )

    def _tax(self, base):
        return to_cents(base * self.vat.amount / 100.0)

    def _invoice_items(self, partner, amounts, analytic=None, sign=1):
        """The items of a customer invoice (``sign`` -1: credit note) of untaxed
        ``amounts`` (one revenue line each), VAT on their total."""
        untaxed = to_cents(sum(amounts))
        receivable = partner.property_account_receivable_id
        return sorted(
            [
                self._item(receivable, sign * (untaxed + self._tax(untaxed)), partner),
                *(self._item(self.revenue_account, -sign * x, partner, analytic) for x in amounts),
                self._item(self.tax_account, -sign * self._tax(untaxed), partner),
            ]
        )

    def _assert_billed(self, invoice, order, billable):
        """Each invoice line of ``order`` bills what the customer pays of its order
        line: ``billable`` {line kind: untaxed amount}, computed by the test."""
        self.assertEqual(order.invoice_ids, invoice)
        self.assertRecordValues(invoice, [{"move_type": "out_invoice", "state": "posted"}])
        for line in order.line_ids:
            invoice_line = invoice.invoice_line_ids.filtered(
                lambda inv_line, line=line: inv_line.after_sales_order_line_id == line
            )
            self.assertEqual(invoice_line.price_subtotal, billable[line.line_type])
            self.assertEqual(invoice_line.price_subtotal, line.billable_amount)
        self.assertEqual(invoice.amount_untaxed, to_cents(sum(billable.values())))
        self.assertEqual(order.invoice_status, "invoiced")

    def _balance(self, account, date_from=MARCH_START, date_to=MARCH_END):
        domain = [("company_id", "=", self.company.id), ("account_id", "=", account.id)]
        domain += [("parent_state", "=", "posted"), ("date", ">=", date_from)]
        lines = self.env["account.move.line"].search(domain + [("date", "<=", date_to)])
        return to_cents(sum(lines.mapped("balance")))

    @property
    def repairs(self):
        return {str(self.repair_analytic.id): 100.0}

    @property
    def contract_analytic(self):
        return {str(self.contract.analytic_account_id.id): 100.0}

    def _gasket_values(self):
        """FIFO value of the gaskets of each repair, in the order the repairs were
        done: warranty (1), contract (2), out of warranty (1), goodwill (1)."""
        return dict(
            zip(
                ("warranty", "contract", "paid", "goodwill"),
                fifo_values(GASKET_RECEIPTS, (1, 2, 1, 1)),
                strict=True,
            )
        )

    def _assert_stock_entry(self, order, value):
        """Odoo's entry of the parts leaving stock: Dr parts consumed / Cr stock."""
        entry = order.line_ids.move_ids.filtered(lambda m: m.state == "done").account_move_id
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.date, order.date_done.date())
        self.assertEqual(
            self._items(entry), self._pair(self.parts_account, self.stock_account, value)
        )

    def _assert_cost_entry_header(self, order, day):
        entry = order.cost_move_id
        self.assertEqual(len(order.cost_move_ids), 1)
        self.assertRecordValues(
            entry,
            [
                {
                    "state": "posted",
                    "move_type": "entry",
                    "journal_id": self.journal.id,
                    "date": day,
                    "after_sales_entry_kind": "usage",
                    "after_sales_cost_order_id": order.id,
                }
            ],
        )
        return entry

    # ------------------------------------------------------------------
    # 1. Sales with warranty
    # ------------------------------------------------------------------
    def test_01_sales_with_warranty(self):
        self.assertEqual(self.vat.amount_type, "percent")
        self.assertFalse(self.vat.price_include)
        revenue = MACHINES_SOLD * MACHINE_PRICE  # 6,000.00
        self.assertEqual(self._items(self.sale), self._invoice_items(self.customer, [revenue]))
        accrual = self._entries(self.sale, "provision")
        self.assertEqual(len(accrual), 1)
        self.assertRecordValues(
            accrual,
            [{"state": "posted", "date": date(2026, 3, 2), "journal_id": self.journal.id}],
        )
        provision = to_cents(revenue * PROVISION_RATE / 100.0)  # 300.00
        self.assertEqual(provision, 300.0)
        self.assertEqual(
            self._items(accrual),
            self._pair(
                self.warranty_expense_account,
                self.provision_account,
                provision,
                self.customer,
                kind=("", "accrual"),
            ),
        )
        self.assertEqual(accrual.line_ids.after_sales_categ_id, self.machines)

        credited = MACHINES_CREDITED * MACHINE_PRICE  # 2,000.00
        self.assertEqual(
            self._items(self.credit_note), self._invoice_items(self.customer, [credited], sign=-1)
        )
        release = self._entries(self.credit_note, "provision")
        self.assertEqual(len(release), 1)
        self.assertRecordValues(release, [{"state": "posted", "date": date(2026, 3, 6)}])
        released = to_cents(credited * PROVISION_RATE / 100.0)  # 100.00
        self.assertEqual(released, 100.0)
        self.assertEqual(
            self._items(release),
            self._pair(
                self.provision_account,
                self.warranty_expense_account,
                released,
                self.customer,
                kind=("release", ""),
            ),
        )

        # the serials delivered are in the customer's installed base, under warranty
        self.assertEqual(len(self.sold_units), MACHINES_SOLD)
        warranty_end = date(2026, 3, 2) + relativedelta(months=6, days=-1)
        self.assertRecordValues(
            self.sold_units.sorted(lambda unit: unit.lot_id.name),
            [
                {
                    "partner_id": self.customer.id,
                    "site_partner_id": self.customer_site.id,
                    "product_id": self.espresso.id,
                    "lot_id": lot.id,
                    "delivery_date": date(2026, 3, 2),
                    "warranty_end_date": warranty_end,
                }
                for lot in self.serials.sorted("name")
            ],
        )
        with freeze_time("2026-03-31 12:00:00"):
            self.sold_units.invalidate_recordset(["warranty_state"])
            self.assertEqual(set(self.sold_units.mapped("warranty_state")), {"warranty"})

    # ------------------------------------------------------------------
    # 2. Repair in warranty
    # ------------------------------------------------------------------
    def test_02_warranty_repair(self):
        order = self.warranty_order
        # the gasket was reserved in the warehouse when the order was scheduled
        self.assertEqual(self.reservation_at_scheduling, [("assigned", 1.0)])
        self.assertEqual(order.coverage_source, "warranty")
        self.assertEqual(order.state, "done")

        part_value = self._gasket_values()["warranty"]  # 12.50 (first FIFO layer)
        labour_cost = 2.0 * HOURLY_COST  # 90.00
        self.assertEqual((part_value, labour_cost), (12.5, 90.0))
        self._assert_stock_entry(order, part_value)

        entry = self._assert_cost_entry_header(order, date(2026, 3, 10))
        self.assertEqual(
            self._items(entry),
            sorted(
                [
                    self._item(
                        self.provision_account, part_value, self.customer, kind="usage_parts"
                    ),
                    self._item(
                        self.provision_account, labour_cost, self.customer, kind="usage_labour"
                    ),
                    self._item(self.parts_account, -part_value, self.customer),
                    self._item(self.absorbed_account, -labour_cost, self.customer),
                ]
            ),
        )
        provision_lines = entry.line_ids.filtered(
            lambda line: line.account_id == self.provision_account
        )
        self.assertEqual(provision_lines.after_sales_categ_id, self.machines)

        # nothing to invoice: the warranty pays it all
        self.assertEqual(order.invoice_status, "no")
        self.assertEqual(order.amount_billable, 0.0)
        self.assertEqual(order.cost_warranty, to_cents(part_value + labour_cost))
        with self.assertRaisesRegex(UserError, "nothing to invoice"):
            order._create_invoices()
        self.assertFalse(order.invoice_ids)

    # ------------------------------------------------------------------
    # 3. Repair out of warranty, invoiced
    # ------------------------------------------------------------------
    def test_03_out_of_warranty_repair(self):
        order = self.paid_order
        self.assertEqual(order.coverage_source, "none")
        self.assertEqual(self.paid_status_before_invoicing, "to_invoice")

        part_value = self._gasket_values()["paid"]  # 13.00
        labour_cost = 1.5 * HOURLY_COST  # 67.50
        travel_cost = to_cents(40 * TRAVEL_COST)  # 16.00
        self._assert_stock_entry(order, part_value)
        entry = self._assert_cost_entry_header(order, date(2026, 3, 12))
        partner = self.other_customer
        self.assertEqual(
            self._items(entry),
            sorted(
                [
                    self._item(self.billable_cost_account, part_value, partner, self.repairs),
                    self._item(self.billable_cost_account, labour_cost, partner, self.repairs),
                    self._item(self.billable_cost_account, travel_cost, partner, self.repairs),
                    self._item(self.parts_account, -part_value, partner),
                    self._item(self.absorbed_account, -(labour_cost + travel_cost), partner),
                ]
            ),
        )

        # the invoice: what the customer pays of each line, untaxed
        invoice = self.paid_invoice
        self.assertEqual(invoice.partner_id, partner)
        billable = {
            "part": PART_PRICE,  # 25.00
            "labour": to_cents(1.5 * LABOUR_PRICE),  # 105.00
            "travel": to_cents(40 * TRAVEL_PRICE),  # 36.00
        }  # 166.00 untaxed
        self._assert_billed(invoice, order, billable)
        self.assertFalse(invoice.after_sales_entry_ids, "no product with warranty sold")
        # BUG, fails until fixed: the invoice line of a part carries the product
        # (models/after_sales_order_invoice.py:271), so posting the invoice adds Odoo's
        # anglo-saxon COGS items for the real-time valued gasket (stock_account
        # _stock_account_prepare_realtime_out_lines_vals: Dr expense 13.00 / Cr stock
        # 13.00), although the gasket already left stock by the order's consumption
        # move (Dr parts consumed / Cr stock) and its cost is charged by the cost entry:
        # the part's cost is expensed twice and the stock account credited twice.
        # Fix: in models/account_move_line.py (class AccountMoveLine, line 14) override
        # _eligible_for_stock_account to return False for lines with an
        # after_sales_order_line_id (invoice lines and their credit notes).
        self.assertEqual(
            self._items(invoice),
            self._invoice_items(partner, billable.values(), self.repairs),
        )

    # ------------------------------------------------------------------
    # 4. Repair under the contract
    # ------------------------------------------------------------------
    def test_04_contract_repair(self):
        order = self.contract_order
        self.assertEqual(order.coverage_source, "contract")
        self.assertEqual(order.contract_id, self.contract)
        self.assertEqual(order.analytic_distribution, self.contract_analytic)
        self.assertEqual(order.invoice_status, "no")

        part_value = self._gasket_values()["contract"]  # 12.50 + 13.00: two FIFO layers
        self.assertEqual(part_value, 25.5)
        labour_cost = 1.5 * HOURLY_COST  # 67.50
        travel_cost = to_cents(20 * TRAVEL_COST)  # 8.00
        self._assert_stock_entry(order, part_value)
        entry = self._assert_cost_entry_header(order, date(2026, 3, 11))
        analytic = self.contract_analytic
        self.assertEqual(
            self._items(entry),
            sorted(
                [
                    self._item(self.contract_cost_account, part_value, self.customer, analytic),
                    self._item(self.contract_cost_account, labour_cost, self.customer, analytic),
                    self._item(self.contract_cost_account, travel_cost, self.customer, analytic),
                    self._item(self.parts_account, -part_value, self.customer),
                    self._item(self.absorbed_account, -(labour_cost + travel_cost), self.customer),
                ]
            ),
        )

    # ------------------------------------------------------------------
    # 5. Goodwill
    # ------------------------------------------------------------------
    def test_05_goodwill(self):
        order = self.goodwill_order
        self.assertEqual(order.coverage_source, "none")
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        self.assertEqual(labour.goodwill_pct, GOODWILL_PCT)
        self.assertIn("Second visit", labour.split_reason)

        part_value = self._gasket_values()["goodwill"]  # 13.00
        labour_cost = 3.0 * HOURLY_COST  # 135.00
        goodwill_cost = to_cents(labour_cost * GOODWILL_PCT / 100.0)  # 67.50
        self._assert_stock_entry(order, part_value)
        entry = self._assert_cost_entry_header(order, date(2026, 3, 19))
        self.assertEqual(
            self._items(entry),
            sorted(
                [
                    self._item(self.billable_cost_account, part_value, self.customer, self.repairs),
                    self._item(
                        self.billable_cost_account,
                        labour_cost - goodwill_cost,
                        self.customer,
                        self.repairs,
                    ),
                    self._item(self.goodwill_account, goodwill_cost, self.customer, self.repairs),
                    self._item(self.parts_account, -part_value, self.customer),
                    self._item(self.absorbed_account, -labour_cost, self.customer),
                ]
            ),
        )
        self.assertNotIn(self.provision_account, entry.line_ids.account_id)

        # the invoice is the rest: the gasket and half of the labour
        invoice = self.goodwill_invoice
        labour_value = to_cents(3.0 * LABOUR_PRICE)  # 210.00
        billable = {
            "part": PART_PRICE,
            "labour": to_cents(labour_value - labour_value * GOODWILL_PCT / 100.0),  # 105.00
        }  # 130.00 untaxed
        self._assert_billed(invoice, order, billable)
        # BUG, fails until fixed (see test_03): Odoo's COGS items for the gasket on the
        # invoice (Dr expense 13.00 / Cr stock 13.00) count its cost a second time.
        self.assertEqual(
            self._items(invoice),
            self._invoice_items(self.customer, billable.values(), self.repairs),
        )

    # ------------------------------------------------------------------
    # 6. Supplier recovery
    # ------------------------------------------------------------------
    def test_06_supplier_recovery(self):
        claim = self.claim
        covered = self._gasket_values()["warranty"]  # 12.50: the gasket's warranty cost
        self.assertRecordValues(
            claim,
            [
                {
                    "partner_id": self.supplier.id,
                    "product_id": self.gasket.id,
                    "amount_claimed": covered,
                    "amount_accepted": covered,
                    "amount_received": covered,
                    "state": "received",
                    "date_claimed": date(2026, 3, 20),
                }
            ],
        )
        self.assertEqual(self.claim_state_before_credit_note, "accepted")
        recovery = claim.recovery_move_id
        self.assertRecordValues(
            recovery,
            [
                {
                    "state": "posted",
                    "date": date(2026, 3, 20),
                    "journal_id": self.journal.id,
                    "after_sales_entry_kind": "recovery",
                }
            ],
        )
        self.assertEqual(
            self._items(recovery),
            self._pair(
                self.recovery_account, self.warranty_expense_account, covered, self.supplier
            ),
        )
        credit_note = claim.credit_note_id
        self.assertRecordValues(
            credit_note,
            [
                {
                    "move_type": "in_refund",
                    "state": "posted",
                    "partner_id": self.supplier.id,
                    "date": date(2026, 3, 24),
                }
            ],
        )
        self.assertEqual(
            self._items(credit_note),
            self._pair(
                self.supplier.property_account_payable_id,
                self.recovery_account,
                covered,
                self.supplier,
            ),
        )
        receivable = claim.recovery_line_id
        self.assertTrue(receivable.reconciled)
        self.assertEqual(
            receivable.full_reconcile_id,
            credit_note.line_ids.filtered(
                lambda line: line.account_id == self.recovery_account
            ).full_reconcile_id,
        )

    # ------------------------------------------------------------------
    # 7. Prepaid yearly contract
    # ------------------------------------------------------------------
    def test_07_prepaid_yearly_contract(self):
        invoice = self.contract_invoice
        period_end = CONTRACT_START + relativedelta(years=1, days=-1)  # 28 February 2027
        self.assertRecordValues(
            invoice,
            [
                {
                    "state": "posted",
                    "invoice_date": CONTRACT_START,
                    "after_sales_contract_id": self.contract.id,
                    "after_sales_period_start": CONTRACT_START,
                    "after_sales_period_end": period_end,
                }
            ],
        )
        analytic = self.contract_analytic
        self.assertEqual(
            self._items(invoice), self._invoice_items(self.customer, [CONTRACT_PRICE], analytic)
        )
        deferral = self._entries(invoice, "deferral")
        self.assertEqual(len(deferral), 1)
        self.assertRecordValues(
            deferral, [{"state": "posted", "date": CONTRACT_START, "journal_id": self.journal.id}]
        )
        self.assertEqual(
            self._items(deferral),
            self._pair(
                self.revenue_account,
                self.deferred_account,
                CONTRACT_PRICE,
                self.customer,
                analytic=(analytic, None),
            ),
        )

        # 12 recognitions, one per month by days, dated each month's end; the last
        # takes what is left so that they add up to the price exactly
        months = []
        day = CONTRACT_START
        while day <= period_end:
            days_in_month = calendar.monthrange(day.year, day.month)[1]
            months.append((date(day.year, day.month, days_in_month), days_in_month))
            day = date(day.year, day.month, days_in_month) + relativedelta(days=1)
        total_days = (period_end - CONTRACT_START).days + 1
        self.assertEqual((len(months), total_days), (12, 365))
        shares = [to_cents(CONTRACT_PRICE * days / total_days) for _end, days in months[:-1]]
        shares.append(to_cents(CONTRACT_PRICE - sum(shares)))
        self.assertEqual(shares[0], 101.92, "1,200.00 x 31 / 365 = 101.9178")
        self.assertEqual(shares[-1], 92.04, "February: what is left")
        self.assertEqual(to_cents(sum(shares)), CONTRACT_PRICE)

        recognitions = self.recognitions
        self.assertEqual(self.recognition_states_at_invoicing, ["draft"] * 12)
        self.assertEqual(recognitions.mapped("date"), [end for end, _days in months])
        self.assertEqual(set(recognitions.mapped("auto_post")), {"at_date"})
        for entry, share in zip(recognitions, shares, strict=True):
            self.assertEqual(
                self._items(entry),
                self._pair(
                    self.deferred_account,
                    self.revenue_account,
                    share,
                    self.customer,
                    analytic=(None, analytic),
                ),
                entry.date,
            )
        # on 31 March, Odoo's auto-post cron posted March's share, and only that one
        self.assertEqual(recognitions.mapped("state"), ["posted"] + ["draft"] * 11)
        self.assertEqual(self._balance(self.deferred_account), -to_cents(CONTRACT_PRICE - 101.92))

    # ------------------------------------------------------------------
    # 8. Month end: the reconciliation report and the ledger
    # ------------------------------------------------------------------
    def test_08_month_end_report(self):
        values = self._gasket_values()
        accrual = to_cents(MACHINES_SOLD * MACHINE_PRICE * PROVISION_RATE / 100.0)  # 300.00
        release = to_cents(MACHINES_CREDITED * MACHINE_PRICE * PROVISION_RATE / 100.0)  # 100
        usage_parts = values["warranty"]  # 12.50
        usage_labour = 2.0 * HOURLY_COST  # 90.00
        closing = to_cents(accrual - release - usage_parts - usage_labour)  # 97.50
        self.assertEqual(closing, 97.5)

        report = self.env["after_sales.provision.report"].get_report(MARCH_START, MARCH_END)
        figures = {
            "opening": 0.0,
            "accrual": accrual,
            "usage_parts": usage_parts,
            "usage_labour": usage_labour,
            "usage_other": 0.0,
            "release": release,
            "trueup": 0.0,
            "expiry": 0.0,
            "adjustment": 0.0,
            "closing": closing,
        }
        # the machines' warranty ends within a year: all of the provision is current
        self.assertEqual(report["totals"], {**figures, "current": closing, "non_current": 0.0})
        self.assertEqual((report["ledger_balance"], report["difference"]), (closing, 0.0))
        self.assertEqual(
            [{key: line[key] for key in ("categ_id", *figures)} for line in report["lines"]],
            [{"categ_id": self.machines.id, **figures}],
        )

        # the ledger: the provision account holds 300 - 100 - usage, nothing else
        self.assertEqual(
            -self._balance(self.provision_account, date(2000, 1, 1)),
            to_cents(accrual - release - (usage_parts + usage_labour)),
        )
        # the other after-sales accounts over March
        consumed = to_cents(sum(values.values()))  # 64.00: every gasket used
        labour_and_travel = {
            "warranty": 2.0 * HOURLY_COST,
            "contract": 1.5 * HOURLY_COST + 20 * TRAVEL_COST,
            "paid": 1.5 * HOURLY_COST + 40 * TRAVEL_COST,
            "goodwill": 3.0 * HOURLY_COST,
        }
        goodwill = to_cents(3.0 * HOURLY_COST * GOODWILL_PCT / 100.0)
        recovered = values["warranty"]
        paid_cost = values["paid"] + labour_and_travel["paid"]
        expected = {
            self.warranty_expense_account: to_cents(accrual - release - recovered),  # 187.50
            self.recovery_account: 0.0,  # claimed and cleared by the credit note
            self.parts_account: 0.0,  # in from stock, out to whoever pays
            self.absorbed_account: -to_cents(sum(labour_and_travel.values())),  # -384.00
            self.contract_cost_account: to_cents(
                values["contract"] + labour_and_travel["contract"]
            ),
            self.goodwill_account: goodwill,  # 67.50
            self.billable_cost_account: to_cents(
                paid_cost + values["goodwill"] + labour_and_travel["goodwill"] - goodwill
            ),  # 177.00
        }
        self.assertEqual({account: self._balance(account) for account in expected}, expected)
        # BUG, fails until fixed (see test_03): the COGS items of the two repair
        # invoices credit the stock of gaskets a second time (-90.00 instead of -64.00).
        self.assertEqual(self._balance(self.stock_account), -consumed)
