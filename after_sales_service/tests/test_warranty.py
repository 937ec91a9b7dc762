import calendar
from datetime import date, datetime, timedelta

import psycopg2
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, Form, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.after_sales_service.models.after_sales_equipment import warranty_end
from odoo.addons.after_sales_service.models.utils import company_local_date

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestWarrantyEndDate(BaseCase):
    """A warranty of N months from day D ends the day before its N-month anniversary."""

    def test_examples(self):
        self.assertEqual(warranty_end(date(2026, 3, 1), 6), date(2026, 8, 31))
        self.assertEqual(warranty_end(date(2026, 1, 1), 12), date(2026, 12, 31))
        # no 29 February in 2025: the anniversary is the 28th
        self.assertEqual(warranty_end(date(2024, 2, 29), 12), date(2025, 2, 27))
        self.assertEqual(warranty_end(date(2026, 1, 31), 1), date(2026, 2, 27))
        self.assertFalse(warranty_end(date(2026, 1, 31), 0), "0 months: no warranty")
        self.assertFalse(warranty_end(False, 6))

    @settings(max_examples=200, deadline=None)
    @given(
        start=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
        months=st.integers(min_value=1, max_value=120),
    )
    def test_covers_exactly_n_months(self, start, months):
        end = warranty_end(start, months)
        self.assertGreaterEqual(end, start)
        anniversary = end + timedelta(days=1)
        # N calendar months later...
        self.assertEqual(
            (anniversary.year * 12 + anniversary.month) - (start.year * 12 + start.month), months
        )
        # ...on the same day of the month, or the last day of a shorter month
        last_day = calendar.monthrange(anniversary.year, anniversary.month)[1]
        self.assertEqual(anniversary.day, min(start.day, last_day))
        # a longer warranty ends later
        self.assertLess(end, warranty_end(start, months + 1))


@tagged("post_install", "-at_install")
class TestWarranty(AfterSalesCommon):
    """The warranty of a unit: terms captured at sale, re-deliveries, installation."""

    def _equipment_of(self, lot):
        return (
            self.env["after_sales.equipment"]
            .with_context(active_test=False)
            .search([("lot_id", "=", lot.id)])
        )

    def _terms(self, equipment):
        return (
            equipment.warranty_months,
            equipment.warranty_trigger,
            equipment.warranty_parts_pct,
            equipment.warranty_labour_pct,
            equipment.warranty_travel_pct,
        )

    # ------------------------------------------------------------------
    # Terms captured on the unit
    # ------------------------------------------------------------------
    @freeze_time("2026-09-01 10:00:00")
    def test_product_changes_apply_to_units_sold_later(self):
        sold = self._make_lot(self.espresso, "X200-OLD")
        self._deliver(self.espresso, sold, self.customer)
        old_unit = self._equipment_of(sold)
        self.assertEqual(self._terms(old_unit), (6, "delivery", 100, 100, 50))

        # the manufacturer now gives 24 months, without travel
        self.espresso.write({"warranty_months": 24, "warranty_travel_pct": 0})
        self.assertEqual(self._terms(old_unit), (6, "delivery", 100, 100, 50))
        self.assertEqual(old_unit.warranty_end_date, date(2027, 2, 28))
        coverage = old_unit._get_coverage(date(2026, 10, 1))
        self.assertEqual(coverage.travel_pct, 50, "coverage from the terms of the sale")

        new = self._make_lot(self.espresso, "X200-NEW")
        self._deliver(self.espresso, new, self.customer)
        new_unit = self._equipment_of(new)
        self.assertEqual(self._terms(new_unit), (24, "delivery", 100, 100, 0))
        self.assertEqual(new_unit.warranty_end_date, date(2028, 8, 31))

    def test_unit_entered_by_hand_takes_the_product_terms(self):
        equipment = self._create_equipment(self.dishwasher, delivery_date=date(2026, 1, 10))
        self.assertEqual(self._terms(equipment), (12, "installation", 100, 100, 100))
        agreed = self._create_equipment(
            delivery_date=date(2026, 1, 10), warranty_months=36, warranty_travel_pct=0
        )
        self.assertEqual(self._terms(agreed), (36, "delivery", 100, 100, 0))
        self.assertEqual(agreed.warranty_end_date, date(2029, 1, 9))

    def test_extended_warranty_survives_everything_but_an_edit(self):
        equipment = self._create_equipment(delivery_date=date(2026, 1, 10))
        self.assertEqual(equipment.warranty_end_date, date(2026, 7, 9))
        form = Form(equipment.with_user(self.service_user))
        form.warranty_end_date = date(2028, 1, 9)  # extended warranty sold
        form.save()

        self.espresso.write({"warranty_months": 12})
        equipment.delivery_date = date(2026, 1, 20)
        equipment._set_installation_date(date(2026, 2, 1))
        self.env.invalidate_all()
        self.assertEqual(equipment.warranty_start_date, date(2026, 1, 20))
        self.assertEqual(equipment.warranty_end_date, date(2028, 1, 9))

        # a user may change it again, or set it back to the computed date
        form = Form(equipment.with_user(self.service_user))
        form.warranty_end_date = date(2026, 7, 19)
        form.save()
        equipment.delivery_date = date(2026, 2, 1)
        self.assertEqual(equipment.warranty_end_date, date(2026, 7, 31), "computed again")

    def test_form_edit_of_the_start_date_is_not_an_override(self):
        """The form sends the end date it recomputed along with the start date."""
        equipment = self._create_equipment(delivery_date=date(2026, 1, 10))
        form = Form(equipment.with_user(self.service_user))
        form.delivery_date = date(2026, 3, 1)
        self.assertEqual(form.warranty_end_date, date(2026, 8, 31))
        form.save()
        equipment.delivery_date = date(2026, 4, 1)
        self.assertEqual(equipment.warranty_end_date, date(2026, 9, 30))

    # ------------------------------------------------------------------
    # Re-delivery of a serial
    # ------------------------------------------------------------------
    def test_redelivery_to_the_same_customer_keeps_the_warranty(self):
        lot = self._make_lot(self.espresso, "X200-SWAP")
        with freeze_time("2026-09-01 10:00:00"):
            picking = self._deliver(self.espresso, lot, self.customer_site)
        equipment = self._equipment_of(lot)
        equipment.warranty_end_date = date(2027, 8, 31)  # extended
        self.espresso.write({"warranty_months": 24, "warranty_labour_pct": 0})
        with freeze_time("2026-11-02 10:00:00"):
            self._return(picking)  # back for repair
            self.assertFalse(equipment.partner_id)
            self.assertEqual(equipment.last_partner_id, self.customer)
            self._deliver(self.espresso, lot, self.customer_site)  # and back again

        self.assertEqual(equipment.partner_id, self.customer)
        self.assertEqual(equipment.delivery_date, date(2026, 9, 1))
        self.assertEqual(equipment.warranty_start_date, date(2026, 9, 1))
        self.assertEqual(equipment.warranty_end_date, date(2027, 8, 31))
        self.assertEqual(self._terms(equipment), (6, "delivery", 100, 100, 50))

    def test_last_owner_survives_a_return_before_any_flush(self):
        """Delivered and returned in one transaction, with nothing written to the
        database in between (an import, a batch of pickings): the last owner is kept,
        so a delivery back to the same customer is no new sale."""
        contact = self.env["res.partner"].create(
            {"name": "Kitchen", "parent_id": self.customer.id, "type": "delivery"}
        )
        equipment = self.env["after_sales.equipment"].create(
            {"product_id": self.espresso.id, "partner_id": contact.id}
        )
        equipment.write({"partner_id": False, "site_partner_id": False})
        self.assertEqual(equipment.last_partner_id, self.customer, "the commercial entity")
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(equipment.last_partner_id, self.customer)
        equipment.partner_id = self.other_customer
        equipment.partner_id = False
        self.assertEqual(equipment.last_partner_id, self.other_customer)

    def test_redelivery_to_another_customer_is_a_new_sale(self):
        lot = self._make_lot(self.dishwasher, "D500-RESALE")
        with freeze_time("2026-01-10 10:00:00"):
            picking = self._deliver(self.dishwasher, lot, self.customer)
        equipment = self._equipment_of(lot)
        equipment._set_installation_date(date(2026, 1, 20))
        equipment.warranty_end_date = date(2028, 1, 19)  # extended for this customer
        self.dishwasher.write({"warranty_months": 24, "warranty_travel_pct": 0})
        with freeze_time("2026-06-01 10:00:00"):
            self._return(picking)
            self._deliver(self.dishwasher, lot, self.other_customer)

        self.assertEqual(equipment.partner_id, self.other_customer)
        self.assertEqual(equipment.last_partner_id, self.other_customer)
        self.assertEqual(equipment.delivery_date, date(2026, 6, 1))
        self.assertEqual(self._terms(equipment), (24, "installation", 100, 100, 0))
        self.assertFalse(equipment.install_date, "to be installed at the new customer")
        self.assertFalse(equipment.warranty_start_date)
        self.assertFalse(equipment.warranty_end_date, "the former extension does not carry over")
        equipment._set_installation_date(date(2026, 6, 15))
        self.assertEqual(equipment.warranty_end_date, date(2028, 6, 14))

    # ------------------------------------------------------------------
    # Installation
    # ------------------------------------------------------------------
    def test_installation_starts_the_warranty_once(self):
        equipment = self._create_equipment(self.dishwasher, delivery_date=date(2026, 1, 10))
        self.assertFalse(equipment.warranty_start_date)
        equipment._set_installation_date(date(2026, 2, 3))
        self.assertEqual(equipment.install_date, date(2026, 2, 3))
        self.assertEqual(equipment.warranty_start_date, date(2026, 2, 3))
        self.assertEqual(equipment.warranty_end_date, date(2027, 2, 2))
        equipment._set_installation_date(date(2026, 5, 1))  # a later visit
        self.assertEqual(equipment.install_date, date(2026, 2, 3))

    def test_installation_cap_set_on_the_product_form(self):
        with Form(self.dishwasher.product_tmpl_id) as form:
            form.warranty_install_cap_months = 3
        self.assertEqual(self.dishwasher.warranty_install_cap_months, 3)
        never = self._create_equipment(self.dishwasher, delivery_date=date(2026, 1, 10))
        early = self._create_equipment(self.dishwasher, delivery_date=date(2026, 1, 10))
        late = self._create_equipment(self.dishwasher, delivery_date=date(2026, 1, 10))
        self.assertEqual(never.warranty_install_cap_months, 3)
        early._set_installation_date(date(2026, 2, 1))
        late._set_installation_date(date(2026, 6, 1))
        # never installed: the warranty starts on the cap date all the same
        self.assertEqual(never.warranty_start_date, date(2026, 4, 10))
        self.assertEqual(never.warranty_end_date, date(2027, 4, 9))
        self.assertEqual(early.warranty_start_date, date(2026, 2, 1))
        self.assertEqual(late.warranty_start_date, date(2026, 4, 10), "no later than the cap")
        with freeze_time("2026-05-01"):
            self.assertEqual(never.warranty_state, "warranty")

    def test_negative_cap_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.dishwasher.warranty_install_cap_months = -1
        self.assertEqual(self.dishwasher.warranty_install_cap_months, 0)
        equipment = self._create_equipment(self.dishwasher, delivery_date=date(2026, 1, 10))
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            equipment.warranty_install_cap_months = -1
        self.assertEqual(equipment.warranty_install_cap_months, 0)

    # ------------------------------------------------------------------
    # The date of coverage is the company's
    # ------------------------------------------------------------------
    def test_coverage_on_the_local_date_of_the_company(self):
        amsterdam = self.env["resource.calendar"].create(
            {"name": "Amsterdam", "tz": "Europe/Amsterdam", "company_id": self.company.id}
        )
        self.company.resource_calendar_id = amsterdam
        self.env.user.tz = "UTC"
        twelve_months = self.env["product.product"].create(
            {"name": "Oven", "is_storable": True, "tracking": "serial", "warranty_months": 12}
        )
        equipment = self._create_equipment(twelve_months, delivery_date=date(2025, 4, 1))
        self.assertEqual(equipment.warranty_end_date, date(2026, 3, 31))

        late_evening = company_local_date(self.company, datetime(2026, 3, 31, 21, 30))
        after_midnight = company_local_date(self.company, datetime(2026, 3, 31, 22, 30))
        self.assertEqual(equipment._get_coverage(late_evening).source, "warranty")
        self.assertEqual(after_midnight, date(2026, 4, 1))
        self.assertEqual(equipment._get_coverage(after_midnight).source, "none")
        with freeze_time("2026-03-31 22:30:00"):  # still 31 March in UTC
            self.assertEqual(equipment._get_coverage().source, "none")
            self.assertEqual(
                equipment._get_coverage(service_type=self.type_corrective).source, "none"
            )

    # ------------------------------------------------------------------
    # Database constraints
    # ------------------------------------------------------------------
    def test_database_refuses_impossible_terms(self):
        equipment = self._create_equipment(delivery_date=date(2026, 1, 10))
        template = self.espresso.product_tmpl_id
        for record, column, value in (
            (template, "warranty_months", -1),
            (template, "warranty_install_cap_months", -1),
            (template, "warranty_parts_pct", 101),
            (template, "warranty_labour_pct", -1),
            (template, "warranty_travel_pct", 150),
            (equipment, "warranty_months", -1),
            (equipment, "warranty_travel_pct", 101),
            (equipment, "warranty_end_date", date(2026, 1, 9)),
        ):
            with (
                self.subTest(model=record._name, column=column),
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.CheckViolation),
            ):
                self.env.cr.execute(
                    SQL(
                        "UPDATE %s SET %s = %s WHERE id = %s",
                        SQL.identifier(record._table),
                        SQL.identifier(column),
                        value,
                        record.id,
                    )
                )
        self.env.invalidate_all()
        self.assertEqual(self._terms(equipment), (6, "delivery", 100, 100, 50))
        self.assertEqual(equipment.warranty_end_date, date(2026, 7, 9))
        self.assertEqual(template.warranty_months, 6)

    def test_unit_terms_outside_0_100_are_refused(self):
        equipment = self._create_equipment(delivery_date=date(2026, 1, 10))
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            equipment.warranty_parts_pct = 120
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            equipment.warranty_months = -6
        self.assertEqual(self._terms(equipment), (6, "delivery", 100, 100, 50))
