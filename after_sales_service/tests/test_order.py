from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import AfterSalesCommon

# A 1x1 transparent PNG: a signature drawn by the customer
SIGNATURE = b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


@tagged("post_install", "-at_install")
class TestServiceOrder(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Service desk", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.equipment = cls._create_equipment(delivery_date=date(2025, 1, 1))
        cls.contract = cls._create_contract(
            cls.equipment,
            start="2026-01-01",
            resource_calendar_id=cls.calendar.id,
            sla_ids=[
                Command.create({"priority": "3", "response_hours": 4, "resolution_hours": 16}),
            ],
        )
        cls.contract.action_start()
        cls.template = cls._create_checklist(
            cls.type_corrective,
            ("Diagnose", 30, True),
            ("Repair", 60, True),
            ("Clean up", 5, False),
        )

    def _order(self, **vals):
        values = {
            "service_type_id": self.type_corrective.id,
            "partner_id": self.customer.id,
            "equipment_id": self.equipment.id,
            "date_received": datetime(2026, 11, 27, 15, 0),  # a Friday
            "priority": "3",
        }
        values.update(vals)
        return self.env["after_sales.order"].create(values)

    def test_new_order_gets_number_checklist_coverage_and_sla(self):
        order = self._order()
        self.assertTrue(order.name.startswith("SRV/"))
        self.assertEqual(order.task_ids.mapped("name"), ["Diagnose", "Repair", "Clean up"])
        self.assertEqual(order.expected_minutes, 95)
        self.assertEqual(order.contract_id, self.contract)
        self.assertEqual(order.coverage_source, "contract")
        self.assertIn(self.contract.name, order.coverage_reason)
        # 4 and 16 working hours from Friday 15:00, weekends excluded
        self.assertEqual(order.response_deadline, datetime(2026, 11, 30, 10, 0))
        self.assertEqual(order.resolution_deadline, datetime(2026, 12, 1, 15, 0))

    def test_sla_status_late_filter(self):
        order = self._order()
        other = self._order(priority="0")  # no SLA for low priority
        orders = order | other
        search = self.env["after_sales.order"].with_context(now="2026-11-30 09:00:00").search
        on_time = order.with_context(now="2026-11-30 09:00:00")
        self.assertFalse(on_time.is_late)
        self.assertEqual(on_time.sla_status, "Response in 01:00")
        self.assertFalse(search([("id", "in", orders.ids), ("is_late", "=", True)]))

        late = order.with_context(now="2026-11-30 11:30:00")
        self.assertTrue(late.is_late)
        self.assertEqual(late.sla_status, "Response late by 01:30")
        search = self.env["after_sales.order"].with_context(now="2026-11-30 11:30:00").search
        self.assertEqual(search([("id", "in", orders.ids), ("is_late", "=", True)]), order)
        self.assertEqual(search([("id", "in", orders.ids), ("is_late", "=", False)]), other)

        # once work started, the resolution deadline counts
        order.action_start()
        started = order.with_context(now="2026-11-30 11:30:00")
        self.assertFalse(started.is_late)
        self.assertTrue(started.sla_status.startswith("Resolution in"))

    def test_warranty_pays_but_contract_sla_applies(self):
        recent = self._create_equipment(delivery_date=date(2026, 10, 1))
        self.contract.equipment_ids |= recent
        order = self._order(equipment_id=recent.id)
        self.assertEqual(order.coverage_source, "warranty")
        self.assertEqual(order.contract_id, self.contract)
        self.assertTrue(order.response_deadline)

    def test_state_flow_and_guards(self):
        order = self._order()
        with self.assertRaisesRegex(UserError, "Assign a technician"):
            order.action_schedule()
        self.assertEqual(order.state, "new")
        order.write(
            {
                "technician_ids": [Command.link(self.technician.id)],
                "planned_date_start": datetime(2026, 11, 30, 9, 0),
            }
        )
        order.action_schedule()
        self.assertEqual(order.state, "scheduled")
        with self.assertRaises(UserError):
            order.action_done()
        order.action_start()
        self.assertTrue(order.date_started)

        with self.assertRaisesRegex(UserError, "mandatory tasks to do: Diagnose, Repair"):
            order.action_done()
        self.assertEqual(order.state, "in_progress")
        order.task_ids.filtered("is_mandatory").is_done = True
        order.action_done()
        self.assertEqual(order.state, "done")
        self.assertTrue(order.date_done)

    def test_done_order_cannot_be_edited_back(self):
        order = self._order()
        order.action_start()
        order.task_ids.is_done = True
        order.action_done()
        with self.assertRaisesRegex(UserError, "is done"):
            order.state = "in_progress"
        with self.assertRaisesRegex(UserError, "is done"):
            order.description = "changed afterwards"
        with self.assertRaisesRegex(UserError, "closed"):
            order.task_ids[0].is_done = False
        with self.assertRaisesRegex(UserError, "is done"):
            order.part_ids = [Command.create({"product_id": self.coffee_beans.id})]
        with self.assertRaises(UserError):
            order.action_cancel()
        self.assertEqual(order.state, "done")
        self.assertTrue(order.task_ids[0].is_done)
        self.assertFalse(order.part_ids)
        order.message_post(body="Customer called to thank us")  # the chatter stays open

    def test_ticking_a_task_records_who_and_when(self):
        order = self._order()
        task = order.task_ids[0].with_user(self.service_user)
        with freeze_time("2026-11-30 10:00:00"):
            task.is_done = True
        self.assertEqual(task.done_by_id, self.service_user)
        self.assertEqual(task.date_done, datetime(2026, 11, 30, 10, 0))
        task.is_done = False
        self.assertFalse(task.done_by_id)

    def test_cancel_and_reset(self):
        order = self._order()
        order.action_cancel()
        self.assertEqual(order.state, "cancelled")
        self.assertFalse(order.with_context(now="2027-01-01").is_late)
        order.action_reset()
        self.assertEqual(order.state, "new")

    def test_sign_off_needs_name_and_signature(self):
        order = self._order()
        with self.assertRaisesRegex(UserError, "name and signature"):
            order.action_sign()
        order.write({"signed_by": "Anna de Vries", "signature": SIGNATURE})
        order.action_sign()
        self.assertTrue(order.signed_on)

    def test_service_report(self):
        order = self._order(findings="<p>Boiler gasket worn</p>")
        employee = self.env["hr.employee"].sudo().create({"name": "Piet Monteur"})
        # time is entered once, on a labour line
        order.line_ids = [
            Command.create(
                {"line_type": "labour", "employee_id": employee.id, "quantity_done": 1.5}
            )
        ]
        order.part_ids = [Command.create({"product_id": self.coffee_beans.id, "quantity": 2})]
        self.assertEqual(order.work_hours, 1.5)
        order.task_ids[0].is_done = True
        order.write({"signed_by": "Anna de Vries", "signature": SIGNATURE})
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "after_sales_service.report_service_order", order.ids
        )
        html = html.decode()
        for expected in (
            order.name,
            "Diagnose",
            "Boiler gasket worn",
            "Coffee beans",
            "Anna de Vries",
            "01:30",
        ):
            self.assertIn(expected, html)

    def test_planned_end_before_start_is_refused(self):
        count = self.env["after_sales.order"].search_count([])
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self._order(
                planned_date_start=datetime(2026, 12, 1, 10, 0),
                planned_date_end=datetime(2026, 12, 1, 9, 0),
            )
        self.assertEqual(self.env["after_sales.order"].search_count([]), count)

    def test_form_fills_customer_from_equipment(self):
        form = Form(self.env["after_sales.order"].with_user(self.service_user))
        form.service_type_id = self.type_corrective
        form.equipment_id = self.equipment
        self.assertEqual(form.partner_id, self.customer)
        order = form.save()
        self.assertEqual(len(order.task_ids), 3)

    def test_technician_sees_only_own_orders(self):
        mine = self._order(technician_ids=[Command.link(self.technician.id)])
        self._order()
        visible = self.env["after_sales.order"].with_user(self.technician).search([])
        self.assertEqual(visible, mine)
        mine.with_user(self.technician).task_ids[0].is_done = True
        self.assertEqual(
            self.env["after_sales.order"]
            .with_user(self.service_user)
            .search_count([("partner_id", "=", self.customer.id)]),
            2,
        )

    def test_list_of_80_orders_costs_fixed_queries(self):
        """Opening the list: same queries with 1 or 5 tasks per order."""
        spec = {
            name: {}
            for name in (
                "priority",
                "name",
                "partner_id",
                "equipment_id",
                "planned_date_start",
                "coverage_source",
                "sla_status",
                "is_late",
                "state",
                "company_id",
            )
        }
        spec["service_type_id"] = {"fields": {"display_name": {}}}
        spec["technician_ids"] = {"fields": {"display_name": {}}}

        def open_list(tasks_per_order):
            self.template.line_ids = [Command.clear()] + [
                Command.create({"name": f"Task {i}"}) for i in range(tasks_per_order)
            ]
            orders = self.env["after_sales.order"].create(
                [
                    {
                        "service_type_id": self.type_corrective.id,
                        "partner_id": self.customer.id,
                        "equipment_id": self.equipment.id,
                        "technician_ids": [Command.link(self.technician.id)],
                        "description": f"batch {tasks_per_order}",
                    }
                    for _i in range(80)
                ]
            )
            self.assertEqual(len(orders.task_ids), 80 * tasks_per_order)
            self.env.flush_all()
            self.env.invalidate_all()
            return orders

        def read(orders):
            return self.env["after_sales.order"].web_search_read(
                [("id", "in", orders.ids)], spec, limit=80
            )

        few = open_list(1)
        read(few)  # warm-up: access rules, ORM caches
        self.env.invalidate_all()
        with self.assertQueryCount(8):
            self.assertEqual(read(few)["length"], 80)
        many = open_list(5)
        self.env.invalidate_all()
        with self.assertQueryCount(8):
            self.assertEqual(read(many)["length"], 80)


@tagged("post_install", "-at_install")
class TestLoaner(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loaner = cls.env["after_sales.equipment"].create(
            {"product_id": cls.espresso.id, "is_loaner": True}
        )

    def _lend(self, partner=None, **vals):
        values = {
            "loaner_id": self.loaner.id,
            "partner_id": (partner or self.customer).id,
            "date_out": date(2026, 11, 1),
            "date_due": date(2026, 11, 15),
        }
        values.update(vals)
        return self.env["after_sales.loan"].with_user(self.service_user).create(values)

    def test_lend_overdue_and_return(self):
        loan = self._lend()
        search = self.env["after_sales.loan"].with_context(date="2026-11-20").search
        self.assertTrue(loan.with_context(date="2026-11-20").is_overdue)
        self.assertFalse(loan.with_context(date="2026-11-15").is_overdue)
        self.assertEqual(search([("is_overdue", "=", True)]), loan)
        with freeze_time("2026-11-20"):
            loan.action_return()
        self.assertEqual(loan.date_returned, date(2026, 11, 20))
        self.assertFalse(search([("is_overdue", "=", True)]))
        self._lend(self.other_customer)  # free again

    def test_a_lent_loaner_cannot_be_lent_again(self):
        self._lend()
        count = self.env["after_sales.loan"].search_count([])
        with self.assertRaisesRegex(ValidationError, "already lent"):
            self._lend(self.other_customer)
        self.assertEqual(self.env["after_sales.loan"].search_count([]), count)

    def test_only_loaner_units_and_sane_dates(self):
        customer_unit = self._create_equipment()
        with self.assertRaisesRegex(ValidationError, "not a loaner unit"):
            self._lend(loaner_id=customer_unit.id)
        with self.assertRaisesRegex(ValidationError, "due back before"):
            self._lend(date_due=date(2026, 10, 1))
        self.assertFalse(self.env["after_sales.loan"].search([]))
