"""Every path guarded: what a technician, a customer or a dealer could do by calling
the models directly (/web/dataset/call_kw, as the web client does), refused by the
models themselves whatever the client; and the technician's own work still recorded."""

from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common import AfterSalesCommon, RpcCase, make_technician
from .test_dealer_claim import DealerClaimCommon

ACCESS_ERROR = "odoo.exceptions.AccessError"
USER_ERROR = "odoo.exceptions.UserError"
VALIDATION_ERROR = "odoo.exceptions.ValidationError"
LINE = "after_sales.order.line"
READING = "after_sales.meter.reading"


@tagged("post_install", "-at_install")
class TestTechnicianGuards(AfterSalesCommon, RpcCase):
    """A technician works on the orders assigned to them: their hours, the parts
    they used, the readings of the order's unit. Nothing more, over any path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {"technician": cls.technician, "service_user": cls.service_user}
        Employee = cls.env["hr.employee"].sudo()
        cls.own_employee = Employee.create(
            {"name": "Tom Technician", "user_id": cls.technician.id, "hourly_cost": 30.0}
        )
        # an HR officer's secret: what a colleague costs per hour
        cls.colleague = Employee.create({"name": "Eve Senior", "hourly_cost": 95.0})
        cls.coffee_beans.standard_price = 4.0
        cls.coffee_beans.lst_price = 9.0
        cls.equipment = cls._create_equipment(lot=cls._make_lot(cls.espresso, "GUARD-1"))
        cls.other_equipment = cls._create_equipment(
            partner=cls.other_customer, lot=cls._make_lot(cls.espresso, "GUARD-2")
        )
        cls.order = cls._order(cls.equipment, technician_ids=[Command.link(cls.technician.id)])
        cls.other_order = cls._order(cls.other_equipment, partner_id=cls.other_customer.id)
        cls.meter = cls.env["after_sales.meter"].create({"name": "Hours", "unit": "h"})

    @classmethod
    def _order(cls, equipment, **vals):
        return cls.env["after_sales.order"].create(
            {
                "service_type_id": cls.type_corrective.id,
                "partner_id": cls.customer.id,
                "equipment_id": equipment.id,
                **vals,
            }
        )

    def _labour(self, order, employee, hours=1.0):
        return self.env[LINE].create(
            {
                "order_id": order.id,
                "line_type": "labour",
                "employee_id": employee.id,
                "quantity_done": hours,
            }
        )

    def _part(self, order):
        return self.env[LINE].create(
            {"order_id": order.id, "product_id": self.coffee_beans.id, "quantity": 1.0}
        )

    # ------------------------------------------------------------------
    # Costs copied from what a technician may not read
    # ------------------------------------------------------------------
    def test_technician_does_not_read_costs(self):
        """The hourly cost of an employee is the HR officers'; copied onto a line, it
        stays out of a technician's reach, with every cost derived from it."""
        line_id = self.rpc(
            "technician",
            LINE,
            "create",
            {"order_id": self.order.id, "line_type": "labour", "quantity_done": 2.0},
        )
        part = self._part(self.order)
        row = self.rpc(
            "technician", LINE, "read", [line_id], ["name", "quantity_done", "price_unit"]
        )[0]
        self.assertEqual(row["quantity_done"], 2.0)
        for fname in ("unit_cost", "cost_planned", "cost_actual", "warranty_cost", "billable_cost"):
            with self.subTest(field=fname):
                self.assertRpcDenied("technician", LINE, "read", [line_id], [fname])
                self.assertRpcDenied("technician", LINE, "search", [(fname, ">", 0)])
        # nor the part's purchase cost, nor the order's totals (one line = its cost)
        self.assertRpcDenied("technician", LINE, "read", part.ids, ["unit_cost"])
        for fname in ("cost_actual", "cost_planned", "cost_billable", "margin"):
            with self.subTest(field=fname):
                self.assertRpcDenied(
                    "technician", "after_sales.order", "read", self.order.ids, [fname]
                )
        self.assertRpcDenied(
            "technician",
            LINE,
            "formatted_read_group",
            [("order_id", "=", self.order.id)],
            ["line_type"],
            ["cost_actual:sum"],
        )
        # a read of everything leaves the costs out
        row = self.rpc("technician", LINE, "read", [line_id])[0]
        self.assertNotIn("unit_cost", row)
        self.assertIn("price_unit", row)
        self.assertNotIn("cost_actual", self.rpc("technician", LINE, "fields_get"))
        # service users cost the orders
        row = self.rpc("service_user", LINE, "read", [line_id], ["unit_cost", "cost_actual"])[0]
        self.assertEqual((row["unit_cost"], row["cost_actual"]), (30.0, 60.0))
        row = self.rpc("service_user", "after_sales.order", "read", self.order.ids, ["cost_actual"])
        self.assertEqual(row[0]["cost_actual"], 60.0)

    def test_technician_records_only_own_labour(self):
        """The exploit: a labour line for a colleague on one's own order, its unit
        cost read, the line deleted. Refused at the first step, and a colleague's
        hours are not a technician's to change or remove."""
        vals = {
            "order_id": self.order.id,
            "line_type": "labour",
            "employee_id": self.colleague.id,
            "quantity_done": 1.0,
        }
        self.assertRpcDenied("technician", LINE, "create", vals)
        self.assertRpcDenied(
            "technician",
            "after_sales.order",
            "write",
            self.order.ids,
            {"line_ids": [Command.create({k: v for k, v in vals.items() if k != "order_id"})]},
        )
        self.assertFalse(self.order.line_ids, "nothing written")
        # their own hours: by default theirs, or named
        own_id = self.rpc(
            "technician", LINE, "create", {k: v for k, v in vals.items() if k != "employee_id"}
        )
        own = self.env[LINE].browse(own_id)
        self.assertEqual(own.employee_id, self.own_employee)
        self.rpc("technician", LINE, "create", dict(vals, employee_id=self.own_employee.id))
        self.assertRpcDenied(
            "technician", LINE, "write", own.ids, {"employee_id": self.colleague.id}
        )
        self.assertEqual(own.employee_id, self.own_employee)
        self.rpc("technician", LINE, "write", own.ids, {"quantity_done": 3.0})
        self.assertEqual(own.quantity_done, 3.0)
        # a colleague's hours, recorded by a service user
        colleague_line = self._labour(self.order, self.colleague, 2.0)
        self.assertRpcDenied(
            "technician", LINE, "write", colleague_line.ids, {"quantity_done": 8.0}
        )
        self.assertRpcDenied("technician", LINE, "unlink", colleague_line.ids)
        self.assertTrue(colleague_line.exists())
        self.assertEqual(colleague_line.quantity_done, 2.0)
        # parts the technician used stay theirs to record and remove
        part_id = self.rpc(
            "technician",
            LINE,
            "create",
            {"order_id": self.order.id, "product_id": self.coffee_beans.id},
        )
        self.assertTrue(self.rpc("technician", LINE, "unlink", [part_id]))
        # service users record anyone's hours
        self.assertTrue(self.rpc("service_user", LINE, "create", vals))

    def test_technician_form_records_hours_and_parts(self):
        """The technician's order form (no cost column) records hours and parts."""
        with Form(self.order.with_user(self.technician)) as form:
            with form.line_ids.new() as line:
                line.line_type = "labour"
                line.quantity_done = 1.5
            with form.line_ids.new() as line:
                line.line_type = "part"
                line.product_id = self.coffee_beans
                line.quantity_done = 2.0
        labour = self.order.line_ids.filtered(lambda line: line.line_type == "labour")
        self.assertEqual(labour.employee_id, self.own_employee)
        self.assertEqual(self.order.work_hours, 1.5)
        # costed all the same, for those who read costs
        self.assertEqual(labour.unit_cost, 30.0)
        self.assertEqual(self.order.cost_actual, 45.0 + 8.0)
        # the price the form repeats passes; another price is not a technician's
        count = len(self.order.line_ids)
        self.assertRpcDenied(
            "technician",
            LINE,
            "create",
            {"order_id": self.order.id, "product_id": self.coffee_beans.id, "price_unit": 0.5},
        )
        self.assertEqual(len(self.order.line_ids), count, "nothing written")

    # ------------------------------------------------------------------
    # A line stays on its order
    # ------------------------------------------------------------------
    def test_line_order_is_fixed(self):
        """Moving a line of one's own order onto another customer's order would
        change that order's costs and invoice: a line's order never changes."""
        part = self._part(self.order)
        for role in ("technician", "service_user"):
            with self.subTest(role=role):
                self.assertRpcDenied(
                    role,
                    LINE,
                    "write",
                    part.ids,
                    {"order_id": self.other_order.id},
                    error=USER_ERROR,
                )
                self.assertEqual(part.order_id, self.order)
        self.assertFalse(self.other_order.line_ids, "nothing written")
        self.assertEqual(self.other_order.amount_total, 0.0)
        # nor by linking it from the other side
        self.assertRpcDenied(
            "service_user",
            "after_sales.order",
            "write",
            self.other_order.ids,
            {"line_ids": [Command.link(part.id)]},
            error=USER_ERROR,
        )
        self.assertEqual(part.order_id, self.order)
        # nor a task of the order's checklist
        task = self.env["after_sales.order.task"].create(
            {"order_id": self.order.id, "name": "Descale"}
        )
        self.assertRpcDenied(
            "service_user",
            "after_sales.order.task",
            "write",
            task.ids,
            {"order_id": self.other_order.id},
            error=USER_ERROR,
        )
        self.assertEqual(task.order_id, self.order)
        # the same order written again is no move
        self.assertTrue(
            self.rpc(
                "technician", LINE, "write", part.ids, {"order_id": self.order.id, "quantity": 2}
            )
        )
        self.assertEqual(part.quantity, 2.0)

    # ------------------------------------------------------------------
    # A reading during an order is a reading of the order's unit
    # ------------------------------------------------------------------
    def test_reading_belongs_to_order_unit(self):
        """A false high reading attached to one's own order on another unit would
        trigger usage orders for that unit and block its true, lower readings."""
        vals = {
            "equipment_id": self.other_equipment.id,
            "meter_id": self.meter.id,
            "order_id": self.order.id,
            "date": "2026-06-01 10:00:00",
            "value": 99999.0,
        }
        for role in ("technician", "service_user"):
            with self.subTest(role=role):
                self.assertRpcDenied(role, READING, "create", vals, error=VALIDATION_ERROR)
        self.assertFalse(self.env[READING].search([("equipment_id", "=", self.other_equipment.id)]))
        # the order's unit: recorded
        reading_id = self.rpc(
            "technician", READING, "create", dict(vals, equipment_id=self.equipment.id, value=120.0)
        )
        reading = self.env[READING].browse(reading_id)
        # and it stays there
        for change in (
            {"equipment_id": self.other_equipment.id},
            {"order_id": False},
            {"order_id": False, "equipment_id": self.other_equipment.id},
        ):
            with self.subTest(change=change):
                self.assertRpcDenied("technician", READING, "write", [reading_id], change)
                self.assertEqual(
                    (reading.equipment_id, reading.order_id), (self.equipment, self.order)
                )
        self.rpc("technician", READING, "write", [reading_id], {"value": 125.0})
        self.assertEqual(reading.value, 125.0)
        # a service user corrects a reading, within the same rule
        self.assertRpcDenied(
            "service_user",
            READING,
            "write",
            [reading_id],
            {"equipment_id": self.other_equipment.id},
            error=VALIDATION_ERROR,
        )
        self.rpc(
            "service_user",
            READING,
            "write",
            [reading_id],
            {"equipment_id": self.other_equipment.id, "order_id": self.other_order.id},
        )
        self.assertEqual(reading.equipment_id, self.other_equipment)
        # the true readings of the other unit are not blocked
        self.rpc(
            "service_user",
            READING,
            "create",
            dict(vals, order_id=False, date="2026-07-01 10:00:00", value=130.0),
        )

    def test_order_with_readings_keeps_its_unit(self):
        """Changing the unit of an order would leave its readings on the old unit."""
        self.rpc(
            "service_user",
            READING,
            "create",
            {
                "equipment_id": self.equipment.id,
                "meter_id": self.meter.id,
                "order_id": self.order.id,
                "date": "2026-06-01 10:00:00",
                "value": 120.0,
            },
        )
        self.assertRpcDenied(
            "service_user",
            "after_sales.order",
            "write",
            self.order.ids,
            {"equipment_id": self.other_equipment.id},
            error=USER_ERROR,
        )
        self.assertEqual(self.order.equipment_id, self.equipment)
        # the same unit written again is no change
        self.rpc(
            "service_user",
            "after_sales.order",
            "write",
            self.order.ids,
            {"equipment_id": self.equipment.id},
        )

    def test_reading_needs_order_with_unit(self):
        order = self._order(self.equipment, technician_ids=[Command.link(self.technician.id)])
        order.equipment_id = False
        self.assertRpcDenied(
            "technician",
            READING,
            "create",
            {
                "equipment_id": self.equipment.id,
                "meter_id": self.meter.id,
                "order_id": order.id,
                "value": 10.0,
            },
            error=VALIDATION_ERROR,
        )
        self.assertFalse(order.meter_reading_ids)


@tagged("post_install", "-at_install")
class TestBoardGuards(AfterSalesCommon, RpcCase):
    """The dispatch board and the workload are the planners' (service users'):
    technicians' names, users and free hours, whatever orders the caller may read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        calendar = cls._office_calendar("Board guard hours")
        cls.anna = make_technician(cls.env, "guard_anna", "Anna", calendar, cls.company)
        # a customer without any order: nothing refused the board by accident
        contact = cls.env["res.partner"].create(
            {"name": "Guest", "parent_id": cls.other_customer.id}
        )
        cls.users = {
            "service_user": cls.service_user,
            "technician": cls.anna.user_id,
            "internal": new_test_user(cls.env, login="as_guard_internal", groups="base.group_user"),
            "portal": new_test_user(
                cls.env, login="as_guard_portal", groups="base.group_portal", partner_id=contact.id
            ),
        }
        cls.order = cls.env["after_sales.order"].create(
            {
                "service_type_id": cls.type_corrective.id,
                "partner_id": cls.customer.id,
                "technician_ids": [Command.link(cls.anna.user_id.id)],
            }
        )

    def test_board_is_for_service_users(self):
        board = self.rpc(
            "service_user", "after_sales.order", "get_dispatch_board_data", "2026-03-02"
        )
        self.assertIn(self.anna.id, [tech["id"] for tech in board["technicians"]])
        action = self.rpc("service_user", "after_sales.workload", "action_open_workload")
        self.assertEqual(action["res_model"], "after_sales.workload")
        before = (self.order.technician_ids, self.order.planned_date_start, self.order.state)
        for role in ("portal", "technician", "internal"):
            with self.subTest(role=role):
                self.assertRpcDenied(
                    role, "after_sales.order", "get_dispatch_board_data", "2026-03-02"
                )
                self.assertRpcDenied(
                    role,
                    "after_sales.order",
                    "action_board_move",
                    self.order.ids,
                    self.anna.id,
                    "2026-03-02 08:00:00",
                )
                self.assertRpcDenied(
                    role, "after_sales.order", "action_board_unassign", self.order.ids
                )
                self.assertRpcDenied(role, "after_sales.workload", "action_open_workload")
                self.assertRpcDenied(
                    role, "after_sales.workload", "search_read", [], ["free_hours"]
                )
        self.order.invalidate_recordset()
        self.assertEqual(
            (self.order.technician_ids, self.order.planned_date_start, self.order.state), before
        )
        # nor did the refused calls rebuild the workload rows
        refused = [self.users[role].id for role in ("portal", "technician", "internal")]
        self.assertFalse(self.env["after_sales.workload"].search([("write_uid", "in", refused)]))


@tagged("post_install", "-at_install")
class TestDealerPortalGuards(DealerClaimCommon, RpcCase):
    """A dealer's portal user reads what it claimed and what was decided, not the
    cap of its lines (derived from our own cost of the parts)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {"dealer": cls.dealer_a_user, "service_user": cls.service_user}
        cls.claim = cls._claim()
        cls.claim.action_submit()
        cls.part_line = cls.claim.line_ids.filtered(lambda line: line.kind == "part")

    def test_dealer_does_not_read_the_cap(self):
        # 2 parts at our cost (40.00, below the dealer's 45.00) + 10 %
        self.assertAlmostEqual(self.part_line.amount_max, 88.0)
        line_model = "after_sales.dealer.claim.line"
        self.assertRpcDenied("dealer", line_model, "read", self.part_line.ids, ["amount_max"])
        self.assertRpcDenied("dealer", line_model, "search", [("amount_max", ">", 80)])
        self.assertRpcDenied(
            "dealer", line_model, "formatted_read_group", [], ["kind"], ["amount_max:sum"]
        )
        self.assertNotIn("amount_max", self.rpc("dealer", line_model, "fields_get"))
        rows = self.rpc("dealer", line_model, "search_read", [("claim_id", "=", self.claim.id)])
        self.assertEqual(len(rows), 3)
        self.assertTrue(all("amount_max" not in row for row in rows))
        part_row = next(row for row in rows if row["kind"] == "part")
        self.assertEqual((part_row["quantity"], part_row["unit_cost"]), (2.0, 45.0))
        self.assertAlmostEqual(part_row["amount_claimed"], 99.0)
        # the claim: what was claimed and decided, not who checked it
        claim_model = "after_sales.dealer.claim"
        row = self.rpc(
            "dealer",
            claim_model,
            "read",
            self.claim.ids,
            ["name", "state", "amount_claimed", "line_ids", "coverage_reason"],
        )[0]
        self.assertEqual((row["state"], row["line_ids"]), ("submitted", self.claim.line_ids.ids))
        self.assertRpcDenied("dealer", claim_model, "read", self.claim.ids, ["checked_by_id"])
        self.assertRpcDenied(
            "dealer", claim_model, "read", self.claim.ids, ["message_follower_ids"]
        )
        # the dealer's portal page shows what it needs
        self.authenticate(self.dealer_a_user.login, self.dealer_a_user.login)
        self._logged_in = self.dealer_a_user.login
        page = self.url_open(f"/my/dealer_claims/{self.claim.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.claim.name, page.text)
        # our people read the cap
        row = self.rpc("service_user", line_model, "read", self.part_line.ids, ["amount_max"])[0]
        self.assertAlmostEqual(row["amount_max"], 88.0)

    def test_dealer_reads_the_decision(self):
        self.part_line.with_user(self.service_manager).write(
            {"check_state": "rejected", "reject_reason_id": self.reason.id, "reject_note": "Worn"}
        )
        row = self.rpc(
            "dealer",
            "after_sales.dealer.claim.line",
            "read",
            self.part_line.ids,
            ["check_state", "reject_reason_id", "reject_note", "amount_accepted"],
        )[0]
        self.assertEqual((row["check_state"], row["reject_note"]), ("rejected", "Worn"))
        self.assertEqual(row["reject_reason_id"][0], self.reason.id)
