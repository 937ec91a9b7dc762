from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AfterSalesCommon

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
APRIL = (date(2026, 4, 1), date(2026, 4, 30))


@tagged("post_install", "-at_install")
class TestQuality(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.company.write(
            {
                "after_sales_repeat_days": 30,
                "after_sales_failure_threshold": 50.0,
                "after_sales_quality_user_id": cls.service_manager.id,
            }
        )
        cls.Kpi = cls.env["after_sales.kpi"]
        cls.lots = [cls._make_lot(cls.espresso, f"Q-SN-{i}") for i in range(4)]
        cls.units = [
            cls._create_equipment(lot=lot, delivery_date=date(2025, 1, 1)) for lot in cls.lots
        ]
        cls.washer = cls._create_equipment(product=cls.dishwasher, delivery_date=date(2025, 1, 1))

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _claim(self, unit, received, **vals):
        return self.env["after_sales.claim"].create(
            {
                "partner_id": self.customer.id,
                "equipment_id": unit.id,
                "channel": "phone",
                "date_received": received,
                **vals,
            }
        )

    def _corrective(self, unit, received, done=None, company=None):
        Order = self.env["after_sales.order"].with_company(company or self.company)
        order = Order.create(
            {
                "service_type_id": self.type_corrective.id,
                "partner_id": self.customer.id,
                "equipment_id": unit.id,
                "date_received": received,
                **({"company_id": company.id, "contract_id": False} if company else {}),
            }
        )
        if done:
            with freeze_time(done):
                order.action_start()
                order.action_done()
        return order

    def _figures(self, period, companies=None):
        figures = self.Kpi._kpi_figures(*period, companies or self.company)
        return {figure["key"]: figure for figure in figures if figure["group"] == "quality"}

    def _run_rates(self, today):
        with (
            freeze_time(today),
            patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0),
        ):
            self.env["product.template"]._cron_after_sales_failure_rates()

    def _march_data(self):
        self._claim(self.units[0], datetime(2026, 3, 5, 10, 0))
        self._claim(self.units[1], datetime(2026, 3, 20, 10, 0))
        return self._corrective(
            self.units[0], datetime(2026, 3, 10, 10, 0), done=datetime(2026, 3, 12, 15, 0)
        )

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    def test_rates_per_1000_units(self):
        order = self._march_data()
        # rejected claims, cancelled orders and other types do not count
        self._claim(self.units[2], datetime(2026, 3, 6, 10, 0))._reject(
            self.env.ref("after_sales_service.reject_reason_misuse")
        )
        self._corrective(self.units[3], datetime(2026, 3, 7, 10, 0)).action_cancel()
        figures = self._figures(MARCH)
        # 5 installed units (4 espresso, 1 dishwasher): 2 claims, 1 corrective order
        self.assertAlmostEqual(figures["claims_per_1000"]["value"], 400.0)
        self.assertAlmostEqual(figures["corrective_per_1000"]["value"], 200.0)
        self.assertEqual(figures["claims_per_1000"]["unit"], "per_1000")
        self.assertEqual(
            self.env["after_sales.order"].search(
                figures["corrective_per_1000"]["action"]["domain"]
            ),
            order,
        )
        self.assertEqual(
            len(
                self.env["after_sales.claim"].search(figures["claims_per_1000"]["action"]["domain"])
            ),
            2,
        )

        # per product: 4 units of the espresso machine -> 500 and 250 per 1,000
        counts = self.Kpi._quality_counts(*MARCH, self.company)
        rates = self.Kpi._quality_rates(counts[self.espresso.id])
        self.assertEqual((rates["units"], rates["claims"], rates["corrective"]), (4, 2, 1))
        self.assertAlmostEqual(rates["claims_per_1000"], 500.0)
        self.assertAlmostEqual(rates["corrective_per_1000"], 250.0)
        self.assertAlmostEqual(rates["failure_rate"], 750.0)
        # per lot: one unit per serial number
        lot_counts = self.Kpi._quality_counts(*MARCH, self.company, "lot_id")
        self.assertAlmostEqual(
            self.Kpi._quality_rates(lot_counts[self.lots[0].id])["failure_rate"], 2000.0
        )
        self.assertAlmostEqual(
            self.Kpi._quality_rates(lot_counts[self.lots[1].id])["failure_rate"], 1000.0
        )

    def test_units_delivered_later_or_archived_do_not_count(self):
        self._march_data()
        self._create_equipment(delivery_date=date(2026, 4, 2))
        self._create_equipment(delivery_date=date(2025, 4, 2), active=False)
        self.assertAlmostEqual(self._figures(MARCH)["claims_per_1000"]["value"], 400.0)

    def test_mtbf(self):
        self._march_data()
        # done in April: a failure of April, not of March
        self._corrective(
            self.units[1], datetime(2026, 3, 28, 10, 0), done=datetime(2026, 4, 2, 10, 0)
        )
        # a unit delivered on 21 March operates 11 days of March
        self._create_equipment(delivery_date=date(2026, 3, 21))
        figures = self._figures(MARCH)
        # 5 units x 31 days + 11 days = 166 operating days / 1 failure done in March
        self.assertAlmostEqual(figures["mtbf_days"]["value"], 166.0)
        self.assertEqual(figures["mtbf_days"]["unit"], "days")
        self.assertEqual(figures["mtbf_days"]["action"]["res_model"], "after_sales.equipment")
        # per product: 4 espresso units x 31 days + 11 days / 1 failure
        counts = self.Kpi._quality_counts(*MARCH, self.company)
        self.assertAlmostEqual(
            self.Kpi._quality_rates(counts[self.espresso.id])["mtbf_days"], 135.0
        )
        # dishwasher: no failure, no MTBF
        self.assertIsNone(self.Kpi._quality_rates(counts[self.dishwasher.id])["mtbf_days"])
        # April: 6 units x 30 days / 1 failure
        self.assertAlmostEqual(self._figures(APRIL)["mtbf_days"]["value"], 180.0)

    def test_repeat_failures(self):
        Order = self.env["after_sales.order"]
        self._corrective(self.units[0], datetime(2026, 3, 2, 10, 0))
        repeat = self._corrective(self.units[0], datetime(2026, 3, 20, 10, 0))  # 18 days later
        self._corrective(self.units[1], datetime(2026, 3, 1, 10, 0))
        late = self._corrective(self.units[1], datetime(2026, 4, 15, 10, 0))  # 45 days later
        # a cancelled order is no first failure
        self._corrective(self.units[2], datetime(2026, 4, 1, 10, 0)).action_cancel()
        self._corrective(self.units[2], datetime(2026, 4, 5, 10, 0))

        march = self._figures(MARCH)["repeat_failure_rate"]
        # 2 units with a corrective order in March, 1 of them repeated within 30 days
        self.assertAlmostEqual(march["value"], 50.0)
        self.assertEqual(march["unit"], "%")
        self.assertEqual(Order.search(march["action"]["domain"]), repeat)
        april = self._figures(APRIL)["repeat_failure_rate"]
        self.assertAlmostEqual(april["value"], 0.0)
        self.assertFalse(Order.search(april["action"]["domain"]))

        self.company.after_sales_repeat_days = 50
        april = self._figures(APRIL)["repeat_failure_rate"]
        self.assertAlmostEqual(april["value"], 50.0)
        self.assertEqual(Order.search(april["action"]["domain"]), late)

    def test_failure_rates_screen(self):
        self._march_data()
        repeat = self._corrective(self.units[0], datetime(2026, 3, 25, 10, 0))
        analysis = self.env["after_sales.quality.analysis"].create(
            {"date_from": MARCH[0], "date_to": MARCH[1], "company_id": self.company.id}
        )
        analysis.action_compute()
        lines = {line.product_id: line for line in analysis.line_ids}
        espresso = lines[self.espresso]
        # 4 units, 2 claims, 2 corrective orders (1 done, 1 a repeat within 30 days)
        self.assertEqual(
            (espresso.units, espresso.claims, espresso.corrective, espresso.failures),
            (4, 2, 2, 1),
        )
        self.assertEqual(espresso.repeat_failures, 1)
        self.assertAlmostEqual(espresso.claims_per_1000, 500.0)
        self.assertAlmostEqual(espresso.corrective_per_1000, 500.0)
        self.assertAlmostEqual(espresso.failure_rate, 1000.0)
        self.assertAlmostEqual(espresso.mtbf_days, 4 * 31 / 1)
        self.assertTrue(espresso.is_above_threshold)
        washer = lines[self.dishwasher]
        self.assertEqual((washer.units, washer.failure_rate), (1, 0.0))
        self.assertFalse(washer.is_above_threshold)
        self.assertEqual(analysis.line_ids[0], espresso, "the worst product comes first")
        orders = self.env["after_sales.order"].search(espresso.action_open_orders()["domain"])
        self.assertIn(repeat, orders)
        self.assertEqual(len(orders), 2)

        # per lot, computed again: the old lines are replaced
        analysis.groupby = "lot_id"
        analysis.action_compute()
        lot_line = analysis.line_ids.filtered(lambda line: line.lot_id == self.lots[0])
        self.assertEqual((lot_line.units, lot_line.claims, lot_line.corrective), (1, 1, 2))
        self.assertAlmostEqual(lot_line.failure_rate, 3000.0)
        self.assertFalse(analysis.line_ids.product_id)

        # a period upside down is refused and keeps the lines
        analysis.date_to = date(2026, 2, 1)
        with self.assertRaises(UserError):
            analysis.action_compute()
        self.assertTrue(analysis.line_ids)

    def test_stored_facts_follow_the_unit_history(self):
        """The reliability facts stored on an order change when a later order of the
        unit is created, cancelled, moved to another unit or deleted."""
        first = self._corrective(
            self.units[0], datetime(2026, 3, 1, 10, 0), done=datetime(2026, 3, 2, 10, 0)
        )
        self.assertEqual(first.kpi_fix_result, "held")
        self.assertFalse(first.kpi_repeat_visit)
        # delivered 2025-01-01 -> received 2026-03-01 10:00
        self.assertAlmostEqual(first.kpi_free_days, 424 + 10 / 24, places=4)
        second = self._corrective(self.units[0], datetime(2026, 3, 20, 10, 0))
        self.assertEqual(first.kpi_fix_result, "failed")
        self.assertTrue(first.kpi_repeat_visit)
        self.assertTrue(second.kpi_repeat_failure)
        self.assertAlmostEqual(second.kpi_free_days, 18.0)
        second.action_cancel()
        self.assertEqual(first.kpi_fix_result, "held")
        self.assertFalse(second.kpi_repeat_failure)
        self.assertFalse(second.kpi_free_days)
        second.write({"state": "new", "equipment_id": self.units[1].id})
        self.assertEqual(first.kpi_fix_result, "held")
        self.assertFalse(second.kpi_repeat_failure)
        second.equipment_id = self.units[0]
        self.assertEqual(first.kpi_fix_result, "failed")
        second.unlink()
        self.assertEqual(first.kpi_fix_result, "held")
        # the unit delivered later: fewer failure-free days
        self.units[0].delivery_date = date(2026, 1, 1)
        self.assertAlmostEqual(first.kpi_free_days, 59 + 10 / 24, places=4)

    def test_nightly_cron_repairs_stale_facts(self):
        """Two users changing orders of one unit at the same moment can leave a fact
        stale: the nightly cron recomputes every unit's facts, in batches that resume
        after the last unit done."""
        first = self._corrective(
            self.units[0], datetime(2026, 3, 1, 10, 0), done=datetime(2026, 3, 2, 10, 0)
        )
        second = self._corrective(self.units[1], datetime(2026, 3, 1, 10, 0))
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE after_sales_order SET kpi_fix_result = 'failed', kpi_repeat_failure = TRUE"
            " WHERE id IN %s",
            [(first.id, second.id)],
        )
        self.env.invalidate_all()
        Param = self.env["ir.config_parameter"].sudo()
        key = "after_sales_service.kpi_facts_last_unit"
        Order = self.env["after_sales.order"]
        cron = type(self.env["ir.cron"])
        # a run stopped by its time limit after the first batch of one unit ...
        with patch.object(cron, "_commit_progress", return_value=0.0):
            Order._cron_kpi_refresh_facts(batch_size=1)
        self.assertEqual(first.kpi_fix_result, "held")
        self.assertTrue(second.kpi_repeat_failure, "not reached yet")
        self.assertEqual(int(Param.get_param(key)), self.units[0].id)
        # ... the next run resumes after it and starts over once it reaches the end
        with patch.object(cron, "_commit_progress", return_value=60.0):
            Order._cron_kpi_refresh_facts(batch_size=1)
        self.assertFalse(second.kpi_repeat_failure)
        self.assertEqual(int(Param.get_param(key)), 0)

    def test_query_count_does_not_depend_on_records(self):
        def count_queries():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Kpi._kpi_quality(*MARCH, self.company)
            self.Kpi._quality_counts(*MARCH, self.company)
            return self.env.cr.sql_log_count - before

        self._march_data()
        count_queries()  # warm the caches (xml ids)
        few = count_queries()
        for day, unit in enumerate(self.units, start=1):
            self._claim(unit, datetime(2026, 3, day, 9, 0))
            self._corrective(unit, datetime(2026, 3, day, 11, 0), done=datetime(2026, 3, 25, 9, 0))
        self.assertEqual(count_queries(), few)

    def test_empty_period(self):
        self._march_data()
        figures = self._figures((date(2020, 1, 1), date(2020, 12, 31)))
        self.assertEqual(
            set(figures),
            {"claims_per_1000", "corrective_per_1000", "repeat_failure_rate", "mtbf_days"},
        )
        for figure in figures.values():
            self.assertIsNone(figure["value"], figure["key"])
            self.assertTrue(figure["help"])
        # units but no failure: rates are 0, MTBF and repeat rate have no data
        april = self._figures(APRIL)
        self.assertEqual(april["claims_per_1000"]["value"], 0.0)
        self.assertIsNone(april["mtbf_days"]["value"])
        self.assertIsNone(april["repeat_failure_rate"]["value"])

    def test_other_company_does_not_count(self):
        self._march_data()
        other = self.env["res.company"].create({"name": "Other Service Co"})
        self.env.user.company_ids |= other
        unit = self._create_equipment(delivery_date=date(2025, 1, 1), company_id=other.id)
        self._claim(unit, datetime(2026, 3, 5, 10, 0), company_id=other.id)
        self._corrective(unit, datetime(2026, 3, 6, 10, 0), company=other)
        figures = self._figures(MARCH)
        self.assertAlmostEqual(figures["claims_per_1000"]["value"], 400.0)
        self.assertAlmostEqual(figures["corrective_per_1000"]["value"], 200.0)
        other_figures = self._figures(MARCH, other)
        self.assertAlmostEqual(other_figures["claims_per_1000"]["value"], 1000.0)
        both = self._figures(MARCH, self.company | other)
        self.assertAlmostEqual(both["claims_per_1000"]["value"], 500.0)

    # ------------------------------------------------------------------
    # Threshold cron
    # ------------------------------------------------------------------
    def test_cron_flags_once(self):
        self._march_data()
        template = self.espresso.product_tmpl_id
        self._run_rates("2026-04-01 06:00:00")
        self.assertAlmostEqual(template.after_sales_failure_rate, 750.0)
        self.assertEqual(template.after_sales_failure_rate_date, date(2026, 4, 1))
        self.assertEqual(self.dishwasher.product_tmpl_id.after_sales_failure_rate, 0.0)
        activity = template.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.service_manager)
        self.assertEqual(activity.summary, "Failure rate above threshold")
        self.assertIn("4 installed units, 2 claims (500.0 per 1,000)", activity.note)
        self.assertIn("1 corrective orders (250.0 per 1,000): 750.0 per 1,000", activity.note)
        self.assertIn("Q-SN-0 (2000.0)", activity.note)
        self.assertFalse(self.dishwasher.product_tmpl_id.activity_ids)

        # the next day: the rate is written again, no second activity
        self._claim(self.units[2], datetime(2026, 4, 1, 10, 0))
        self._run_rates("2026-04-02 06:00:00")
        self.assertAlmostEqual(template.after_sales_failure_rate, 1000.0)
        self.assertEqual(template.after_sales_failure_rate_date, date(2026, 4, 2))
        self.assertEqual(template.activity_ids, activity)

        # searchable: the stored rate and the threshold filter
        Template = self.env["product.template"]
        self.assertIn(template, Template.search([("after_sales_failure_rate", ">=", 1000)]))
        above = Template.search([("is_above_failure_threshold", "=", True)])
        self.assertIn(template, above)
        self.assertNotIn(self.dishwasher.product_tmpl_id, above)
        self.assertIn(
            self.dishwasher.product_tmpl_id,
            Template.search([("is_above_failure_threshold", "=", False)]),
        )
        self.company.after_sales_failure_threshold = 2000
        self.assertNotIn(template, Template.search([("is_above_failure_threshold", "=", True)]))

    def test_cron_rate_falls_back_under_threshold(self):
        self._march_data()
        template = self.espresso.product_tmpl_id
        self._run_rates("2026-04-01 06:00:00")
        # a year later, the March failures are out of the last 12 months
        self._run_rates("2027-04-01 06:00:00")
        self.assertEqual(template.after_sales_failure_rate, 0.0)
        self.assertFalse(template.is_above_failure_threshold)

    def test_cron_skips_a_broken_product(self):
        self._march_data()
        self._claim(self.washer, datetime(2026, 3, 5, 10, 0))
        Template = type(self.env["product.template"])
        original = Template._after_sales_apply_failure_rate
        broken_template = self.espresso.product_tmpl_id

        def apply_or_break(template, figures, today):
            if template == broken_template:
                raise UserError(self.env._("Broken product"))
            return original(template, figures, today)

        with (
            patch.object(Template, "_after_sales_apply_failure_rate", apply_or_break),
            mute_logger("odoo.addons.after_sales_service.models.product_template_quality"),
        ):
            self._run_rates("2026-04-01 06:00:00")
        self.assertFalse(broken_template.after_sales_failure_rate_date)
        self.assertFalse(broken_template.activity_ids)
        washer = self.dishwasher.product_tmpl_id
        self.assertAlmostEqual(washer.after_sales_failure_rate, 1000.0)
        self.assertEqual(len(washer.activity_ids), 1)

        # the next run retries it
        self._run_rates("2026-04-01 07:00:00")
        self.assertAlmostEqual(broken_template.after_sales_failure_rate, 750.0)
        self.assertEqual(len(broken_template.activity_ids), 1)
        self.assertEqual(len(washer.activity_ids), 1)

    def test_quality_user_default(self):
        self.company.after_sales_quality_user_id = False
        user = self.company._after_sales_quality_user()
        self.assertTrue(user.has_group("after_sales_service.group_manager"))
