from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .hr_employee import to_utc_naive

KPI_GROUPS = ("quality", "satisfaction", "criteria", "standards")
KPI_UNITS = ("%", "index", "days", "hours", "per_1000", "count", "minutes")
# Which way a figure should move, for the colour of its trend on the dashboard, when
# the figure does not say it itself ("lower_is_better": True, False or None for
# neither, e.g. a price index): higher is better unless listed here.
KPI_LOWER_IS_BETTER = {
    "claims_per_1000": True,
    "corrective_per_1000": True,
    "repeat_failure_rate": True,
    "refusal_rate": True,
    "response_hours": True,
    "mttr_hours": True,
    "time_index": True,
    "response_index": True,
    "repeat_visit_rate": True,
    "standard_ratio": True,
    "outlier_count": True,
    "price_index": None,
}


class AfterSalesKpi(models.AbstractModel):
    """The owner's morning figures: quality, satisfaction, service criteria and
    service standards of a period, each against the previous period of the same
    length. Each figure is computed by one aggregate query (``_read_group``), so the
    number of queries does not depend on the number of records.

    Other files add figures by extending ``_kpi_figures``::

        def _kpi_figures(self, date_from, date_to, companies):
            return super()._kpi_figures(date_from, date_to, companies) + [...]
    """

    _name = "after_sales.kpi"
    _description = "After-Sales KPIs"

    # ------------------------------------------------------------------
    # Public API (the dashboard)
    # ------------------------------------------------------------------
    @api.model
    def get_kpis(self, date_from, date_to, company_id=None):
        """date_from/date_to: 'YYYY-MM-DD' strings (inclusive). Returns
        ``{"period": {...}, "previous": {...}, "kpis": [figure, ...]}`` where each
        figure of the current period gets "previous" (its value over the previous
        period of the same length) and "trend" (value - previous, or None)."""
        self._kpi_check_access()
        companies = self._kpi_companies(company_id)
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        if date_to < date_from:
            date_from, date_to = date_to, date_from
        length = (date_to - date_from).days + 1
        previous_to = date_from - timedelta(days=1)
        previous_from = previous_to - timedelta(days=length - 1)

        current = self._kpi_figures(date_from, date_to, companies)
        previous = {
            figure["key"]: figure["value"]
            for figure in self._kpi_figures(previous_from, previous_to, companies)
        }
        for figure in current:
            before = previous.get(figure["key"])
            figure["previous"] = before
            value = figure["value"]
            figure["trend"] = value - before if value is not None and before is not None else None
            figure.setdefault("lower_is_better", KPI_LOWER_IS_BETTER.get(figure["key"], False))
        return {
            "period": self._kpi_period(date_from, date_to),
            "previous": self._kpi_period(previous_from, previous_to),
            "companies": [{"id": company.id, "name": company.name} for company in companies],
            "kpis": current,
        }

    @api.model
    def get_kpi_companies(self):
        """The companies the user may choose on the dashboard."""
        self._kpi_check_access()
        return [
            {"id": company.id, "name": company.name}
            for company in self.env.user.company_ids.sorted(lambda c: (c.sequence, c.name))
        ]

    # ------------------------------------------------------------------
    # Figures (extended by the other KPI files)
    # ------------------------------------------------------------------
    def _kpi_figures(self, date_from, date_to, companies):
        """date objects (inclusive) and a res.company recordset -> list of dicts:
        {"key": str, "label": str (translated),
         "group": "quality"|"satisfaction"|"criteria"|"standards",
         "value": float or None (None = no data: the screen shows "No data"),
         "unit": "%"|"index"|"days"|"hours"|"per_1000"|"count"|"minutes",
         "help": str (translated formula),
         "lower_is_better": optional, True/False/None (None: neither way is better;
                            default from KPI_LOWER_IS_BETTER, else False),
         "action": {"res_model": str, "domain": list, "name": str,
                    "views": optional list of [False, "list"] etc.,
                    "context": optional dict}}"""
        return [
            self._kpi_orders_done(date_from, date_to, companies),
            *self._kpi_satisfaction(date_from, date_to, companies),
        ]

    def _kpi_orders_done(self, date_from, date_to, companies):
        """Number of service orders done in the period (one COUNT query)."""
        start, stop = self._kpi_bounds(date_from, date_to)
        domain = [
            ("company_id", "in", companies.ids),
            ("state", "=", "done"),
            ("date_done", ">=", start),
            ("date_done", "<", stop),
        ]
        [(count,)] = self.env["after_sales.order"]._read_group(domain, aggregates=["__count"])
        return {
            "key": "orders_done",
            "label": self.env._("Orders Done"),
            "group": "standards",
            "value": float(count),
            "unit": "count",
            "help": self.env._("Number of service orders done in the period."),
            "action": {
                "res_model": "after_sales.order",
                "domain": domain,
                "name": self.env._("Orders Done"),
                "views": [[False, "list"], [False, "form"]],
            },
        }

    def _kpi_satisfaction(self, date_from, date_to, companies):
        """CSAT of orders and claims and NPS of contracts, from the customers' answers
        rated in the period (``after_sales.rating.report``), one query each."""
        Report = self.env["after_sales.rating.report"]
        start, stop = self._kpi_bounds(date_from, date_to)
        base = [
            ("company_id", "in", companies.ids),
            ("date", ">=", start),
            ("date", "<", stop),
        ]
        csat_domain = [*base, ("res_model", "in", ("after_sales.order", "after_sales.claim"))]
        nps_domain = [*base, ("res_model", "=", "after_sales.contract")]
        [(csat_count, csat)] = Report._read_group(csat_domain, aggregates=["__count", "csat:avg"])
        [(nps_count, nps)] = Report._read_group(nps_domain, aggregates=["__count", "nps:avg"])
        views = [[False, "list"], [False, "pivot"], [False, "graph"]]
        return [
            {
                "key": "csat",
                "label": self.env._("CSAT"),
                "group": "satisfaction",
                "value": float(csat) if csat_count and csat is not None else None,
                "unit": "%",
                "help": self.env._(
                    "Customer satisfaction of orders and claims rated in the period: "
                    "satisfied ratings (Happy) / all ratings x 100."
                ),
                "action": {
                    "res_model": "after_sales.rating.report",
                    "domain": csat_domain,
                    "name": self.env._("CSAT"),
                    "views": views,
                },
            },
            {
                "key": "nps",
                "label": self.env._("NPS"),
                "group": "satisfaction",
                "value": float(nps) if nps_count and nps is not None else None,
                "unit": "index",
                "help": self.env._(
                    "Net Promoter Score of contracts answered in the period: "
                    "% promoters (9-10) - % detractors (0-6), from -100 to 100."
                ),
                "action": {
                    "res_model": "after_sales.rating.report",
                    "domain": nps_domain,
                    "name": self.env._("NPS"),
                    "views": views,
                },
            },
        ]

    # ------------------------------------------------------------------
    # Helpers shared by every KPI file
    # ------------------------------------------------------------------
    @api.model
    def _kpi_bounds(self, date_from, date_to):
        """Naive UTC datetimes [start, stop) of the local days date_from..date_to
        (inclusive) in the user's timezone, to compare with Datetime fields."""
        tz = self.env.tz
        start = to_utc_naive(tz.localize(datetime.combine(date_from, time.min)))
        stop = to_utc_naive(tz.localize(datetime.combine(date_to + timedelta(days=1), time.min)))
        return start, stop

    @api.model
    def _kpi_ratio(self, numerator, denominator, factor=100.0):
        """numerator / denominator x factor, or None (no data) when the denominator is 0."""
        if not denominator:
            return None
        return float(numerator) / float(denominator) * factor

    @api.model
    def _kpi_period(self, date_from, date_to):
        return {
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
            "days": (date_to - date_from).days + 1,
        }

    @api.model
    def _kpi_check_access(self):
        if not self.env.user.has_group("after_sales_service.group_user"):
            raise AccessError(self.env._("Only service users and managers see the KPI dashboard."))

    @api.model
    def _kpi_companies(self, company_id=None):
        if company_id:
            company = self.env["res.company"].browse(int(company_id))
            if company not in self.env.user.company_ids:
                raise AccessError(self.env._("You are not allowed to see this company's figures."))
            return company
        return self.env.companies
