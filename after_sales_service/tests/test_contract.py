from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.after_sales_service.models.after_sales_contract import AfterSalesContract

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestContract(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls._create_equipment(delivery_date=date(2025, 1, 1))

    def _count(self):
        return self.env["after_sales.contract"].search_count([])

    def test_create_with_form_numbers_the_contract(self):
        form = Form(self.env["after_sales.contract"].with_user(self.service_user))
        form.partner_id = self.customer
        form.date_start = date(2026, 1, 1)
        form.date_end = date(2026, 12, 31)
        form.equipment_ids.add(self.equipment)
        form.price = 50
        contract = form.save()
        self.assertTrue(contract.name.startswith("SC/"))
        self.assertEqual(contract.state, "draft")
        self.assertEqual(contract.resource_calendar_id, self.company.resource_calendar_id)
        self.assertEqual(
            contract.product_id, self.env.ref("after_sales_service.product_service_contract")
        )
        contract.action_start()
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.next_invoice_date, date(2026, 1, 1))
        self.assertEqual(self.equipment.contract_count, 1)

    def test_defaults_follow_the_contract_company(self):
        other = self.setup_other_company(name="Service Co Antwerp")["company"]
        other.resource_calendar_id = self.env["resource.calendar"].create(
            {"name": "Antwerp hours", "company_id": other.id}
        )
        self.env.user.company_ids |= other
        self.assertEqual(self.env.company, self.company)
        contract = self._create_contract(company_id=other.id)
        self.assertEqual(contract.resource_calendar_id, other.resource_calendar_id)
        self.assertEqual(contract.currency_id, other.currency_id)
        self.assertEqual(
            contract.product_id, self.env.ref("after_sales_service.product_service_contract")
        )

    def test_end_before_start_is_refused(self):
        count = self._count()
        with self.assertRaisesRegex(ValidationError, "before it starts"):
            self._create_contract(
                self.equipment, date_start=date(2026, 5, 1), date_end=date(2026, 4, 30)
            )
        self.assertEqual(self._count(), count)
        contract = self._create_contract(self.equipment, start="2026-05-01")
        with self.assertRaisesRegex(ValidationError, "before it starts"):
            contract.date_end = date(2026, 4, 30)
        self.assertEqual(contract.date_end, date(2027, 4, 30))

    def test_coverage_outside_0_100_is_refused(self):
        count = self._count()
        for field in ("parts_pct", "labour_pct", "travel_pct"):
            for value in (-1, 100.5):
                with (
                    self.subTest(field=field, value=value),
                    self.assertRaisesRegex(ValidationError, "between 0 and 100"),
                ):
                    self._create_contract(self.equipment, **{field: value})
        self.assertEqual(self._count(), count)

    def test_warranty_terms_outside_0_100_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.espresso.warranty_labour_pct = 120
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.espresso.warranty_months = -6
        self.assertEqual(self.espresso.warranty_labour_pct, 100)
        self.assertEqual(self.espresso.warranty_months, 6)

    def test_equipment_of_another_company_is_refused(self):
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        foreign = self.env["after_sales.equipment"].create(
            {
                "product_id": self.espresso.id,
                "partner_id": self.customer.id,
                "company_id": other_company.id,
            }
        )
        count = self._count()
        with self.assertRaises(UserError):
            self._create_contract(foreign)
        self.assertEqual(self._count(), count)

    def test_equipment_of_another_customer_is_refused(self):
        foreign = self._create_equipment(partner=self.other_customer)
        count = self._count()
        with self.assertRaisesRegex(ValidationError, "can only cover equipment of"):
            self._create_contract(self.equipment | foreign)
        self.assertEqual(self._count(), count)

    def test_negative_sla_is_refused(self):
        contract = self._create_contract(self.equipment)
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            contract.sla_ids = [Command.create({"priority": "3", "response_hours": -1})]
        self.assertFalse(contract.sla_ids)

    def test_state_buttons_and_guards(self):
        contract = self._create_contract(self.equipment)
        with self.assertRaises(UserError):
            contract.action_draft()
        contract.action_start()
        with self.assertRaises(UserError):
            contract.action_start()
        contract.action_cancel()
        self.assertEqual(contract.state, "cancelled")
        self.assertFalse(contract.next_invoice_date)
        contract.action_draft()
        self.assertEqual(contract.state, "draft")

    def test_sla_deadlines_in_working_hours(self):
        """Friday 15:00 + 4 working hours = Monday 10:00, + 16 = Tuesday 15:00;
        a public holiday is skipped."""
        calendar = self.env["resource.calendar"].create(
            {"name": "Service desk", "tz": "UTC", "company_id": self.company.id}
        )  # default attendances: Mon-Fri 8-12, 13-17
        contract = self._create_contract(
            self.equipment,
            resource_calendar_id=calendar.id,
            sla_ids=[
                Command.create({"priority": "3", "response_hours": 4, "resolution_hours": 16}),
            ],
        )
        friday = datetime(2026, 11, 27, 15, 0)
        response, resolution = contract._get_sla_deadlines("3", friday)
        self.assertEqual(response, datetime(2026, 11, 30, 10, 0))
        self.assertEqual(resolution, datetime(2026, 12, 1, 15, 0))

        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": calendar.id,
                "date_from": datetime(2026, 11, 30, 0, 0),
                "date_to": datetime(2026, 11, 30, 23, 59, 59),
            }
        )
        response, _resolution = contract._get_sla_deadlines("3", friday)
        self.assertEqual(response, datetime(2026, 12, 1, 10, 0))
        self.assertEqual(contract._get_sla_deadlines("0", friday), (False, False))

    def test_delete_contract_with_invoices_is_refused(self):
        contract = self._create_contract(self.equipment)
        contract.action_start()
        contract._invoice_next_period()
        with self.assertRaisesRegex(UserError, "has invoices"):
            contract.unlink()
        self.assertTrue(contract.exists())
        draft = self._create_contract(self.equipment)
        draft.unlink()
        self.assertFalse(draft.exists())


@tagged("post_install", "-at_install")
class TestContractTerms(AfterSalesCommon):
    """Reminders before expiry, automatic renewal and the notice period."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls._create_equipment(delivery_date=date(2025, 1, 1))
        cls.contract = cls._create_contract(
            cls.equipment,
            start="2026-01-01",
            months=12,
            user_id=cls.service_user.id,
            reminder_days=30,
            notice_days=60,
            is_auto_renew=True,
            sla_ids=[Command.create({"priority": "2", "response_hours": 8})],
        )
        cls.contract.action_start()

    def _run_terms_cron(self):
        self._run_cron("_cron_manage_terms")

    def _reminders(self):
        return self.contract.activity_ids.filtered(lambda a: "expires" in (a.summary or ""))

    def test_reminder_once_n_days_before_expiry(self):
        with freeze_time("2026-11-30"):
            self._run_terms_cron()
            self.assertFalse(self._reminders(), "31 days before the end: too early")
        with freeze_time("2026-12-01"):
            self._run_terms_cron()
            self._run_terms_cron()
        reminder = self._reminders()
        self.assertEqual(len(reminder), 1, "one reminder, even when the cron runs twice")
        self.assertEqual(reminder.user_id, self.service_user)
        self.assertEqual(reminder.date_deadline, date(2026, 12, 31))

    def test_automatic_renewal_creates_next_term(self):
        with freeze_time("2026-12-31"):
            self._run_terms_cron()
            self.assertEqual(self.contract.state, "running", "still running on its last day")
        with freeze_time("2027-01-01"):
            self._run_terms_cron()
            self._run_terms_cron()
        self.assertEqual(self.contract.state, "expired")
        renewal = self.contract.next_contract_id
        self.assertEqual(len(renewal), 1)
        self.assertEqual(renewal.state, "running")
        self.assertEqual(
            (renewal.date_start, renewal.date_end), (date(2027, 1, 1), date(2027, 12, 31))
        )
        self.assertEqual(renewal.equipment_ids, self.equipment)
        self.assertEqual(renewal.sla_ids.mapped("response_hours"), [8])
        self.assertEqual(renewal.next_invoice_date, date(2027, 1, 1))
        self.assertNotEqual(renewal.name, self.contract.name)
        self.assertEqual(
            self.env["after_sales.contract"].search_count(
                [("previous_contract_id", "=", self.contract.id)]
            ),
            1,
        )

    def test_without_renewal_the_contract_expires(self):
        with freeze_time("2026-10-01"):
            self.contract.action_stop_renewal()
        with freeze_time("2027-01-01"):
            self._run_terms_cron()
        self.assertEqual(self.contract.state, "expired")
        self.assertFalse(self.contract.next_contract_id)

    def test_notice_period_blocks_stopping_renewal(self):
        with freeze_time("2026-11-02"), self.assertRaisesRegex(UserError, "notice period"):
            self.contract.action_stop_renewal()
        self.assertTrue(self.contract.is_auto_renew)

    def test_notice_period_blocks_switching_renewal_off_by_write(self):
        contract = self.contract.with_user(self.service_user)
        for context in ({}, {"skip_notice_check": True}, {"force": True}):
            with (
                self.subTest(context=context),
                freeze_time("2026-11-02"),
                self.assertRaisesRegex(UserError, "notice period"),
            ):
                contract.with_context(**context).write({"is_auto_renew": False})
        self.assertTrue(self.contract.is_auto_renew)
        with freeze_time("2026-11-01"):  # the last day before the notice period
            contract.write({"is_auto_renew": False})
        self.assertFalse(self.contract.is_auto_renew)

    def test_renewal_drops_returned_and_resold_units(self):
        resold = self._create_equipment(delivery_date=date(2025, 1, 1))
        returned = self._create_equipment(delivery_date=date(2025, 1, 1))
        self.contract.equipment_ids |= resold | returned
        resold.partner_id = self.other_customer
        returned.partner_id = False
        with freeze_time("2027-01-01"):
            self._run_terms_cron()
        renewal = self.contract.next_contract_id
        self.assertEqual(renewal.state, "running")
        self.assertEqual(renewal.equipment_ids, self.equipment)
        note = renewal.message_ids.filtered(lambda m: "no longer owned" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(resold.display_name, note.body)
        self.assertIn(returned.display_name, note.body)

    def test_a_contract_that_cannot_renew_expires_without_blocking_the_others(self):
        bad = self._create_contract(
            self.equipment,
            start="2026-01-01",
            user_id=self.service_user.id,
            is_auto_renew=True,
        )
        bad.action_start()
        real_dates = AfterSalesContract._get_next_term_dates

        def next_dates(contract):
            if contract == bad:
                raise UserError(contract.env._("No sequence for the next term"))
            return real_dates(contract)

        with (
            freeze_time("2027-01-01"),
            patch.object(AfterSalesContract, "_get_next_term_dates", next_dates),
            mute_logger("odoo.addons.after_sales_service.models.after_sales_contract"),
        ):
            self._run_terms_cron()
            self._run_terms_cron()
        self.assertEqual((self.contract | bad).mapped("state"), ["expired", "expired"])
        self.assertEqual(self.contract.next_contract_id.state, "running")
        self.assertFalse(bad.next_contract_id)
        activity = bad.activity_ids.filtered(lambda a: a.summary == "Automatic renewal failed")
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.service_user)
        self.assertIn("No sequence for the next term", activity.note)

    def test_a_failing_reminder_does_not_block_the_others(self):
        bad = self._create_contract(
            self.equipment, start="2026-01-01", user_id=self.service_user.id
        )
        bad.action_start()
        real_remind = AfterSalesContract._send_expiry_reminders

        def remind(contracts):
            if bad in contracts:
                raise UserError(contracts.env._("Responsible has no access"))
            return real_remind(contracts)

        with (
            freeze_time("2026-12-10"),
            patch.object(AfterSalesContract, "_send_expiry_reminders", remind),
            mute_logger("odoo.addons.after_sales_service.models.after_sales_contract"),
        ):
            self._run_terms_cron()
            self._run_terms_cron()  # still failing: no second to-do
        self.assertEqual(len(self._reminders()), 1)
        self.assertFalse(bad.is_reminder_done)
        failures = bad.activity_ids.filtered(lambda a: a.summary == "Expiry reminder failed")
        self.assertEqual(len(failures), 1)
        self.assertIn("Responsible has no access", failures.note)

    def test_manual_renewal_once(self):
        action = self.contract.action_renew()
        renewal = self.env["after_sales.contract"].browse(action["res_id"])
        self.assertEqual(renewal.state, "draft")
        self.assertEqual(renewal.previous_contract_id, self.contract)
        with self.assertRaisesRegex(UserError, "already renewed"):
            self.contract.action_renew()


@tagged("post_install", "-at_install")
class TestDutchErrors(AfterSalesCommon):
    """Bad input is refused in the user's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(["after_sales_service"], ["nl_NL"])
        cls.equipment = cls._create_equipment(delivery_date=date(2025, 1, 1))

    def test_errors_are_translated(self):
        dutch = self.env(context=dict(self.env.context, lang="nl_NL"))
        contracts = dutch["after_sales.contract"]
        with self.assertRaisesRegex(ValidationError, "eindigt .* voordat het begint"):
            contracts.create(
                {
                    "partner_id": self.customer.id,
                    "date_start": date(2026, 5, 1),
                    "date_end": date(2026, 4, 30),
                }
            )
        with self.assertRaisesRegex(ValidationError, "moet tussen 0 en 100 % liggen"):
            contracts.create({"partner_id": self.customer.id, "labour_pct": 150})
        self.assertFalse(contracts.search([("partner_id", "=", self.customer.id)]))
