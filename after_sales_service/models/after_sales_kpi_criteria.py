from odoo import models

from .after_sales_order_kpi import REPEAT_DAYS

ORDER_VIEWS = [[False, "list"], [False, "pivot"], [False, "form"]]


class AfterSalesKpi(models.AbstractModel):
    """The criteria of a service department (refusals, price and time against the
    market, reliability) and its service standards (actual against standard time
    per task). The figures about orders sum the period's ``_kpi_order_stats``; the
    others are one aggregate query each (``_read_group``)."""

    _inherit = "after_sales.kpi"

    def _kpi_figures(self, date_from, date_to, companies, stats=None):
        stats = self._kpi_stats(date_from, date_to, companies, stats)
        return super()._kpi_figures(date_from, date_to, companies, stats) + [
            self._kpi_refusal_rate(date_from, date_to, companies, stats),
            self._kpi_price_index(date_from, date_to, companies, stats),
            *self._kpi_reliability(date_from, date_to, companies, stats),
            *self._kpi_times(date_from, date_to, companies, stats),
            *self._kpi_standards(date_from, date_to, companies),
        ]

    # ------------------------------------------------------------------
    # Refusals
    # ------------------------------------------------------------------
    def _kpi_refusal_rate(self, date_from, date_to, companies, stats=None):
        """Refused requests (orders cancelled with a reason, rejected claims) / all
        requests (orders and claims) received in the period."""
        stats = self._kpi_stats(date_from, date_to, companies, stats)
        orders = sum(row["received"] for row in stats)
        orders_refused = sum(row["refused"] for row in stats)
        start, stop = self._kpi_bounds(date_from, date_to)
        received = [
            ("company_id", "in", companies.ids),
            ("date_received", ">=", start),
            ("date_received", "<", stop),
        ]
        claims = dict(self.env["after_sales.claim"]._read_group(received, ["state"], ["__count"]))
        claims_total = sum(claims.values())
        refused = orders_refused + claims.get("rejected", 0)
        return {
            "key": "refusal_rate",
            "label": self.env._("Refusal Rate"),
            "group": "criteria",
            "value": self._kpi_ratio(refused, orders + claims_total),
            "unit": "%",
            "help": self.env._(
                "Requests received in the period and refused (service orders cancelled "
                "with a refusal reason + rejected claims) / all service orders and claims "
                "received in the period x 100. Per service type and reason: Reporting > "
                "Order Refusals and Claims > Refusal Analysis."
            ),
            "action": {
                "res_model": "after_sales.order",
                "domain": [*received, ("reject_reason_id", "!=", False)],
                "name": self.env._("Refused Service Orders"),
                "views": [[False, "pivot"], [False, "list"], [False, "form"]],
            },
        }

    # ------------------------------------------------------------------
    # Price and time against the market
    # ------------------------------------------------------------------
    def _market_prices(self, date_from, date_to, companies, done=None):
        """{(company id, service type id): {"count", "ours", "market", "index"}} of
        the types with a market price: our average billed price (revenue of the
        orders done in the period with a billable amount / their number) against it.
        Types without a reference price (empty or 0) are left out. ``done``: the
        period's ``_kpi_order_stats`` when already read."""
        done = self._kpi_stats(date_from, date_to, companies, done)
        Type = self.env["after_sales.service.type"]
        result = {}
        for company in companies:
            rows = [r for r in done if r["company_id"] == company.id and r["billed"]]
            types = Type.browse([r["service_type_id"] for r in rows]).with_company(company)
            markets = {t.id: t.market_price for t in types}
            for row in rows:
                market = markets.get(row["service_type_id"])
                if not market:
                    continue
                ours = row["billed_sum"] / row["billed"]
                result[company.id, row["service_type_id"]] = {
                    "count": row["billed"],
                    "ours": ours,
                    "market": market,
                    "index": 100.0 * ours / market,
                }
        return result

    def _market_times(self, date_from, date_to, companies, done=None):
        """{(company id, service type id): {"count", "response", "duration",
        "index", "response_index", ...}} of the orders done in the period: mean
        response (date_started - date_received) and time to repair (date_done -
        date_received), in calendar hours, against the type's market times (the
        indexes only where the market time is set)."""
        done = self._kpi_stats(date_from, date_to, companies, done)
        Type = self.env["after_sales.service.type"]
        result = {}
        for company in companies:
            rows = [r for r in done if r["company_id"] == company.id and r["done"]]
            types = Type.browse([r["service_type_id"] for r in rows]).with_company(company)
            markets = {t.id: (t.market_duration_hours, t.market_response_hours) for t in types}
            for row in rows:
                market_duration, market_response = markets[row["service_type_id"]]
                started, count = row["started"], row["done"]
                response = row["response_sum"] / started if started else None
                duration = row["duration_sum"] / count
                result[company.id, row["service_type_id"]] = {
                    "count": count,
                    "response_count": started,
                    "response_sum": row["response_sum"],
                    "duration_sum": row["duration_sum"],
                    "response": response or 0.0,
                    "duration": duration,
                    "index": 100.0 * duration / market_duration if market_duration else None,
                    "response_index": (
                        100.0 * response / market_response
                        if market_response and response is not None
                        else None
                    ),
                }
        return result

    def _kpi_market_action(self, name, type_ids, date_from, date_to):
        view = self.env.ref(
            "after_sales_service.after_sales_service_type_view_list_criteria",
            raise_if_not_found=False,
        )
        return {
            "res_model": "after_sales.service.type",
            "domain": [("id", "in", sorted(type_ids))],
            "name": name,
            "views": [[view.id if view else False, "list"], [False, "form"]],
            "context": {"date_from": str(date_from), "date_to": str(date_to)},
        }

    @staticmethod
    def _weighted(values):
        """Mean of (weight, value) pairs weighted by weight, or None without any."""
        total = sum(weight for weight, _value in values)
        return sum(w * v for w, v in values) / total if total else None

    def _kpi_price_index(self, date_from, date_to, companies, done=None):
        prices = self._market_prices(date_from, date_to, companies, done)
        return {
            "key": "price_index",
            "label": self.env._("Price Index"),
            "group": "criteria",
            "value": self._weighted([(p["count"], p["index"]) for p in prices.values()]),
            "unit": "index",
            "help": self.env._(
                "Per service type: 100 x our average price (revenue of the orders done in "
                "the period with a billable amount / their number) / the market price of "
                "the type. The figure is the mean of the types with a market price, "
                "weighted by their number of orders; types without a market price (or 0) "
                "are left out. Above 100: dearer than the market."
            ),
            "action": self._kpi_market_action(
                self.env._("Price against the Market"),
                {type_id for _company_id, type_id in prices},
                date_from,
                date_to,
            ),
        }

    def _kpi_times(self, date_from, date_to, companies, done=None):
        by_type = self._market_times(date_from, date_to, companies, done)
        times = by_type.values()
        response_count = sum(t["response_count"] for t in times)
        count = sum(t["count"] for t in times)
        start, stop = self._kpi_bounds(date_from, date_to)
        done = [
            ("company_id", "in", companies.ids),
            ("state", "=", "done"),
            ("date_done", ">=", start),
            ("date_done", "<", stop),
        ]
        orders_action = {"res_model": "after_sales.order", "domain": done, "views": ORDER_VIEWS}
        return [
            {
                "key": "response_hours",
                "label": self.env._("Mean Response Time"),
                "group": "criteria",
                "value": self._kpi_ratio(
                    sum(t["response_sum"] for t in times), response_count, 1.0
                ),
                "unit": "hours",
                "help": self.env._(
                    "Mean of (work started - request received), in calendar hours, of the "
                    "service orders done in the period."
                ),
                "action": {**orders_action, "name": self.env._("Orders Done")},
            },
            {
                "key": "mttr_hours",
                "label": self.env._("Mean Time to Repair"),
                "group": "criteria",
                "value": self._kpi_ratio(sum(t["duration_sum"] for t in times), count, 1.0),
                "unit": "hours",
                "help": self.env._(
                    "Mean of (order done - request received), in calendar hours, of the "
                    "service orders done in the period: the time the customer waits."
                ),
                "action": {**orders_action, "name": self.env._("Orders Done")},
            },
            {
                "key": "time_index",
                "label": self.env._("Time Index"),
                "group": "criteria",
                "value": self._weighted(
                    [(t["count"], t["index"]) for t in times if t["index"] is not None]
                ),
                "unit": "index",
                "help": self.env._(
                    "Per service type: 100 x our mean time to repair (done - received) / "
                    "the market time to repair of the type; the mean of the types with a "
                    "market time, weighted by their number of orders done in the period. "
                    "Lower is better: below 100 we are faster than the market."
                ),
                "action": self._kpi_market_action(
                    self.env._("Time against the Market"),
                    {key[1] for key, t in by_type.items() if t["index"] is not None},
                    date_from,
                    date_to,
                ),
            },
            {
                "key": "response_index",
                "label": self.env._("Response Time Index"),
                "group": "criteria",
                "value": self._weighted(
                    [
                        (t["response_count"], t["response_index"])
                        for t in times
                        if t["response_index"] is not None
                    ]
                ),
                "unit": "index",
                "help": self.env._(
                    "Per service type: 100 x our mean response time (started - received) / "
                    "the market response time of the type; the mean of the types with a "
                    "market response time, weighted by their number of orders. Lower is "
                    "better: below 100 we respond faster than the market."
                ),
                "action": {**orders_action, "name": self.env._("Orders Done")},
            },
        ]

    # ------------------------------------------------------------------
    # Reliability
    # ------------------------------------------------------------------
    def _kpi_reliability(self, date_from, date_to, companies, done=None):
        """First-time fix, repeat visits, SLA attainment and failure-free days: counts
        of the reliability facts stored on the orders (``after_sales_order_kpi.py``),
        from the period's ``_kpi_order_stats``."""
        done = self._kpi_stats(date_from, date_to, companies, done)
        start, stop = self._kpi_bounds(date_from, date_to)
        corrective = sum(row["fix_count"] for row in done)
        fixed = sum(row["fix_held"] for row in done)
        visits = sum(row["visit_count"] for row in done)
        repeated = sum(row["visit_repeated"] for row in done)
        sla_met = sum(row["sla_met"] for row in done)
        sla_total = sum(row["sla_count"] for row in done)
        failures = sum(row["free_count"] for row in done)
        free_days = sum(row["free_sum"] for row in done) / failures if failures else None
        done_domain = [
            ("company_id", "in", companies.ids),
            ("state", "=", "done"),
            ("date_done", ">=", start),
            ("date_done", "<", stop),
        ]
        with_unit = [*done_domain, ("equipment_id", "!=", False)]
        corrective_domain = [*done_domain, ("kpi_fix_result", "!=", False)]
        sla_domain = [*done_domain, ("sla_resolution_result", "in", ("met", "missed"))]
        return [
            {
                "key": "first_time_fix_rate",
                "label": self.env._("First-Time Fix Rate"),
                "group": "criteria",
                "value": self._kpi_ratio(fixed, corrective),
                "unit": "%",
                "help": self.env._(
                    "Corrective orders done in the period whose unit got no other "
                    "corrective order (received, not cancelled) within %(days)s days after "
                    "the repair / all corrective orders done in the period with a unit x 100.",
                    days=REPEAT_DAYS,
                ),
                "action": {
                    "res_model": "after_sales.order",
                    "domain": corrective_domain,
                    "name": self.env._("Corrective Orders Done"),
                    "views": ORDER_VIEWS,
                },
            },
            {
                "key": "repeat_visit_rate",
                "label": self.env._("Repeat Visit Rate"),
                "group": "criteria",
                "value": self._kpi_ratio(repeated, visits),
                "unit": "%",
                "help": self.env._(
                    "Orders done in the period followed by another order on the same unit "
                    "(received within %(days)s days after it was done, not cancelled, not "
                    "generated by a maintenance plan) / all orders done in the period with "
                    "a unit x 100. Lower is better.",
                    days=REPEAT_DAYS,
                ),
                "action": {
                    "res_model": "after_sales.order",
                    "domain": with_unit,
                    "name": self.env._("Orders Done"),
                    "views": ORDER_VIEWS,
                },
            },
            {
                "key": "sla_attainment",
                "label": self.env._("SLA Attainment"),
                "group": "criteria",
                "value": self._kpi_ratio(sla_met, sla_total),
                "unit": "%",
                "help": self.env._(
                    "Orders done in the period that met their resolution SLA / orders done "
                    "in the period with an SLA result (met or missed) x 100."
                ),
                "action": {
                    "res_model": "after_sales.order",
                    "domain": sla_domain,
                    "name": self.env._("SLA Results"),
                    "views": ORDER_VIEWS,
                },
            },
            {
                "key": "failure_free_days",
                "label": self.env._("Failure-Free Days"),
                "group": "criteria",
                "value": float(free_days) if failures else None,
                "unit": "days",
                "help": self.env._(
                    "Mean, over the corrective orders received in the period (not "
                    "cancelled), of the days the unit ran without failure before: from the "
                    "end of its previous corrective order, or from its delivery for a first "
                    "failure (units without either are left out)."
                ),
                "action": {
                    "res_model": "after_sales.order",
                    "domain": [
                        ("company_id", "in", companies.ids),
                        ("state", "!=", "cancelled"),
                        ("service_type_id.code", "=", "corrective"),
                        ("equipment_id", "!=", False),
                        ("kpi_free_days", "!=", False),
                        ("date_received", ">=", start),
                        ("date_received", "<", stop),
                    ],
                    "name": self.env._("Failures"),
                    "views": ORDER_VIEWS,
                },
            },
        ]

    # ------------------------------------------------------------------
    # Service standards
    # ------------------------------------------------------------------
    def _kpi_standards(self, date_from, date_to, companies):
        """Actual against standard minutes of the tasks done in the period with both
        times recorded."""
        start, stop = self._kpi_bounds(date_from, date_to)
        timed = [
            ("company_id", "in", companies.ids),
            ("is_done", "=", True),
            ("date_done", ">=", start),
            ("date_done", "<", stop),
            ("actual_minutes", ">", 0),
            ("expected_minutes", ">", 0),
        ]
        groups = self.env["after_sales.order.task"]._read_group(
            timed, ["is_outlier"], ["__count", "actual_minutes:sum", "expected_minutes:sum"]
        )
        count = sum(group[1] for group in groups)
        actual = sum(group[2] for group in groups)
        standard = sum(group[3] for group in groups)
        outlier_count = sum(group[1] for group in groups if group[0])
        views = [[False, "pivot"], [False, "list"]]
        return [
            {
                "key": "standard_ratio",
                "label": self.env._("Time against Standard"),
                "group": "standards",
                "value": self._kpi_ratio(actual, standard) if count else None,
                "unit": "%",
                "help": self.env._(
                    "Sum of the actual minutes / sum of the standard (expected) minutes x "
                    "100, of the tasks done in the period with both times recorded. Above "
                    "100: slower than the standard."
                ),
                "action": {
                    "res_model": "after_sales.order.task",
                    "domain": timed,
                    "name": self.env._("Service Standards"),
                    "views": views,
                },
            },
            {
                "key": "outlier_count",
                "label": self.env._("Tasks over Standard"),
                "group": "standards",
                "value": float(outlier_count) if count else None,
                "unit": "count",
                "help": self.env._(
                    "Tasks done in the period whose actual time is more than 1.5 x their "
                    "standard time."
                ),
                "action": {
                    "res_model": "after_sales.order.task",
                    "domain": [*timed, ("is_outlier", "=", True)],
                    "name": self.env._("Tasks over Standard"),
                    "views": views,
                },
            },
        ]
