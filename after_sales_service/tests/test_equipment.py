from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestInstalledBase(AfterSalesCommon):
    def _equipment_of(self, lot):
        return (
            self.env["after_sales.equipment"]
            .with_context(active_test=False)
            .search([("lot_id", "=", lot.id)])
        )

    @freeze_time("2026-09-01 10:00:00")
    def test_delivery_creates_equipment_once_per_serial(self):
        lot = self._make_lot(self.espresso, "X200-0001")
        picking = self._deliver(self.espresso, lot, self.customer_site)

        equipment = self._equipment_of(lot)
        self.assertEqual(len(equipment), 1)
        self.assertEqual(equipment.partner_id, self.customer, "owner is the commercial partner")
        self.assertEqual(equipment.site_partner_id, self.customer_site)
        self.assertEqual(equipment.product_id, self.espresso)
        self.assertEqual(equipment.delivery_date, date(2026, 9, 1))
        self.assertEqual(equipment.warranty_start_date, date(2026, 9, 1))
        self.assertEqual(equipment.warranty_end_date, date(2027, 2, 28), "6 months, last day")
        self.assertEqual(equipment.delivery_move_id, picking.move_ids)
        self.assertIn(lot.name, equipment.name)

        # returned, then sold again to someone else: still one record for the serial
        self._return(picking)
        self.assertFalse(equipment.partner_id, "a return takes the unit out of the base")
        self.assertFalse(self.customer.after_sales_equipment_count)
        self.assertIn("Returned", equipment.message_ids[0].body)
        with freeze_time("2026-12-01 10:00:00"):
            self._deliver(self.espresso, lot, self.other_customer)
        self.assertEqual(self._equipment_of(lot), equipment)
        self.assertEqual(equipment.partner_id, self.other_customer)
        self.assertEqual(equipment.delivery_date, date(2026, 12, 1))
        self.assertEqual(equipment.warranty_end_date, date(2027, 5, 31), "a resale: new warranty")

    def test_delivery_of_untracked_product_creates_nothing(self):
        count = self.env["after_sales.equipment"].search_count([])
        picking = self._deliver_untracked(self.coffee_beans, 5, self.customer)
        self.assertEqual(picking.state, "done")
        self.assertEqual(self.env["after_sales.equipment"].search_count([]), count)

    def test_several_serials_in_one_delivery(self):
        lots = self._make_lot(self.espresso, "X200-A") | self._make_lot(self.espresso, "X200-B")
        self._deliver(self.espresso, lots, self.customer)
        equipment = self.env["after_sales.equipment"].search([("lot_id", "in", lots.ids)])
        self.assertEqual(len(equipment), 2)
        self.assertEqual(equipment.partner_id, self.customer)
        self.assertEqual(self.customer.after_sales_equipment_count, 2)
        self.assertEqual(self.customer_site.after_sales_equipment_count, 2)
        action = self.customer.action_view_after_sales_equipment()
        self.assertEqual(self.env["after_sales.equipment"].search(action["domain"]), equipment)

    def test_units_of_many_customers_cost_no_query_per_customer(self):
        """Creating units (an import, a delivery of many serials to many sites) sets
        each unit's last owner without reading the customers one by one."""

        def queries(count):
            customers = self.env["res.partner"].create(
                [
                    {"name": f"Site {count}-{index}", "parent_id": self.customer.id}
                    for index in range(count)
                ]
            )
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            units = self.env["after_sales.equipment"].create(
                [{"product_id": self.espresso.id, "partner_id": site.id} for site in customers]
            )
            self.env.flush_all()
            self.assertEqual(units.last_partner_id, self.customer)
            return self.env.cr.sql_log_count - start

        queries(2)  # warm-up
        self.assertEqual(queries(20), queries(2))

    def test_lot_shows_its_equipment(self):
        lot = self._make_lot(self.espresso, "X200-LOT")
        self._deliver(self.espresso, lot, self.customer)
        action = lot.action_view_after_sales_equipment()
        self.assertEqual(action["res_id"], self._equipment_of(lot).id)

    def test_manual_creation_with_form(self):
        lot = self._make_lot(self.dishwasher, "D500-9")
        form = Form(self.env["after_sales.equipment"].with_user(self.service_user))
        form.lot_id = lot
        self.assertEqual(form.product_id, self.dishwasher, "the serial fills in the product")
        form.partner_id = self.customer
        form.delivery_date = date(2026, 1, 10)
        form.install_date = date(2026, 2, 1)
        equipment = form.save()
        # the dishwasher's warranty starts at installation
        self.assertEqual(equipment.warranty_start_date, date(2026, 2, 1))
        self.assertEqual(equipment.warranty_end_date, date(2027, 1, 31))

    def test_installation_trigger_waits_for_installation(self):
        equipment = self._create_equipment(self.dishwasher, delivery_date=date(2026, 1, 10))
        self.assertFalse(equipment.warranty_start_date)
        self.assertFalse(equipment.warranty_end_date)
        equipment.install_date = date(2026, 3, 31)
        self.assertEqual(equipment.warranty_end_date, date(2027, 3, 30))

    def test_warranty_dates_can_be_overridden(self):
        equipment = self._create_equipment(delivery_date=date(2026, 1, 10))
        equipment.warranty_end_date = date(2028, 1, 10)  # extended warranty
        self.assertEqual(equipment.warranty_end_date, date(2028, 1, 10))
        with self.assertRaises(ValidationError):
            equipment.warranty_end_date = date(2025, 1, 1)
        self.assertEqual(equipment.warranty_end_date, date(2028, 1, 10))

    def test_lot_of_another_product_is_refused(self):
        lot = self._make_lot(self.dishwasher, "D500-1")
        count = self.env["after_sales.equipment"].search_count([])
        with self.assertRaisesRegex(ValidationError, "D500-1 belongs to"):
            self._create_equipment(self.espresso, lot=lot)
        self.assertEqual(self.env["after_sales.equipment"].search_count([]), count)

    def test_serial_is_registered_once(self):
        lot = self._make_lot(self.espresso, "X200-DUP")
        self._create_equipment(lot=lot)
        count = self.env["after_sales.equipment"].search_count([])
        with self.assertRaisesRegex(ValidationError, "already in the installed base"):
            self._create_equipment(lot=lot, partner=self.other_customer)
        self.assertEqual(self.env["after_sales.equipment"].search_count([]), count)

    @freeze_time("2026-06-15")
    def test_warranty_state_is_computed_and_searchable(self):
        in_warranty = self._create_equipment(delivery_date=date(2026, 3, 1))
        expired = self._create_equipment(delivery_date=date(2025, 1, 1))
        covered = self._create_equipment(delivery_date=date(2025, 1, 1))
        contract = self._create_contract(covered, start="2026-01-01")
        contract.action_start()

        self.assertEqual(in_warranty.warranty_state, "warranty")
        self.assertEqual(expired.warranty_state, "expired")
        self.assertEqual(covered.warranty_state, "contract")
        self.assertEqual(covered.contract_id, contract)

        equipment = in_warranty | expired | covered
        search = self.env["after_sales.equipment"].search
        base = [("id", "in", equipment.ids)]
        self.assertEqual(search(base + [("warranty_state", "=", "warranty")]), in_warranty)
        self.assertEqual(search(base + [("warranty_state", "=", "contract")]), covered)
        self.assertEqual(search(base + [("warranty_state", "=", "expired")]), expired)
        self.assertEqual(
            search(base + [("warranty_state", "!=", "expired")]), in_warranty | covered
        )

        with freeze_time("2027-02-01"):
            contract.action_cancel()
            self.env.invalidate_all()
            self.assertEqual(covered.warranty_state, "expired")
            self.assertEqual(in_warranty.warranty_state, "expired")

    @freeze_time("2026-05-01 10:00:00")
    def test_plans_stop_when_the_unit_is_returned(self):
        lot = self._make_lot(self.espresso, "X200-PLAN")
        with freeze_time("2026-01-05 10:00:00"):
            picking = self._deliver(self.espresso, lot, self.customer)
        unit = self._equipment_of(lot)
        contract = self._create_contract(unit, start="2026-01-01", months=24)
        contract.action_start()
        plan = self._plan(contract_id=contract.id, equipment_id=unit.id, horizon_days=90)
        plan._generate_orders(date(2026, 5, 1))
        self.assertEqual(
            plan.order_ids.mapped("plan_date"),
            [date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)],
        )

        self._return(picking)
        self.assertFalse(plan.active)
        self.assertEqual(plan.contract_id, contract)
        today, june, july = plan.with_context(active_test=False).order_ids.sorted("plan_date")
        self.assertEqual(today.state, "new", "an order due today is still done")
        self.assertEqual((june.state, july.state), ("cancelled", "cancelled"))
        self.assertIn("changed owner", june.message_ids[0].body)

    @freeze_time("2026-03-01 10:00:00")
    def test_plan_follows_the_unit_to_its_new_owners_contract(self):
        unit = self._create_equipment(partner=self.other_customer, delivery_date=date(2025, 1, 1))
        hotel_contract = self._create_contract(
            unit, partner_id=self.other_customer.id, start="2026-01-01", months=24
        )
        hotel_contract.action_start()
        unit.partner_id = self.customer  # the hotel sells it to the brasserie
        self.assertFalse(unit.contract_id, "the hotel's contract no longer covers it")
        contract = self._create_contract(unit, start="2026-02-01", months=12)
        contract.action_start()
        plan = self._plan(contract_id=contract.id, equipment_id=unit.id, horizon_days=90)
        other_plan = self._plan(contract_id=contract.id, equipment_id=unit.id, horizon_days=90)
        other_plan.active = False

        unit.partner_id = self.other_customer  # and buys it back with its contract
        self.assertTrue(plan.active)
        self.assertEqual(plan.contract_id, hotel_contract)
        self.assertEqual(plan.partner_id, self.other_customer)
        self.assertEqual(unit.contract_id, hotel_contract)
        self.assertEqual(other_plan.contract_id, contract, "archived plans stay as they were")

        # a contact of the same customer is not a new owner
        contact = self.env["res.partner"].create(
            {"name": "Front desk", "parent_id": self.other_customer.id}
        )
        unit.partner_id = contact
        self.assertTrue(plan.active)
        self.assertEqual(plan.contract_id, hotel_contract)
