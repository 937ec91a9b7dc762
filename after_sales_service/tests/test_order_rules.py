"""Service orders and plans under real use: closing, sign-off, roles, companies,
failing plans, late meter readings and the cycles a visit restarts."""

from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import AfterSalesCommon

SIGNATURE = b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
OTHER_SIGNATURE = b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="


class OrderRulesCommon(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Service desk", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.equipment = cls._create_equipment(delivery_date=date(2024, 1, 1))
        cls.contract = cls._create_contract(
            cls.equipment,
            start="2026-01-01",
            months=24,
            resource_calendar_id=cls.calendar.id,
            sla_ids=[
                Command.create({"priority": "3", "response_hours": 4, "resolution_hours": 7}),
            ],
        )
        cls.contract.action_start()
        cls.template = cls._create_checklist(
            cls.type_corrective, ("Diagnose", 30, True), ("Tidy", 0, False)
        )

    def _order(self, **vals):
        values = {
            "service_type_id": self.type_corrective.id,
            "partner_id": self.customer.id,
            "equipment_id": self.equipment.id,
            "date_received": datetime(2026, 11, 23, 9, 0),  # a Monday
            "priority": "3",
            "technician_ids": [Command.link(self.technician.id)],
        }
        values.update(vals)
        return self.env["after_sales.order"].create(values)

    def _finish(self, order, when):
        with freeze_time(when):
            order.action_start()
            order.task_ids.filtered("is_mandatory").is_done = True
            order.action_done()


@tagged("post_install", "-at_install")
class TestClosedOrders(OrderRulesCommon):
    def test_sla_result_is_stored_at_closing_and_survives_sla_edits(self):
        on_time = self._order()
        late = self._order()
        # received Monday 9:00; working 8-12, 13-17: response 14:00, resolution 17:00
        self.assertEqual(on_time.resolution_deadline, datetime(2026, 11, 23, 17, 0))
        self._finish(on_time, "2026-11-23 11:00:00")
        with freeze_time("2026-11-23 10:00:00"):
            late.action_start()
        late.task_ids.filtered("is_mandatory").is_done = True
        with freeze_time("2026-11-23 19:30:00"):
            late.action_done()
        self.assertEqual(on_time.sla_response_result, "met")
        self.assertEqual(on_time.sla_resolution_result, "met")
        self.assertEqual(late.sla_response_result, "met")
        self.assertEqual(late.sla_resolution_result, "missed")
        self.assertAlmostEqual(late.sla_late_hours, 2.5)

        # the manager makes the SLA stricter afterwards: closed orders keep their promise
        self.contract.sla_ids.write({"response_hours": 1, "resolution_hours": 2})
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(on_time.resolution_deadline, datetime(2026, 11, 23, 17, 0))
        self.assertEqual(on_time.sla_resolution_result, "met")
        self.assertEqual(late.sla_late_hours, 2.5)
        # an open order follows the new SLA
        open_order = self._order()
        self.assertEqual(open_order.resolution_deadline, datetime(2026, 11, 23, 11, 0))

    def test_orders_without_sla_close_without_result(self):
        order = self._order(priority="0")
        self._finish(order, "2026-11-30 10:00:00")
        self.assertEqual(order.sla_resolution_result, "none")
        self.assertEqual(order.sla_late_hours, 0)

    def test_done_order_can_be_signed_off_afterwards_once(self):
        order = self._order()
        self._finish(order, "2026-11-23 11:00:00")
        with self.assertRaisesRegex(UserError, "name and signature"):
            order.action_sign()
        self.assertFalse(order.signed_on)
        order.write({"signed_by": "Anna de Vries", "signature": SIGNATURE})
        order.action_sign()
        self.assertTrue(order.signed_on)
        with self.assertRaisesRegex(UserError, "cannot be replaced"):
            order.write({"signature": OTHER_SIGNATURE})
        with self.assertRaisesRegex(UserError, "cannot be replaced"):
            order.write({"signed_by": "Someone else"})
        self.assertEqual(order.signed_by, "Anna de Vries")
        with self.assertRaisesRegex(UserError, "cannot be replaced"):
            order.action_sign()

    def test_signature_of_an_open_order_cannot_be_replaced_after_sign_off(self):
        order = self._order(signed_by="Anna de Vries", signature=SIGNATURE)
        order.action_sign()
        with self.assertRaisesRegex(UserError, "cannot be replaced"):
            order.write({"signed_by": "Piet", "signature": OTHER_SIGNATURE})
        self.assertEqual(order.signed_by, "Anna de Vries")

    def test_state_rules_hold_when_the_state_is_written_directly(self):
        order = self._order()
        order.action_start()
        with self.assertRaisesRegex(UserError, "mandatory tasks to do: Diagnose"):
            order.write({"state": "done"})
        self.assertEqual(order.state, "in_progress")
        with self.assertRaisesRegex(UserError, "cannot be scheduled"):
            order.write({"state": "scheduled"})
        with self.assertRaisesRegex(UserError, "starts as New"):
            self._order(state="done")

    def test_installation_order_sets_the_installation_date(self):
        unit = self._create_equipment(product=self.dishwasher, delivery_date=date(2026, 11, 2))
        self.assertFalse(unit.install_date)
        installation = self._order(
            service_type_id=self.env.ref("after_sales_service.service_type_installation").id,
            equipment_id=unit.id,
        )
        self._finish(installation.with_user(self.technician), "2026-11-23 15:00:00")
        self.assertEqual(unit.install_date, date(2026, 11, 23))
        self.assertEqual(unit.warranty_start_date, date(2026, 11, 23))

    def test_coverage_on_the_local_date_of_the_company(self):
        """00:30 in Amsterdam on 1 April is 22:30 UTC on 31 March: the warranty that
        ended on 31 March does not cover the request."""
        self.company.resource_calendar_id = self.env["resource.calendar"].create(
            {"name": "Amsterdam", "tz": "Europe/Amsterdam", "company_id": self.company.id}
        )
        unit = self._create_equipment(delivery_date=date(2025, 10, 1))
        unit.warranty_end_date = date(2026, 3, 31)
        late_evening = self._order(equipment_id=unit.id, date_received=datetime(2026, 3, 31, 20, 0))
        after_midnight = self._order(
            equipment_id=unit.id, date_received=datetime(2026, 3, 31, 22, 30)
        )
        self.assertEqual(late_evening.coverage_source, "warranty")
        self.assertNotEqual(after_midnight.coverage_source, "warranty")


@tagged("post_install", "-at_install")
class TestTechnicianRules(OrderRulesCommon):
    def test_technician_works_on_the_order(self):
        employee = (
            self.env["hr.employee"]
            .sudo()
            .create({"name": "Tech", "user_id": self.technician.id, "hourly_cost": 40.0})
        )
        order = self._order().with_user(self.technician)
        order.action_start()
        order.write(
            {
                "findings": "<p>Gasket worn</p>",
                # their time, on a labour line that is theirs by default
                "line_ids": [Command.create({"line_type": "labour", "quantity_done": 1.5})],
                "part_ids": [Command.create({"product_id": self.coffee_beans.id})],
            }
        )
        self.assertEqual(order.work_hours, 1.5)
        labour = order.line_ids.filtered(lambda line: line.line_type == "labour")
        self.assertEqual(labour.employee_id, employee)
        order.task_ids[0].write({"is_done": True, "note": "replaced"})
        order.action_done()
        self.assertEqual(order.state, "done")
        self.assertEqual(order.task_ids[0].done_by_id, self.technician)

    def test_technician_cannot_change_what_is_not_theirs_to_change(self):
        order = self._order()
        as_technician = order.with_user(self.technician)
        for vals in (
            {"partner_id": self.other_customer.id},
            {"contract_id": False},
            {"coverage_source": "warranty"},
            {"priority": "0"},
            {"technician_ids": [Command.clear()]},
            {"plan_date": date(2027, 1, 1)},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_technician.write(vals)
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.contract_id, self.contract)
        with self.assertRaises(AccessError):
            as_technician.task_ids[0].write({"is_mandatory": False})
        with self.assertRaises(AccessError):
            as_technician.task_ids[0].write({"name": "Skip"})
        self.assertTrue(order.task_ids[0].is_mandatory)
        # a context key switches nothing off
        with self.assertRaises(AccessError):
            as_technician.with_context(after_sales_company_checked=True).write(
                {"partner_id": self.other_customer.id}
            )

    def test_technician_cannot_close_with_a_mandatory_task_open(self):
        order = self._order().with_user(self.technician)
        order.action_start()
        with self.assertRaisesRegex(UserError, "mandatory tasks"):
            order.write({"state": "done"})
        self.assertEqual(order.state, "in_progress")


@tagged("post_install", "-at_install")
class TestCompanies(OrderRulesCommon):
    def test_checklist_of_another_company_is_not_picked(self):
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        self.template.sequence = 5
        self.env["after_sales.checklist.template"].create(
            {
                "name": "Foreign repair",
                "sequence": 1,
                "company_id": other_company.id,
                "service_type_id": self.type_corrective.id,
                "line_ids": [Command.create({"name": "Foreign task"})],
            }
        )
        order = self._order()
        self.assertEqual(order.checklist_template_id, self.template)
        self.assertEqual(order.task_ids.mapped("name"), ["Diagnose", "Tidy"])

    def test_references_of_another_company_are_refused(self):
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        foreign = self.env["after_sales.checklist.template"].create(
            {
                "name": "Foreign",
                "company_id": other_company.id,
                "service_type_id": self.type_corrective.id,
            }
        )
        count = self.env["after_sales.order"].search_count([])
        with self.assertRaises(UserError):
            self._order(checklist_template_id=foreign.id)
        with self.assertRaises(UserError):
            self.env["after_sales.order"].with_context(after_sales_company_checked=True).create(
                {
                    "service_type_id": self.type_corrective.id,
                    "partner_id": self.customer.id,
                    "checklist_template_id": foreign.id,
                }
            )
        self.assertEqual(self.env["after_sales.order"].search_count([]), count)

    def test_each_company_numbers_its_own_orders(self):
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        customer = self.env["res.partner"].create({"name": "Elsewhere", "company_id": False})
        mine = self._order()
        theirs = (
            self.env["after_sales.order"]
            .with_company(other_company)
            .create(
                [
                    {
                        "service_type_id": self.type_training.id,
                        "partner_id": customer.id,
                        "company_id": other_company.id,
                    }
                    for _i in range(2)
                ]
            )
        )
        year = mine.name.split("/")[1]
        self.assertEqual(theirs.mapped("name"), [f"SRV/{year}/00001", f"SRV/{year}/00002"])
        sequences = self.env["ir.sequence"].search([("code", "=", "after_sales.order")])
        self.assertIn(other_company, sequences.company_id)


@tagged("post_install", "-at_install")
class TestLoanForm(OrderRulesCommon):
    def test_loan_form_opens_with_an_empty_due_date(self):
        loaner = self.env["after_sales.equipment"].create(
            {"product_id": self.espresso.id, "is_loaner": True}
        )
        form = Form(self.env["after_sales.loan"].with_user(self.service_user))
        self.assertFalse(form.date_due)
        self.assertFalse(form.is_overdue)
        form.loaner_id = loaner
        form.partner_id = self.customer
        form.date_due = date.today()
        loan = form.save()
        self.assertEqual(loan.state, "lent")


@tagged("post_install", "-at_install")
class TestPlansUnderRealUse(OrderRulesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.meter = cls.env.ref("after_sales_service.meter_operating_hours")

    @freeze_time("2026-06-25")
    def test_one_failing_plan_gets_an_activity_and_the_others_go_on(self):
        good = self._plan(horizon_days=10) | self._plan(horizon_days=10)
        broken = self._plan(horizon_days=10)
        original = type(broken)._prepare_order_vals

        def prepare(plan, *args):
            if plan == broken:
                raise ValidationError("The customer of this plan is blocked.")  # pylint: disable=translation-required
            return original(plan, *args)

        with (
            patch.object(type(broken), "_prepare_order_vals", prepare),
            patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0),
        ):
            self.env["after_sales.plan"]._cron_generate_orders(batch_size=10)
            self.env["after_sales.plan"]._cron_generate_orders(batch_size=10)
        self.assertEqual(len(good.order_ids), 2)
        self.assertFalse(broken.order_ids)
        activities = broken.activity_ids
        self.assertEqual(len(activities), 1, "one activity, however many runs")
        self.assertIn("blocked", activities.note)
        self.assertFalse(good.activity_ids)

    def test_a_late_reading_is_checked_against_later_ones(self):
        self._read(datetime(2026, 6, 1, 10, 0), 100)
        self._read(datetime(2026, 6, 10, 10, 0), 300)
        count = self.env["after_sales.meter.reading"].search_count([])
        with self.assertRaisesRegex(ValidationError, "earlier reading cannot be higher"):
            self._read(datetime(2026, 6, 5, 10, 0), 350)
        with self.assertRaisesRegex(ValidationError, "later reading cannot be lower"):
            self._read(datetime(2026, 6, 5, 10, 0), 50)
        self.assertEqual(self.env["after_sales.meter.reading"].search_count([]), count)
        self._read(datetime(2026, 6, 5, 10, 0), 200)  # in between: fine

    @freeze_time("2026-06-15")
    def test_usage_counts_from_the_reading_at_the_last_visit(self):
        plan = self._plan(is_time_based=False, meter_id=self.meter.id, usage_interval=500)
        self._read(datetime(2026, 6, 1, 10, 0), 0)
        self._read(datetime(2026, 6, 15, 8, 0), 520)
        order = plan._generate_orders(date(2026, 6, 15))
        self.assertEqual(order.plan_date, date(2026, 6, 15))
        # the visit is a week late: the meter reads 700 when the technician is there
        with freeze_time("2026-06-22 10:00:00"):
            order.action_start()
            self._read(datetime(2026, 6, 22, 9, 0), 700, order=order)
            order.action_done()
        self.assertEqual(plan.usage_baseline, 700, "next service at 1,200 h, not 1,000 h")
        self.assertTrue(plan.usage_forecast_date)

    @freeze_time("2026-06-15")
    def test_a_visit_restarts_both_cycles(self):
        plan = self._plan(
            date_start=date(2026, 6, 1),
            meter_id=self.meter.id,
            usage_interval=500,
            horizon_days=20,
            tolerance_days=3,
        )
        self._read(datetime(2026, 6, 1, 10, 0), 0)
        self._read(datetime(2026, 6, 15, 8, 0), 350)  # 500 h on about 21 June
        orders = plan._generate_orders(date(2026, 6, 15))
        self.assertEqual(orders.mapped("plan_date"), [date(2026, 6, 21), date(2026, 7, 1)])
        usage_order, calendar_order = orders
        self.assertTrue(usage_order.is_usage_triggered)
        with freeze_time("2026-06-22 10:00:00"):
            usage_order.action_start()
            self._read(datetime(2026, 6, 22, 9, 0), 520, order=usage_order)
            usage_order.action_done()
        # the calendar counts a month from the visit: 22 July, not 1 July
        self.assertEqual(plan.next_time_date, date(2026, 7, 22))
        self.assertEqual(plan.usage_baseline, 520)
        # the calendar visit of 1 July was served by this one
        self.assertEqual(calendar_order.state, "cancelled")
        self.assertIn(usage_order.name, calendar_order.message_ids[0].body)


@tagged("post_install", "-at_install")
class TestDutchReader(OrderRulesCommon):
    """Texts are worded for whoever reads them, not frozen in the creator's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["after_sales_service"], ["nl_NL"])
        cls.espresso.with_context(lang="nl_NL").name = "Espressomachine X200"

    def test_order_coverage_and_unit_names_in_the_readers_language(self):
        unit = self._create_equipment(delivery_date=date(2026, 11, 1))
        order = self._order(equipment_id=unit.id)  # created by an English user
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertIn("Warranty until", order.with_context(lang="en_US").coverage_reason)
        dutch = order.with_context(lang="nl_NL")
        self.assertIn("Garantie tot", dutch.coverage_reason)
        self.assertIn("Espressomachine X200", dutch.equipment_id.display_name)
        self.assertIn(
            "Espresso Machine X200", order.with_context(lang="en_US").equipment_id.display_name
        )

    def test_contract_invoice_speaks_the_customers_language(self):
        self.customer.lang = "nl_NL"
        contract = self._create_contract(self.equipment, start="2026-11-01", months=1)
        contract.action_start()
        contract.with_context(lang="en_US").action_create_invoice()
        self.assertIn("service van", contract.invoice_ids.invoice_line_ids.name)
