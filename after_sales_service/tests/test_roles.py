"""Who may do what, checked where it matters: through the JSON-RPC endpoint the web
client and integrations use, with whatever context the caller chooses."""

from datetime import date

from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import AfterSalesCommon, RpcCase

ACCESS_ERROR = "odoo.exceptions.AccessError"

# Roles (login) -> groups of the test users.
ROLES = {
    "technician": "after_sales_service.group_technician",
    "service_user": "after_sales_service.group_user",
    "manager": "after_sales_service.group_manager",
    "accountant": "account.group_account_readonly",
    "portal": "base.group_portal",
}

# What each role may do on each model: r(ead) w(rite) c(reate) u(nlink), "-" when
# refused, None when the role does not matter here. Records of orders (tasks,
# parts, meter readings) are those of an order assigned to the technician and
# owned by the portal user's company.
MATRIX = {
    # model:                         technician service_user manager accountant portal
    "after_sales.service.type": ("r---", "r---", "rwcu", "r---", "r---"),
    "after_sales.equipment": ("r---", "rwc-", "rwcu", "r---", "r---"),
    "after_sales.contract": ("r---", "rwc-", "rwcu", "r---", "r---"),
    "after_sales.contract.sla": ("r---", "rwcu", "rwcu", "r---", "r---"),
    "after_sales.order": ("rw--", "rwc-", "rwcu", "r---", "r---"),
    "after_sales.order.task": ("rw--", "rwcu", "rwcu", "r---", "r---"),
    "after_sales.order.line": ("rwcu", "rwcu", "rwcu", "r---", "r---"),
    "after_sales.checklist.template": ("r---", "r---", "rwcu", "----", "----"),
    "after_sales.checklist.template.line": ("r---", "r---", "rwcu", "----", "----"),
    "after_sales.meter": ("r---", "r---", "rwcu", "----", "----"),
    "after_sales.meter.reading": ("rwc-", "rwc-", "rwcu", "----", "----"),
    "after_sales.loan": ("r---", "rwc-", "rwcu", "----", "----"),
    "after_sales.plan": ("r---", "rwc-", "rwcu", "r---", "----"),
    "after_sales.claim": ("r---", "rwc-", "rwcu", "r---", "r---"),
    "after_sales.failure.code": ("r---", "r---", "rwcu", "----", "----"),
    "after_sales.reject.reason": ("r---", "r---", "rwcu", "----", "r---"),
    # no write/create on serial numbers beyond what the stock module grants
    "stock.lot": ("r---", "r---", "r---", None, None),
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestRoles(AfterSalesCommon, RpcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Chef", "parent_id": cls.customer.id, "email": "chef@example.com"}
        )
        cls.users = {
            "technician": cls.technician,
            "service_user": cls.service_user,
            "manager": cls.service_manager,
            "accountant": new_test_user(
                cls.env,
                login="as_accountant",
                groups=ROLES["accountant"],
                company_id=cls.company.id,
            ),
            "portal": new_test_user(
                cls.env,
                login="as_portal",
                groups=ROLES["portal"],
                partner_id=cls.contact.id,
                company_id=cls.company.id,
            ),
        }

        cls.technician_employee = (
            cls.env["hr.employee"]
            .sudo()
            .create({"name": "Technician", "user_id": cls.technician.id})
        )
        cls.lot = cls._make_lot(cls.espresso, "ROLE-001")
        cls.equipment = cls._create_equipment(
            lot=cls.lot, delivery_date=date(2025, 1, 1), note="<p>Key under the mat</p>"
        )
        cls.other_equipment = cls._create_equipment(partner=cls.other_customer)
        cls.contract = cls._create_contract(cls.equipment, note="<p>Terms</p>")
        cls.sla = cls.env["after_sales.contract.sla"].create(
            {
                "contract_id": cls.contract.id,
                "priority": "2",
                "response_hours": 4,
                "resolution_hours": 16,
            }
        )
        cls.contract.action_start()

        cls.order = cls._order(technician_ids=[Command.link(cls.technician.id)])
        cls.task = cls._task(cls.order)
        cls.part = cls._part(cls.order)
        cls.other_order = cls._order()
        cls.other_task = cls._task(cls.other_order)
        cls.foreign_order = cls._order(partner_id=cls.other_customer.id, equipment_id=False)

        cls.meter = cls.env["after_sales.meter"].create({"name": "Hours", "unit": "h"})
        cls.reading = cls.env["after_sales.meter.reading"].create(
            {
                "equipment_id": cls.equipment.id,
                "meter_id": cls.meter.id,
                "order_id": cls.order.id,
                "date": "2025-06-01 10:00:00",
                "value": 10.0,
            }
        )
        cls.template = cls.env["after_sales.checklist.template"].create(
            {"name": "Descale", "line_ids": [Command.create({"name": "Flush the boiler"})]}
        )
        cls.loan = cls._loan()
        cls.plan = cls._create_plan()

        cls.claim = cls._claim()
        cls.failure_code = cls._failure_code()
        cls.reject_reason = cls._reject_reason()

        cls.models = {
            "after_sales.claim": {
                "record": cls.claim,
                "fresh": cls._claim,
                "write": {"category": "billing"},
                "create": lambda: {
                    "partner_id": cls.customer.id,
                    "channel": "phone",
                    "description": "<p>It leaks</p>",
                },
            },
            "after_sales.failure.code": {
                "record": cls.failure_code,
                "fresh": cls._failure_code,
                "write": {"name": "Leaks water"},
                "create": lambda: {"name": "No steam", "kind": "symptom"},
            },
            "after_sales.reject.reason": {
                "record": cls.reject_reason,
                "fresh": cls._reject_reason,
                "write": {"name": "Too late"},
                "create": lambda: {"name": "Not our product"},
            },
            "after_sales.service.type": {
                "record": cls.type_corrective,
                "fresh": cls._service_type,
                "write": {"description": "Changed"},
                "create": lambda: {"name": "Commissioning", "code": cls._unique("commission")},
            },
            "after_sales.equipment": {
                "record": cls.equipment,
                "fresh": cls._create_equipment,
                "write": {"note": "<p>Changed</p>"},
                "create": lambda: {"product_id": cls.espresso.id, "partner_id": cls.customer.id},
            },
            "after_sales.contract": {
                "record": cls.contract,
                "fresh": cls._create_contract,
                "write": {"note": "<p>Changed</p>"},
                "create": lambda: {
                    "partner_id": cls.customer.id,
                    "date_start": "2026-01-01",
                    "date_end": "2026-12-31",
                    "price": 50.0,
                },
            },
            "after_sales.contract.sla": {
                "record": cls.sla,
                "fresh": lambda: cls._sla(cls._create_contract()),
                "write": {"response_hours": 2.0},
                "create": lambda: {
                    "contract_id": cls._create_contract().id,
                    "priority": "3",
                    "response_hours": 1,
                    "resolution_hours": 4,
                },
            },
            "after_sales.order": {
                "record": cls.order,
                "fresh": lambda: cls._order(technician_ids=[Command.link(cls.technician.id)]),
                "write": {"findings": "<p>Scale in the boiler</p>"},
                "create": lambda: {
                    "service_type_id": cls.type_corrective.id,
                    "partner_id": cls.customer.id,
                },
            },
            "after_sales.order.task": {
                "record": cls.task,
                "fresh": lambda: cls._task(cls.order),
                "write": {"note": "Done with vinegar"},
                "create": lambda: {"order_id": cls.order.id, "name": "Check the seals"},
            },
            "after_sales.order.line": {
                "record": cls.part,
                "fresh": lambda: cls._part(cls.order),
                "write": {"quantity": 2.0},
                "create": lambda: {"order_id": cls.order.id, "product_id": cls.coffee_beans.id},
            },
            "after_sales.checklist.template": {
                "record": cls.template,
                "fresh": lambda: cls.env["after_sales.checklist.template"].create({"name": "X"}),
                "write": {"name": "Descale (yearly)"},
                "create": lambda: {"name": "Install"},
            },
            "after_sales.checklist.template.line": {
                "record": cls.template.line_ids,
                "fresh": lambda: cls.env["after_sales.checklist.template.line"].create(
                    {"template_id": cls.template.id, "name": "X"}
                ),
                "write": {"expected_minutes": 5},
                "create": lambda: {"template_id": cls.template.id, "name": "Refill"},
            },
            "after_sales.meter": {
                "record": cls.meter,
                "fresh": lambda: cls.env["after_sales.meter"].create({"name": "X", "unit": "x"}),
                "write": {"unit": "hours"},
                "create": lambda: {"name": "Cups", "unit": "cups"},
            },
            "after_sales.meter.reading": {
                "record": cls.reading,
                "fresh": lambda: cls._reading(cls.order, 10.0),
                "write": {"value": 12.0},
                "create": lambda: {
                    "equipment_id": cls.equipment.id,
                    "meter_id": cls.meter.id,
                    "order_id": cls.order.id,
                    "value": 1000.0,
                },
            },
            "after_sales.loan": {
                "record": cls.loan,
                "fresh": cls._loan,
                "write": {"date_due": "2026-03-31"},
                "create": lambda: {
                    "loaner_id": cls._loaner().id,
                    "partner_id": cls.customer.id,
                    "date_out": "2026-02-01",
                    "date_due": "2026-02-28",
                },
            },
            "after_sales.plan": {
                "record": cls.plan,
                "fresh": cls._create_plan,
                "write": {"description": "<p>Changed</p>"},
                "create": lambda: {
                    "name": "Yearly",
                    "equipment_id": cls.equipment.id,
                    "date_start": "2026-01-01",
                },
            },
            "stock.lot": {
                "record": cls.lot,
                "fresh": None,
                "write": {"note": "<p>Changed</p>"},
                "create": lambda: {
                    "name": cls._unique("ROLE"),
                    "product_id": cls.espresso.id,
                    "company_id": cls.company.id,
                },
            },
        }

    # ------------------------------------------------------------------
    # Data (as the test's administrator, through the ORM)
    # ------------------------------------------------------------------
    _counter = 0

    @classmethod
    def _unique(cls, prefix):
        cls._counter += 1
        return f"{prefix}-{cls._counter}"

    @classmethod
    def _order(cls, **vals):
        return cls.env["after_sales.order"].create(
            {
                "service_type_id": cls.type_corrective.id,
                "partner_id": cls.customer.id,
                "equipment_id": cls.equipment.id,
                "user_id": cls.service_manager.id,
                **vals,
            }
        )

    @classmethod
    def _task(cls, order, **vals):
        return cls.env["after_sales.order.task"].create(
            {"order_id": order.id, "name": "Descale", "is_mandatory": True, **vals}
        )

    @classmethod
    def _part(cls, order):
        return cls.env["after_sales.order.line"].create(
            {"order_id": order.id, "product_id": cls.coffee_beans.id, "quantity": 1.0}
        )

    @classmethod
    def _reading(cls, order, value):
        return cls.env["after_sales.meter.reading"].create(
            {
                "equipment_id": cls.equipment.id,
                "meter_id": cls.meter.id,
                "order_id": order and order.id,
                "date": "2025-01-01 10:00:00",
                "value": value,
            }
        )

    @classmethod
    def _service_type(cls):
        return cls.env["after_sales.service.type"].create(
            {"name": "Audit", "code": cls._unique("audit")}
        )

    @classmethod
    def _sla(cls, contract):
        return cls.env["after_sales.contract.sla"].create(
            {"contract_id": contract.id, "priority": "1", "response_hours": 8}
        )

    @classmethod
    def _loaner(cls):
        return cls.env["after_sales.equipment"].create(
            {"product_id": cls.espresso.id, "is_loaner": True}
        )

    @classmethod
    def _loan(cls):
        return cls.env["after_sales.loan"].create(
            {
                "loaner_id": cls._loaner().id,
                "partner_id": cls.customer.id,
                "order_id": cls.order.id,
                "date_out": "2026-01-01",
                "date_due": "2026-01-31",
            }
        )

    @classmethod
    def _create_plan(cls):
        return cls.env["after_sales.plan"].create(
            {
                "name": "Quarterly descaling",
                "contract_id": cls.contract.id,
                "equipment_id": cls.equipment.id,
                "interval_number": 3,
                "interval_unit": "month",
                "date_start": "2026-01-01",
            }
        )

    @classmethod
    def _claim(cls):
        return cls.env["after_sales.claim"].create(
            {"partner_id": cls.customer.id, "equipment_id": cls.equipment.id, "channel": "phone"}
        )

    @classmethod
    def _failure_code(cls):
        return cls.env["after_sales.failure.code"].create({"name": "Leak", "kind": "symptom"})

    @classmethod
    def _reject_reason(cls):
        return cls.env["after_sales.reject.reason"].create({"name": "Outside the term"})

    # ------------------------------------------------------------------
    # The matrix
    # ------------------------------------------------------------------
    def _check_operation(self, role, model, operation, allowed):
        spec = self.models[model]
        record = spec["record"]
        if operation == "read":
            if allowed:
                result = self.rpc(role, model, "read", record.ids, ["display_name"])
                self.assertEqual([row["id"] for row in result], record.ids)
            else:
                self.assertRpcDenied(role, model, "read", record.ids, ["display_name"])
        elif operation == "write":
            vals = spec["write"]
            before = record.read(list(vals))
            if allowed:
                self.assertTrue(self.rpc(role, model, "write", record.ids, vals))
            else:
                self.assertRpcDenied(role, model, "write", record.ids, vals)
                self.assertEqual(record.read(list(vals)), before, "nothing written")
        elif operation == "create":
            vals = spec["create"]()
            count = self.env[model].with_context(active_test=False).search_count([])
            if allowed:
                record_id = self.rpc(role, model, "create", vals)
                self.assertTrue(self.env[model].browse(record_id).exists())
            else:
                self.assertRpcDenied(role, model, "create", vals)
                self.assertEqual(
                    self.env[model].with_context(active_test=False).search_count([]), count
                )
        elif operation == "unlink":
            if not spec["fresh"]:
                return
            fresh = spec["fresh"]()
            if allowed:
                self.assertTrue(self.rpc(role, model, "unlink", fresh.ids))
                self.assertFalse(fresh.exists())
            else:
                self.assertRpcDenied(role, model, "unlink", fresh.ids)
                self.assertTrue(fresh.exists())

    def test_role_matrix(self):
        """Every role against every model and operation, as the data table says."""
        for index, role in enumerate(ROLES):
            for model, rights in MATRIX.items():
                if rights is None or rights[index] is None:
                    continue
                for letter, operation in OPERATIONS.items():
                    allowed = letter in rights[index]
                    with self.subTest(role=role, model=model, operation=operation):
                        self._check_operation(role, model, operation, allowed)

    # ------------------------------------------------------------------
    # Portal customers
    # ------------------------------------------------------------------
    def test_portal_reads_own_records_only(self):
        own = self.rpc("portal", "after_sales.equipment", "search_read", [], ["name"])
        self.assertEqual([row["id"] for row in own], self.equipment.ids)
        orders = self.rpc("portal", "after_sales.order", "search", [])
        self.assertEqual(set(orders), {self.order.id, self.other_order.id})
        self.assertRpcDenied(
            "portal", "after_sales.equipment", "read", self.other_equipment.ids, ["name"]
        )
        self.assertRpcDenied(
            "portal", "after_sales.order", "read", self.foreign_order.ids, ["name"]
        )
        contracts = self.rpc("portal", "after_sales.contract", "search_read", [], ["name"])
        self.assertEqual([row["id"] for row in contracts], self.contract.ids)

    def test_portal_reads_only_customer_fields(self):
        rows = self.rpc(
            "portal",
            "after_sales.equipment",
            "read",
            self.equipment.ids,
            ["name", "warranty_state", "warranty_end_date", "contract_id"],
        )
        self.assertEqual(
            rows[0]["contract_id"] and rows[0]["contract_id"][0], self.equipment.contract_id.id
        )
        self.assertEqual(rows[0]["warranty_state"], self.equipment.warranty_state)
        for model, record, fname in [
            ("after_sales.equipment", self.equipment, "note"),
            ("after_sales.equipment", self.equipment, "delivery_move_id"),
            ("after_sales.equipment", self.equipment, "is_loaner"),
            ("after_sales.contract", self.contract, "user_id"),
            ("after_sales.contract", self.contract, "invoice_ids"),
            ("after_sales.contract", self.contract, "next_invoice_date"),
            ("after_sales.contract", self.contract, "plan_ids"),
            ("after_sales.order", self.order, "user_id"),
            ("after_sales.order", self.order, "plan_id"),
            ("after_sales.order", self.order, "coverage_parts_pct"),
            ("after_sales.order", self.order, "loan_ids"),
            ("after_sales.order.task", self.task, "note"),
            ("after_sales.order.line", self.part, "note"),
        ]:
            with self.subTest(model=model, field=fname):
                self.assertRpcDenied("portal", model, "read", record.ids, [fname])
        # without a field list, only the whitelist comes back
        row = self.rpc("portal", "after_sales.equipment", "read", self.equipment.ids)[0]
        self.assertIn("warranty_end_date", row)
        self.assertNotIn("note", row)
        self.assertNotIn("note", self.rpc("portal", "after_sales.equipment", "fields_get"))
        # the order's technicians may be read (which users a customer sees at all is
        # up to the rules of res.users)
        self.rpc("portal", "after_sales.order", "read", self.order.ids, ["technician_ids"])

    def test_portal_cannot_search_or_group_on_hidden_fields(self):
        self.assertRpcDenied(
            "portal", "after_sales.equipment", "search", [("note", "ilike", "mat")]
        )
        self.assertRpcDenied("portal", "after_sales.equipment", "search", [], order="is_loaner")
        self.assertRpcDenied(
            "portal",
            "after_sales.contract",
            "formatted_read_group",
            [],
            ["user_id"],
            ["__count"],
        )
        self.assertRpcDenied(
            "portal", "after_sales.order", "search", [("user_id", "=", self.service_manager.id)]
        )
        # allowed fields still work
        found = self.rpc(
            "portal", "after_sales.order", "search", [("state", "=", "new")], order="name"
        )
        self.assertIn(self.order.id, found)

    def test_portal_writes_nothing(self):
        self.assertRpcDenied(
            "portal", "after_sales.equipment", "write", self.equipment.ids, {"note": "mine"}
        )
        self.assertRpcDenied(
            "portal", "after_sales.order", "write", self.order.ids, {"description": "mine"}
        )
        self.assertEqual(self.equipment.note, "<p>Key under the mat</p>")

    # ------------------------------------------------------------------
    # Technicians
    # ------------------------------------------------------------------
    def test_technician_equipment_is_read_only(self):
        end = self.equipment.warranty_end_date
        self.assertRpcDenied(
            "technician",
            "after_sales.equipment",
            "write",
            self.equipment.ids,
            {"warranty_end_date": "2030-12-31"},
        )
        self.assertEqual(self.equipment.warranty_end_date, end)

    def test_technician_only_own_orders(self):
        found = self.rpc("technician", "after_sales.order", "search", [])
        self.assertEqual(found, self.order.ids)
        self.assertRpcDenied(
            "technician", "after_sales.order", "read", self.other_order.ids, ["name"]
        )
        self.assertRpcDenied(
            "technician",
            "after_sales.order",
            "write",
            self.other_order.ids,
            {"findings": "<p>Not mine</p>"},
        )
        self.assertFalse(self.other_order.findings)
        self.assertRpcDenied(
            "technician", "after_sales.order.task", "read", self.other_task.ids, ["name"]
        )
        self.assertRpcDenied(
            "technician",
            "after_sales.order.task",
            "write",
            self.other_task.ids,
            {"is_done": True},
        )
        self.assertFalse(self.other_task.is_done)
        self.assertRpcDenied(
            "technician",
            "after_sales.order.line",
            "create",
            {"order_id": self.other_order.id, "product_id": self.coffee_beans.id},
        )

    def test_technician_meter_readings_of_own_orders(self):
        vals = {"equipment_id": self.equipment.id, "meter_id": self.meter.id, "value": 500.0}
        for order in (self.other_order, self.env["after_sales.order"]):
            with self.subTest(order=order.name):
                self.assertRpcDenied(
                    "technician",
                    "after_sales.meter.reading",
                    "create",
                    dict(vals, order_id=order.id),
                )
        foreign = self._reading(self.other_order, 5.0)
        self.assertRpcDenied(
            "technician", "after_sales.meter.reading", "write", foreign.ids, {"value": 6.0}
        )
        self.assertEqual(foreign.value, 5.0)
        # readable all the same, like the equipment they belong to
        self.assertTrue(
            self.rpc("technician", "after_sales.meter.reading", "read", foreign.ids, ["value"])
        )
        # service users record readings without an order
        self.assertTrue(self.rpc("service_user", "after_sales.meter.reading", "create", vals))

    def test_technician_writes_only_work_fields_of_own_order(self):
        """Waits on the lead's write rules in after_sales_order.py."""
        order = self._order(technician_ids=[Command.link(self.technician.id)])
        task = self._task(order)
        forbidden = {
            "partner_id": self.other_customer.id,
            "contract_id": False,
            "coverage_source": "none",
            "coverage_parts_pct": 0.0,
            "plan_id": self.plan.id,
            "plan_date": "2026-04-01",
            "equipment_id": self.other_equipment.id,
            "service_type_id": self.type_preventive.id,
            "priority": "3",
            "technician_ids": [Command.link(self.service_user.id)],
            "date_received": "2024-01-01 08:00:00",
        }
        for fname, value in forbidden.items():
            with self.subTest(field=fname):
                before = order.read([fname])
                self.assertRpcDenied(
                    "technician", "after_sales.order", "write", order.ids, {fname: value}
                )
                self.assertEqual(order.read([fname]), before, "nothing written")
        self.assertTrue(
            self.rpc(
                "technician",
                "after_sales.order",
                "write",
                order.ids,
                {
                    "findings": "<p>Scale</p>",
                    # time is entered on a labour line, theirs by default
                    "line_ids": [Command.create({"line_type": "labour", "quantity_done": 1.5})],
                    "signed_by": "Chef",
                },
            )
        )
        self.assertEqual(order.work_hours, 1.5)
        self.assertEqual(order.line_ids.employee_id, self.technician_employee)
        self.rpc("technician", "after_sales.order", "action_start", order.ids)
        self.assertEqual(order.state, "in_progress")
        # done is refused with a mandatory task open, by the button or by a plain write
        self.assertRpcDenied(
            "technician", "after_sales.order", "action_done", order.ids, error=None
        )
        self.assertRpcDenied(
            "technician", "after_sales.order", "write", order.ids, {"state": "done"}, error=None
        )
        self.assertEqual(order.state, "in_progress")
        self.rpc("technician", "after_sales.order.task", "write", task.ids, {"is_done": True})
        self.rpc("technician", "after_sales.order", "action_done", order.ids)
        self.assertEqual(order.state, "done")

    def test_technician_ticks_tasks_but_does_not_change_them(self):
        """Waits on the lead's write rules in after_sales_order_task.py."""
        forbidden = {
            "name": "Renamed",
            "is_mandatory": False,
            "expected_minutes": 1,
            "order_id": self.other_order.id,
        }
        for fname, value in forbidden.items():
            with self.subTest(field=fname):
                before = self.task.read([fname])
                self.assertRpcDenied(
                    "technician", "after_sales.order.task", "write", self.task.ids, {fname: value}
                )
                self.assertEqual(self.task.read([fname]), before, "nothing written")
        self.rpc(
            "technician",
            "after_sales.order.task",
            "write",
            self.task.ids,
            {"is_done": True, "note": "Done with vinegar"},
        )
        self.assertTrue(self.task.is_done)
        self.assertEqual(self.task.done_by_id, self.technician)

    # ------------------------------------------------------------------
    # Others
    # ------------------------------------------------------------------
    def test_accountant_reads_but_does_not_write(self):
        rows = self.rpc("accountant", "after_sales.contract", "read", self.contract.ids, ["price"])
        self.assertEqual(rows[0]["price"], 100.0)
        self.assertRpcDenied(
            "accountant", "after_sales.contract", "write", self.contract.ids, {"price": 0}
        )
        self.assertEqual(self.contract.price, 100.0)

    def test_service_user_cannot_delete_contract(self):
        contract = self._create_contract(self.equipment)
        self.assertRpcDenied("service_user", "after_sales.contract", "unlink", contract.ids)
        self.assertTrue(contract.exists())

    def test_no_context_key_switches_the_company_check_off(self):
        """Waits on the lead's removal of after_sales_company_checked in after_sales_order.py."""
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        foreign_contract = (
            self.env["after_sales.contract"]
            .sudo()
            .with_company(other_company)
            .create(
                {
                    "company_id": other_company.id,
                    "partner_id": self.customer.id,
                    "date_start": "2026-01-01",
                    "date_end": "2026-12-31",
                }
            )
        )
        count = self.env["after_sales.order"].search_count([])
        self.assertRpcDenied(
            "service_user",
            "after_sales.order",
            "create",
            {
                "service_type_id": self.type_corrective.id,
                "partner_id": self.customer.id,
                "contract_id": foreign_contract.id,
            },
            context={"after_sales_company_checked": True},
            error=None,
        )
        self.assertEqual(self.env["after_sales.order"].search_count([]), count)
