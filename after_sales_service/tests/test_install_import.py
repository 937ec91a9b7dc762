"""Installing the module on a database with a history of deliveries: the cron
imports the past deliveries and returns of serial numbers into the installed base."""

from contextlib import contextmanager
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.after_sales_service.models import after_sales_delivery_import as delivery_import

from .common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestInstallImport(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Import = cls.env["after_sales.delivery.import"]
        cls.Equipment = cls.env["after_sales.equipment"].with_context(active_test=False)
        cls.cron = cls.env.ref("after_sales_service.ir_cron_delivery_import")
        # the imports started by the installation have nothing to do with these tests
        cls.Import.sudo().search([]).write({"state": "done"})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @contextmanager
    def _before_install(self, moment):
        """Stock operations at ``moment``, unseen by the module (its deliveries hook
        does nothing, as if it were not installed yet)."""
        equipment_class = type(self.env["after_sales.equipment"])
        with (
            freeze_time(moment),
            patch.object(
                equipment_class,
                "_register_deliveries",
                return_value=self.env["after_sales.equipment"],
            ),
        ):
            yield

    def _deliver_before(self, moment, lots, partner, product=None):
        with self._before_install(moment):
            return self._deliver(product or self.espresso, lots, partner)

    def _return_before(self, moment, picking):
        with self._before_install(moment):
            return self._return(picking)

    def _unit(self, lot):
        return self.Equipment.search([("lot_id", "in", lot.ids)])

    def _run_import(self, companies=None, batch_size=500, time_left=60.0):
        """Start the import of ``companies`` (default: the test company), run its cron
        and return (the imports, the calls of ``_commit_progress``)."""
        imports = self.Import._start_for_companies(companies or self.company)
        return imports, self._run_cron_import(batch_size, time_left)

    def _run_cron_import(self, batch_size=500, time_left=60.0):
        """Run the cron in the test transaction; ``_commit_progress`` (which would
        commit) only records its calls, with the import's position at that moment."""
        calls = []

        def commit_progress(processed=0, *, remaining=None, deactivate=False):
            records = self.Import.search([("state", "!=", "pending")])
            calls.append(
                (
                    processed,
                    remaining,
                    dict(zip(records.ids, records.mapped("last_line_id"), strict=True)),
                )
            )
            return time_left

        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", side_effect=commit_progress
        ):
            self.Import._cron_import_deliveries(batch_size=batch_size)
        return calls

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    @freeze_time("2026-03-02 09:00:00")
    def test_past_deliveries_and_returns_end_as_if_installed_all_along(self):
        first, second, resold = (self._make_lot(self.espresso, f"PAST-{i}") for i in range(3))
        machine = self._make_lot(self.dishwasher, "PAST-D1")
        self._deliver_before("2024-03-01 10:00:00", first, self.customer_site)
        self._deliver_before("2024-05-10 10:00:00", second, self.other_customer)
        sale = self._deliver_before("2024-02-01 10:00:00", resold, self.customer_site)
        self._return_before("2024-04-01 10:00:00", sale)
        resale = self._deliver_before("2024-06-01 10:00:00", resold, self.other_customer)
        self._deliver_before("2024-07-15 10:00:00", machine, self.customer, self.dishwasher)
        self.assertFalse(self._unit(first | second | resold | machine), "nothing seen before")

        imports, _calls = self._run_import()

        unit = self._unit(first)
        self.assertEqual(unit.partner_id, self.customer)
        self.assertEqual(unit.site_partner_id, self.customer_site)
        self.assertEqual(unit.company_id, self.company)
        self.assertEqual(unit.delivery_date, date(2024, 3, 1), "the date of the past delivery")
        self.assertEqual(unit.warranty_end_date, date(2024, 8, 31), "6 months from the delivery")
        self.assertEqual(unit.warranty_labour_pct, 100)
        self.assertEqual(self._unit(second).partner_id, self.other_customer)
        self.assertEqual(self._unit(second).warranty_end_date, date(2024, 11, 9))
        # delivered, returned and sold again: one unit, with its last customer
        unit = self._unit(resold)
        self.assertEqual(len(unit), 1)
        self.assertEqual(unit.partner_id, self.other_customer)
        self.assertEqual(unit.delivery_date, date(2024, 6, 1), "a resale starts a new warranty")
        self.assertEqual(unit.warranty_end_date, date(2024, 11, 30))
        self.assertEqual(unit.delivery_move_id, resale.move_ids)
        self.assertTrue(
            unit.message_ids.filtered(lambda m: "Returned by" in str(m.body)),
            "the return is in the unit's history",
        )
        # warranty from installation: not installed yet, no warranty running
        unit = self._unit(machine)
        self.assertEqual(unit.delivery_date, date(2024, 7, 15))
        self.assertFalse(unit.warranty_start_date)

        self.assertEqual(imports.state, "done")
        self.assertRecordValues(
            imports,
            [
                {
                    "line_total": 6,
                    "line_count": 6,
                    "created_count": 4,
                    "returned_count": 1,
                    "resold_count": 1,
                    "redelivered_count": 0,
                    "known_count": 0,
                    "failed_count": 0,
                    "date_end": datetime(2026, 3, 2, 9, 0),
                }
            ],
        )
        report = imports.message_ids[0]
        self.assertIn("Units Created: 4", str(report.body))
        self.assertIn("Returns Applied: 1", str(report.body))
        self.assertEqual(report.partner_ids, imports.user_id.partner_id, "sent to the responsible")
        self.assertIn("Units Created: 4", imports.summary)

    @freeze_time("2026-03-02 09:00:00")
    def test_running_again_creates_nothing_more(self):
        lots = self._make_lot(self.espresso, "AGAIN-1") | self._make_lot(self.espresso, "AGAIN-2")
        sale = self._deliver_before("2024-02-01 10:00:00", lots, self.customer_site)
        self._return_before("2024-03-01 10:00:00", sale)
        self._deliver_before("2024-04-01 10:00:00", lots, self.other_customer)
        imports, _calls = self._run_import()
        units = self._unit(lots)
        self.assertEqual(units.partner_id, self.other_customer)
        # what people set since the import is not undone by a second run
        units[0].write({"install_date": date(2024, 5, 1), "warranty_end_date": date(2027, 1, 1)})
        messages = self.env["mail.message"].search_count(
            [("model", "=", units._name), ("res_id", "in", units.ids)]
        )

        imports.action_restart()
        self._run_cron_import()

        self.assertEqual(self._unit(lots), units, "no second unit for a serial")
        self.assertEqual(units.partner_id, self.other_customer)
        self.assertEqual(units[0].install_date, date(2024, 5, 1))
        self.assertEqual(units[0].warranty_end_date, date(2027, 1, 1))
        self.assertEqual(units[1].delivery_date, date(2024, 4, 1))
        self.assertEqual(
            self.env["mail.message"].search_count(
                [("model", "=", units._name), ("res_id", "in", units.ids)]
            ),
            messages,
            "nothing happened to the units",
        )
        self.assertRecordValues(
            imports,
            [{"state": "done", "line_count": 6, "known_count": 6, "created_count": 0}],
        )

    @freeze_time("2026-03-02 09:00:00")
    def test_deliveries_registered_since_the_installation_win(self):
        returned_since, resold_since = (
            self._make_lot(self.espresso, "SINCE-1"),
            self._make_lot(self.espresso, "SINCE-2"),
        )
        first_sale = self._deliver_before("2024-02-01 10:00:00", returned_since, self.customer)
        second_sale = self._deliver_before("2024-02-01 10:00:00", resold_since, self.customer)
        self._return_before("2024-03-01 10:00:00", second_sale)
        # after the installation: the module sees these (its hook runs)
        with freeze_time("2026-02-01 10:00:00"):
            self._return(first_sale)
            self._deliver(self.espresso, resold_since, self.other_customer)
        resale_unit = self._unit(resold_since)
        self.assertFalse(self._unit(returned_since), "the module never saw this unit delivered")

        imports, _calls = self._run_import()

        unit = self._unit(returned_since)
        self.assertTrue(unit.last_partner_id == self.customer and not unit.partner_id, "returned")
        self.assertEqual(self._unit(resold_since), resale_unit)
        self.assertEqual(resale_unit.partner_id, self.other_customer, "the newer delivery wins")
        self.assertEqual(resale_unit.delivery_date, date(2026, 2, 1))
        self.assertRecordValues(
            imports,
            [{"created_count": 1, "returned_count": 1, "known_count": 3, "resold_count": 0}],
        )

    @freeze_time("2026-03-02 09:00:00")
    def test_a_broken_line_gets_an_activity_and_the_others_go_on(self):
        good = self._make_lot(self.espresso, "GOOD-1") | self._make_lot(self.espresso, "GOOD-2")
        broken = self._make_lot(self.espresso, "BROKEN-1")
        elsewhere = self.env["res.partner"].create({"name": "Moved Away BV", "is_company": True})
        self._deliver_before("2024-02-01 10:00:00", good[0], self.customer)
        picking = self._deliver_before("2024-02-02 10:00:00", broken, elsewhere)
        self._deliver_before("2024-02-03 10:00:00", good[1], self.customer)
        other_company = self.setup_other_company(name="Elsewhere Service")["company"]
        # the customer now belongs to another company: the unit cannot be theirs here
        elsewhere.company_id = other_company

        imports, _calls = self._run_import()

        self.assertEqual(len(self._unit(good)), 2, "the good lines are registered")
        self.assertFalse(self._unit(broken))
        self.assertRecordValues(
            imports, [{"state": "done", "created_count": 2, "failed_count": 1, "line_count": 3}]
        )
        activity = picking.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("BROKEN-1", activity.summary)
        self.assertIn(picking.name, str(activity.note))
        self.assertEqual(activity.user_id, imports.user_id)

        # corrected, then run again: registered, the activity is not repeated
        elsewhere.company_id = False
        imports.action_restart()
        self._run_cron_import()
        self.assertEqual(self._unit(broken).partner_id, elsewhere)
        self.assertEqual(len(picking.activity_ids), 1)
        self.assertRecordValues(
            imports, [{"created_count": 1, "known_count": 2, "failed_count": 0}]
        )

    @freeze_time("2026-03-02 09:00:00")
    def test_batches_commit_their_position_and_a_stopped_run_resumes(self):
        lots = self.env["stock.lot"].concat(
            *(self._make_lot(self.espresso, f"BATCH-{i}") for i in range(5))
        )
        for day, lot in enumerate(lots, start=1):
            self._deliver_before(f"2024-01-{day:02d} 10:00:00", lot, self.customer)
        record = self.Import._start_for_companies(self.company)
        line_ids = self.env["stock.move.line"].search([("lot_id", "in", lots.ids)], order="id").ids

        # the run's time is up after the first batch: it stops, committed
        calls = self._run_cron_import(batch_size=2, time_left=0.0)
        self.assertEqual(calls, [(2, 3, {record.id: line_ids[1]})])
        self.assertRecordValues(
            record, [{"state": "running", "last_line_id": line_ids[1], "created_count": 2}]
        )

        # the next run resumes after the last committed line
        calls = self._run_cron_import(batch_size=2)
        self.assertEqual(
            [(processed, remaining) for processed, remaining, _position in calls],
            [(2, 1), (1, 0), (0, 0)],
            "one commit per batch, then one for the end",
        )
        self.assertEqual(
            [position[record.id] for _processed, _remaining, position in calls],
            [line_ids[3], record.cutoff_line_id, record.cutoff_line_id],
        )
        self.assertEqual(record.cutoff_line_id, line_ids[4], "the last line when it started")
        self.assertEqual(len(self._unit(lots)), 5)
        self.assertRecordValues(
            record, [{"state": "done", "line_count": 5, "created_count": 5, "known_count": 0}]
        )

    @freeze_time("2026-03-02 09:00:00")
    def test_lines_are_found_across_windows_of_other_lines(self):
        first, last = self._make_lot(self.espresso, "WIN-1"), self._make_lot(self.espresso, "WIN-2")
        self._deliver_before("2024-01-01 10:00:00", first, self.customer)
        with self._before_install("2024-01-02 10:00:00"):
            for _i in range(3):  # lines of another product between the two
                self._deliver_untracked(self.coffee_beans, 5, self.customer)
        self._deliver_before("2024-01-03 10:00:00", last, self.other_customer)

        # windows of one id: most of them hold no line of a serial
        with patch.object(delivery_import, "ID_WINDOW", 1):
            imports, _calls = self._run_import(batch_size=1)

        self.assertEqual(self._unit(first).partner_id, self.customer)
        self.assertEqual(self._unit(last).partner_id, self.other_customer)
        self.assertRecordValues(
            imports, [{"state": "done", "line_total": 2, "line_count": 2, "created_count": 2}]
        )

    @freeze_time("2026-03-02 09:00:00")
    def test_each_company_imports_its_own_deliveries(self):
        other = self.setup_other_company(name="Service Co Antwerp")["company"]
        self.env.user.company_ids |= other
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other.id)], limit=1)
        product = self.espresso.with_company(other)
        lot = self.env["stock.lot"].create(
            {"name": "ANTWERP-1", "product_id": product.id, "company_id": other.id}
        )
        local = self._make_lot(self.espresso, "HERE-1")
        with self._before_install("2024-06-01 10:00:00"):
            env = self.env(context=dict(self.env.context, allowed_company_ids=[other.id]))
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 1.0, lot_id=lot
            )
            picking = env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "partner_id": self.other_customer.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": self.customer_location.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "location_id": warehouse.lot_stock_id.id,
                                "location_dest_id": self.customer_location.id,
                            }
                        )
                    ],
                }
            )
            picking.action_confirm()
            picking.action_assign()
            picking.move_ids.picked = True
            picking.button_validate()
        self._deliver_before("2024-06-02 10:00:00", local, self.customer)

        imports, _calls = self._run_import(self.company | other)

        unit = self._unit(lot)
        self.assertEqual(unit.company_id, other)
        self.assertEqual(unit.partner_id, self.other_customer)
        self.assertEqual(self._unit(local).company_id, self.company)
        by_company = {record.company_id: record for record in imports}
        self.assertEqual(by_company[other].created_count, 1)
        self.assertEqual(by_company[self.company].created_count, 1)
        self.assertEqual(by_company[other].line_count, 1, "each company reads its own lines")

    @freeze_time("2026-03-02 09:00:00")
    def test_lines_that_are_not_registered_are_counted_with_their_reason(self):
        never_delivered = self._make_lot(self.espresso, "NEVER-1")
        no_customer = self._make_lot(self.espresso, "NOBODY-1")
        # a serial that came back from a customer without any delivery in the records
        with self._before_install("2024-01-10 10:00:00"):
            receipt = self.env["stock.picking"].create(
                {
                    "picking_type_id": self.warehouse.in_type_id.id,
                    "partner_id": self.customer.id,
                    "location_id": self.customer_location.id,
                    "location_dest_id": self.stock_location.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": self.espresso.id,
                                "product_uom_qty": 1,
                                "location_id": self.customer_location.id,
                                "location_dest_id": self.stock_location.id,
                            }
                        )
                    ],
                }
            )
            receipt.action_confirm()
            receipt.move_ids.move_line_ids.lot_id = never_delivered
            receipt.move_ids.picked = True
            receipt.button_validate()
        picking = self._deliver_before("2024-01-11 10:00:00", no_customer, self.customer)
        picking.partner_id = False
        picking.move_ids.partner_id = False
        self.assertEqual(receipt.state, "done")

        imports, _calls = self._run_import()

        self.assertFalse(self._unit(never_delivered | no_customer))
        self.assertRecordValues(
            imports,
            [
                {
                    "line_count": 2,
                    "not_delivered_count": 1,
                    "no_customer_count": 1,
                    "skipped_count": 2,
                    "created_count": 0,
                }
            ],
        )

    def test_installation_starts_the_import_after_its_transaction(self):
        # the installation of the test database started the import of its company
        main = self.env.ref("base.main_company")
        self.assertTrue(self.Import.sudo().search([("company_id", "=", main.id)]))
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        admin = new_test_user(
            self.env,
            login="as_import_admin",
            groups="base.group_system,after_sales_service.group_manager",
            company_id=self.company.id,
        )
        settings = self.env["res.config.settings"].with_user(admin).create({})
        action = settings.action_after_sales_import_deliveries()
        record = self.Import.search([("company_id", "=", self.company.id)])
        self.assertEqual(action["res_id"], record.id)
        self.assertEqual(record.state, "pending", "nothing imported in the user's request")
        self.assertEqual(record.user_id, admin, "the report goes to who asked")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]),
            triggers + 1,
            "the cron is woken up",
        )

    def test_run_again_is_refused_while_running_or_for_service_users(self):
        record = self.Import._start_for_companies(self.company)
        record.write({"state": "running", "last_line_id": 42, "line_count": 7})
        with self.assertRaisesRegex(UserError, "is running"):
            record.with_user(self.service_manager).action_restart()
        self.assertRecordValues(record, [{"state": "running", "last_line_id": 42, "line_count": 7}])
        record.state = "done"
        with self.assertRaises(AccessError):
            record.with_user(self.service_user).action_restart()
        self.assertRecordValues(record, [{"state": "done", "last_line_id": 42, "line_count": 7}])
