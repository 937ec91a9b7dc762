"""Main flows as a user clicks them, in headless Chromium, with screenshots of the
main screens (see common_screenshots.py). The other flows' tours: test_ui.py (contract,
technician's order, completing an order with parts and sign-off and invoicing it),
test_dispatch_board.py (planning on the board and with the dispatcher),
test_kpi_dashboard.py, test_claim_resolution.py, test_portal.py, test_end_of_life.py,
test_dealer_claim.py."""

import functools
from datetime import datetime, time, timedelta
from unittest.mock import patch

import pytz
from dateutil.relativedelta import relativedelta

from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.after_sales_service.models.utils import company_today

from .common import AfterSalesCommon
from .common_screenshots import ScreenshotTourMixin


@tagged("post_install", "-at_install")
class TestTours(ScreenshotTourMixin, AfterSalesCommon, HttpCase):
    def _delivered_unit(self, serial, customer):
        """The unit that the delivery of an espresso machine put in the installed base."""
        lot = self._make_lot(self.espresso, serial)
        self._deliver(self.espresso, lot, customer)
        unit = self.env["after_sales.equipment"].search([("lot_id", "=", lot.id)])
        self.assertEqual(unit.partner_id, customer)
        return unit

    def test_portal_claim_to_repair_order_tour(self):
        """A customer files a claim on the portal; a service user reviews and accepts
        it and resolves it by a repair: a corrective order for the claimed unit."""
        contact = self.env["res.partner"].create(
            {"name": "Chef", "parent_id": self.customer.id, "email": "chef@example.com"}
        )
        portal_user = new_test_user(
            self.env,
            login="tour_portal_chef",
            name="Anna de Vries",
            groups="base.group_portal",
            partner_id=contact.id,
            company_id=self.company.id,
        )
        unit = self._delivered_unit("PORTAL-TOUR-1", self.customer)
        Claim = self.env["after_sales.claim"]
        Order = self.env["after_sales.order"]
        self.assertFalse(Claim.search_count([]))
        orders_before = Order.search([])

        self.start_tour("/my/home", "after_sales_portal_claim_tour", login=portal_user.login)

        claim = Claim.search([])
        self.assertEqual(len(claim), 1)
        self.assertRecordValues(
            claim,
            [
                {
                    "channel": "portal",
                    "state": "new",
                    "partner_id": self.customer.id,
                    "contact_id": contact.id,
                    "equipment_id": unit.id,
                    "category": "product_defect",
                    "order_id": False,
                }
            ],
        )
        self.assertIn("The pump makes a loud noise since Monday.", str(claim.description))

        self.start_tour("/odoo", "after_sales_claim_review_tour", login="as_service_user")

        self.assertEqual(claim.state, "accepted")
        self.assertEqual(claim.resolution, "repair")
        order = Order.search([]) - orders_before
        self.assertEqual(len(order), 1, "exactly one repair order")
        self.assertEqual(claim.order_id, order)
        self.assertRecordValues(
            order,
            [
                {
                    "claim_id": claim.id,
                    "partner_id": self.customer.id,
                    "equipment_id": unit.id,
                    "service_type_id": self.type_corrective.id,
                    "state": "new",
                    "date_received": claim.date_received,
                    "coverage_source": "warranty",
                }
            ],
        )
        self.assertIn("The pump makes a loud noise since Monday.", str(order.description))
        self.assertScreenshots("portal_claim", "claim_form")

    def test_portal_pages_tour(self):
        """Every page of the customer portal at a desktop and at a phone width: the
        home cards' pictures fit their cards, every table row has the cells of its
        header (an order without a unit too), and a visit at 00:30 in Amsterdam the
        night summer time ends reads 00:30."""
        customer = self.env["res.partner"].create(
            {"name": "Tour Portal Bistro", "is_company": True, "tz": "Europe/Amsterdam"}
        )
        contact = self.env["res.partner"].create(
            {"name": "Sam", "parent_id": customer.id, "email": "sam@example.com", "tz": False}
        )
        portal_user = new_test_user(
            self.env,
            login="tour_portal_pages",
            name="Sam Jansen",
            groups="base.group_portal",
            partner_id=contact.id,
            company_id=self.company.id,
        )
        contact.tz = False  # the contact has none: its company's (Amsterdam)
        unit = self._delivered_unit("PORTAL-PAGES-1", customer)
        contract = self._create_contract(
            unit,
            start=unit.delivery_date or "2026-01-01",
            partner_id=customer.id,
            sla_ids=[Command.create({"priority": "2", "response_hours": 4})],
        )
        contract.action_start()
        Order = self.env["after_sales.order"]
        # 22:30 UTC is 00:30 in Amsterdam (summer time) the night it ends
        Order.create(
            {
                "service_type_id": self.type_corrective.id,
                "partner_id": customer.id,
                "equipment_id": unit.id,
                "planned_date_start": "2026-10-24 22:30:00",
                "planned_date_end": "2026-10-25 00:30:00",
            }
        )
        Order.create({"service_type_id": self.type_corrective.id, "partner_id": customer.id})
        self.env["after_sales.claim"].create(
            {
                "partner_id": customer.id,
                "contact_id": contact.id,
                "equipment_id": unit.id,
                "lot_id": unit.lot_id.id,
                "category": "product_defect",
                "description": "<p>The grinder jams.</p>",
            }
        )
        pages = (
            "portal_home",
            "portal_equipment_list",
            "portal_equipment_unit",
            "portal_claim_new",
            "portal_contract_list",
            "portal_contract",
            "portal_order_list",
            "portal_order",
            "portal_claim_list",
            "portal_claim_detail",
        )
        for size in ("1280x900", "390x844"):
            with self.subTest(size=size):
                self.browser_size = size
                self.start_tour(
                    "/my/home", "after_sales_portal_pages_tour", login=portal_user.login
                )
        self.assertScreenshots(*pages, *(f"{page}_phone" for page in pages))

    def test_contract_plan_generates_order_tour(self):
        """A service user starts a unit's contract, gives it a quarterly maintenance
        plan for the unit and generates its first order: one order, on the plan's
        first date (the contract's start), at the start of that working day."""
        self.company.resource_calendar_id = self._office_calendar("Tour office hours")
        customer = self.env["res.partner"].create({"name": "Tour Plan Bakery", "is_company": True})
        unit = self._delivered_unit("PLAN-TOUR-1", customer)
        today = company_today(self.company)
        monday = today + timedelta(days=7 - today.weekday())  # within the 30-day horizon
        contract = self._create_contract(
            unit, start=monday, partner_id=customer.id, price=0.0, billing_period="yearly"
        )
        self.assertEqual(contract.state, "draft")
        Order = self.env["after_sales.order"]
        orders_before = Order.search([])

        self.start_tour("/odoo", "after_sales_contract_plan_tour", login="as_service_user")

        self.assertEqual(contract.state, "running")
        plan = contract.plan_ids
        self.assertEqual(len(plan), 1)
        self.assertRecordValues(
            plan,
            [
                {
                    "name": "Quarterly descaling",
                    "equipment_id": unit.id,
                    "service_type_id": self.type_preventive.id,
                    "interval_number": 3,
                    "interval_unit": "month",
                    "date_start": monday,
                    "next_time_date": monday + relativedelta(months=3),
                }
            ],
        )
        order = Order.search([]) - orders_before
        self.assertEqual(len(order), 1, "the plan generated exactly one order")
        amsterdam = pytz.timezone("Europe/Amsterdam")
        eight = amsterdam.localize(datetime.combine(monday, time(8)))
        self.assertRecordValues(
            order,
            [
                {
                    "plan_id": plan.id,
                    "plan_date": monday,
                    "equipment_id": unit.id,
                    "partner_id": customer.id,
                    "contract_id": contract.id,
                    "service_type_id": self.type_preventive.id,
                    "state": "new",
                    "planned_date_start": eight.astimezone(pytz.utc).replace(tzinfo=None),
                }
            ],
        )
        self.assertScreenshots("equipment_form", "contract_form", "maintenance_plan")

    def test_provision_reconciliation_tour(self):
        """An accountant reconciles this month's warranty provision: last month's
        accrual as opening, this month's accrual and the warranty repair's parts and
        labour, a closing equal to the ledger; the parts open their journal item."""
        company = self.company
        machines = self.env["product.category"].create(
            {"name": "Tour Espresso Machines", "after_sales_provision_rate": 5.0}
        )
        self.espresso.categ_id = machines
        parts = self.env["product.category"].create(
            {"name": "Tour Spare Parts", "property_cost_method": "standard"}
        )
        gasket = self.env["product.product"].create(
            {
                "name": "Boiler gasket",
                "is_storable": True,
                "categ_id": parts.id,
                "standard_price": 10.0,
                "lst_price": 25.0,
            }
        )
        self.env["stock.quant"]._update_available_quantity(gasket, self.stock_location, 10.0)
        mechanic = (
            self.env["hr.employee"]
            .sudo()
            .create({"name": "Sam Monteur", "hourly_cost": 40.0, "company_id": company.id})
        )
        today = company_today(company)
        first_of_month = today.replace(day=1)
        for day, quantity, price in (
            (first_of_month - timedelta(days=10), 2, 1500.0),
            (today, 1, 2000.0),
        ):
            self._create_invoice(
                partner_id=self.customer.id,
                invoice_date=day,
                invoice_line_ids=[
                    Command.create(
                        {"product_id": self.espresso.id, "quantity": quantity, "price_unit": price}
                    )
                ],
                post=True,
            )
        unit = self._create_equipment(delivery_date=today - timedelta(days=30))
        order = self.env["after_sales.order"].create(
            {
                "service_type_id": self.type_corrective.id,
                "partner_id": self.customer.id,
                "equipment_id": unit.id,
                "line_ids": [
                    Command.create({"line_type": "part", "product_id": gasket.id, "quantity": 2}),
                    Command.create(
                        {"line_type": "labour", "employee_id": mechanic.id, "quantity": 1.5}
                    ),
                ],
            }
        )
        order.action_start()
        for line in order.line_ids:
            line.quantity_done = line.quantity
        order.action_done()
        self.assertEqual(order.coverage_source, "warranty")
        self.assertEqual(order.cost_move_id.state, "posted")
        accountant = new_test_user(
            self.env,
            login="tour_accountant",
            groups="account.group_account_user",
            company_id=company.id,
        )
        Report = type(self.env["after_sales.provision.report"])
        get_report = Report.get_report
        served = []

        @functools.wraps(get_report)  # with its @api.model and @api.readonly marks
        def spy(report, *args, **kwargs):
            # what the screen asked for, and whether it was on a read-only cursor (the
            # one a server with db_replica_host takes from the replica)
            result = get_report(report, *args, **kwargs)
            served.append((report.env.cr.readonly, result))
            return result

        with patch.object(Report, "get_report", spy):
            self.start_tour("/odoo", "after_sales_provision_report_tour", login=accountant.login)

        self.assertTrue(served)
        self.assertEqual({readonly for readonly, _result in served}, {True})
        report = served[0][1]
        self.assertEqual(
            (report["date_from"], report["date_to"]),
            (str(first_of_month), str(today)),
            "this month up to today where the company works",
        )
        self.assertEqual(
            report["totals"],
            {
                "opening": 150.0,
                "accrual": 100.0,
                "usage_parts": 20.0,
                "usage_labour": 60.0,
                "usage_other": 0.0,
                "release": 0.0,
                "trueup": 0.0,
                "expiry": 0.0,
                "adjustment": 0.0,
                "closing": 170.0,
                "current": 170.0,
                "non_current": 0.0,
            },
        )
        self.assertEqual((report["ledger_balance"], report["difference"]), (170.0, 0.0))
        self.assertEqual([line["categ_id"] for line in report["lines"]], machines.ids)
        self.assertScreenshots("reconciliation_report")
