from datetime import datetime

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AfterSalesCommon
from .common_screenshots import ScreenshotTourMixin

KPI_KEYS = {
    "key",
    "label",
    "group",
    "value",
    "unit",
    "help",
    "action",
    "previous",
    "trend",
    "lower_is_better",
}
GROUPS = {"quality", "satisfaction", "criteria", "standards"}
UNITS = {"%", "index", "days", "hours", "per_1000", "count", "minutes"}


def done_orders(env, partner, technician, count, when, service_type=None, units=None):
    """``count`` service orders of ``partner`` started and done at ``when`` (on
    ``units``, one each, when given)."""
    service_type = service_type or env.ref("after_sales_service.service_type_corrective")
    units = list(units or [])
    with freeze_time(when):
        orders = env["after_sales.order"].create(
            [
                {
                    "service_type_id": service_type.id,
                    "partner_id": partner.id,
                    "technician_ids": [(6, 0, technician.ids)],
                    "equipment_id": units[index].id if index < len(units) else False,
                }
                for index in range(count)
            ]
        )
        orders.action_start()
        orders.action_done()
    return orders


@tagged("post_install", "-at_install")
class TestKpi(AfterSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.service_user.tz = "UTC"
        cls.Kpi = cls.env["after_sales.kpi"]

    def _done(self, count, when, partner=None):
        return done_orders(self.env, partner or self.customer, self.technician, count, when)

    def _kpis(self, date_from="2026-11-01", date_to="2026-11-30", user=None, **kwargs):
        self.env.flush_all()
        self.env.invalidate_all()
        return self.Kpi.with_user(user or self.service_user).get_kpis(date_from, date_to, **kwargs)

    @staticmethod
    def _by_key(result):
        return {figure["key"]: figure for figure in result["kpis"]}

    def test_structure_and_previous_period(self):
        orders = self._done(2, "2026-11-10 10:00:00")
        self._done(1, "2026-10-10 10:00:00")
        self._done(1, "2026-09-10 10:00:00")  # before both periods
        result = self._kpis()
        self.assertEqual(
            result["period"], {"date_from": "2026-11-01", "date_to": "2026-11-30", "days": 30}
        )
        # a calendar month is compared with the previous calendar month
        self.assertEqual(
            result["previous"], {"date_from": "2026-10-01", "date_to": "2026-10-31", "days": 31}
        )
        for figure in result["kpis"]:
            self.assertLessEqual(KPI_KEYS, set(figure), figure["key"])
            self.assertIn(figure["group"], GROUPS)
            self.assertIn(figure["unit"], UNITS)
            self.assertTrue(figure["label"] and figure["help"])
            self.assertLessEqual({"res_model", "domain", "name"}, set(figure["action"]))
            # the action's domain runs as is
            self.env[figure["action"]["res_model"]].search_count(figure["action"]["domain"])
        done = self._by_key(result)["orders_done"]
        self.assertIs(done["lower_is_better"], False)
        self.assertEqual((done["value"], done["previous"], done["trend"]), (2.0, 1.0, 1.0))
        self.assertEqual(self.env["after_sales.order"].search(done["action"]["domain"]), orders)

    def test_empty_period_is_no_data(self):
        result = self._kpis("2020-01-01", "2020-01-31")
        figures = self._by_key(result)
        self.assertEqual(figures["orders_done"]["value"], 0.0)
        self.assertEqual(figures["orders_done"]["trend"], 0.0)
        for key in ("csat", "nps"):
            self.assertIsNone(figures[key]["value"])
            self.assertIsNone(figures[key]["previous"])
            self.assertIsNone(figures[key]["trend"])
        # swapped bounds and a one-day period do not fail either
        self.assertEqual(self._kpis("2020-01-31", "2020-01-01")["period"]["days"], 31)
        self.assertEqual(self._kpis("2020-01-01", "2020-01-01")["previous"]["days"], 1)
        self.assertIsNone(self.Kpi._kpi_ratio(3, 0))
        self.assertEqual(self.Kpi._kpi_ratio(1, 4), 25.0)

    def test_csat_from_the_customers_answers(self):
        happy, unhappy = self._done(2, "2026-11-10 10:00:00")
        self._done(1, "2026-11-11 10:00:00")  # asked, never answered
        for order, rate in ((happy, 5), (unhappy, 1)):
            rating = order.rating_ids[:1] or self.env["rating.rating"].create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("after_sales.order"),
                    "res_id": order.id,
                    "partner_id": self.customer.id,
                }
            )
            with freeze_time("2026-11-12 10:00:00"):
                rating.write({"rating": rate, "consumed": True, "rated_on": datetime.now()})
        figures = self._by_key(self._kpis())
        self.assertEqual(figures["csat"]["value"], 50.0)
        self.assertIsNone(figures["csat"]["previous"])
        self.assertIsNone(figures["csat"]["trend"])
        self.assertEqual(figures["csat"]["action"]["res_model"], "after_sales.rating.report")
        self.assertEqual(
            len(self.env["after_sales.rating.report"].search(figures["csat"]["action"]["domain"])),
            2,
        )
        self.assertIsNone(figures["nps"]["value"])

    def test_company_of_the_user_only(self):
        self._done(3, "2026-11-10 10:00:00")
        other_company = self.env["res.company"].create({"name": "KPI Other Service Co"})
        other_user = new_test_user(
            self.env,
            login="kpi_other_user",
            groups="after_sales_service.group_user",
            company_id=other_company.id,
            company_ids=[other_company.id],
            tz="UTC",
        )
        figures = self._by_key(self._kpis(user=other_user))
        self.assertEqual(figures["orders_done"]["value"], 0.0)
        self.assertEqual(self._kpis(user=other_user)["companies"][0]["id"], other_company.id)
        self.assertEqual(self._by_key(self._kpis())["orders_done"]["value"], 3.0)
        # a company the user may not see is refused, one they may is taken alone
        with self.assertRaises(AccessError):
            self._kpis(user=other_user, company_id=self.company.id)
        result = self._kpis(company_id=self.company.id)
        self.assertEqual([c["id"] for c in result["companies"]], [self.company.id])
        self.assertEqual(
            [c["id"] for c in self.Kpi.with_user(other_user).get_kpi_companies()],
            [other_company.id],
        )

    def test_technician_is_refused(self):
        with self.assertRaises(AccessError):
            self._kpis(user=self.technician)
        with self.assertRaises(AccessError):
            self.Kpi.with_user(self.technician).get_kpi_companies()
        # managers see it
        self.assertTrue(self._kpis(user=self.service_manager)["kpis"])

    def test_fixed_query_count(self):
        def count_queries():
            self._kpis()  # warm-up: ormcaches (groups, rules) filled alike
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Kpi.with_user(self.service_user).get_kpis("2026-11-01", "2026-11-30")
            return self.env.cr.sql_log_count - before

        self._done(5, "2026-11-10 10:00:00")
        small = count_queries()
        self._done(45, "2026-11-12 10:00:00")
        self._done(10, "2026-10-12 10:00:00")
        large = count_queries()
        self.assertEqual(small, large)
        self.assertEqual(self._by_key(self._kpis())["orders_done"]["value"], 50.0)


@tagged("post_install", "-at_install")
class TestKpiDashboardTour(ScreenshotTourMixin, HttpCase):
    def test_kpi_dashboard_tour(self):
        """A service user opens the dashboard on a month with figures (an installed
        base, claims, done orders rated by the customer, the month before to compare
        with), switches to last month and opens its done orders from their card."""
        company = self.env.company
        new_test_user(
            self.env,
            login="kpi_tour_user",
            groups="after_sales_service.group_user",
            company_id=company.id,
            tz="UTC",
        )
        technician = new_test_user(
            self.env,
            login="kpi_tour_technician",
            groups="after_sales_service.group_technician",
            company_id=company.id,
        )
        partner = self.env["res.partner"].create({"name": "KPI Tour Bakery"})
        product = self.env["product.product"].create({"name": "KPI Tour Espresso"})
        now = fields.Datetime.now()
        last_month = now - relativedelta(months=1)
        units = self.env["after_sales.equipment"].create(
            [
                {
                    "product_id": product.id,
                    "partner_id": partner.id,
                    "delivery_date": (now - relativedelta(years=1)).date(),
                }
                for _index in range(40)
            ]
        )
        rating_model = self.env["ir.model"]._get_id("after_sales.order")
        for when, count, rates, claims in ((last_month, 3, (5, 1), 1), (now, 4, (5, 5, 2), 2)):
            orders = done_orders(self.env, partner, technician, count, when, units=units[:count])
            units = units[count:]
            for order, rate in zip(orders, rates, strict=False):
                rating = order.rating_ids[:1] or self.env["rating.rating"].create(
                    {"res_model_id": rating_model, "res_id": order.id, "partner_id": partner.id}
                )
                with freeze_time(when):
                    rating.write({"rating": rate, "consumed": True, "rated_on": when})
            with freeze_time(when):
                self.env["after_sales.claim"].create(
                    [
                        {
                            "partner_id": partner.id,
                            "product_id": product.id,
                            "category": "product_defect",
                            "channel": "phone",
                        }
                        for _index in range(claims)
                    ]
                )
        self.start_tour(
            "/odoo/action-after_sales_service.after_sales_kpi_dashboard_action",
            "after_sales_kpi_dashboard_tour",
            login="kpi_tour_user",
        )
        self.assertScreenshots("kpi_dashboard")
