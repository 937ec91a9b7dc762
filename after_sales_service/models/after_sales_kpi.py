from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .hr_employee import to_utc_naive
from .utils import company_choices

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

    Other files add figures by extending ``_kpi_figures``; the figures about
    service orders read their counts from ``stats``, one pass over the orders of the
    period (``_kpi_order_stats``) shared by every file::

        def _kpi_figures(self, date_from, date_to, companies, stats=None):
            stats = self._kpi_stats(date_from, date_to, companies, stats)
            return super()._kpi_figures(date_from, date_to, companies, stats) + [...]
    """

    _name = "after_sales.kpi"
    _description = "After-Sales KPIs"

    # ------------------------------------------------------------------
    # Public API (the dashboard)
    # ------------------------------------------------------------------
    @api.model
    @api.readonly
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
        previous_from, previous_to = self._kpi_previous_period(date_from, date_to)

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
    @api.readonly
    def get_kpi_companies(self):
        """The companies the user may choose on the dashboard."""
        self._kpi_check_access()
        return company_choices(self.env)

    # ------------------------------------------------------------------
    # Figures (extended by the other KPI files)
    # ------------------------------------------------------------------
    def _kpi_figures(self, date_from, date_to, companies, stats=None):
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
                    "context": optional dict}}
        ``stats``: the period's ``_kpi_order_stats`` when already read."""
        stats = self._kpi_stats(date_from, date_to, companies, stats)
        return [
            self._kpi_orders_done(date_from, date_to, companies, stats),
            *self._kpi_satisfaction(date_from, date_to, companies),
        ]

    def _kpi_orders_done(self, date_from, date_to, companies, stats=None):
        """Number of service orders done in the period."""
        stats = self._kpi_stats(date_from, date_to, companies, stats)
        count = sum(row["done"] for row in stats)
        start, stop = self._kpi_bounds(date_from, date_to)
        domain = [
            ("company_id", "in", companies.ids),
            ("state", "=", "done"),
            ("date_done", ">=", start),
            ("date_done", "<", stop),
        ]
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
    # The one pass over the orders of a period
    # ------------------------------------------------------------------
    @api.model
    def _kpi_stats(self, date_from, date_to, companies, stats=None):
        if stats is None:
            stats = self._kpi_order_stats(date_from, date_to, companies)
        return stats

    @api.model
    def _kpi_order_stats(self, date_from, date_to, companies):
        """One aggregate query over the service orders done or received in the period,
        per company and service type (every figure about orders sums these rows; a
        distinct count of units is only taken where the rows cannot share a unit:
        one type, and a unit belongs to one company). Keys of each row dict:

        - of the orders done in the period: ``done``, ``started`` (with a start),
          ``response_sum`` and ``duration_sum`` (hours from received to started /
          done), ``billed`` and ``billed_sum`` (with a billable amount), ``fix_count``
          and ``fix_held`` (first-time fix facts), ``visit_count`` and
          ``visit_repeated`` (repeat visit facts), ``sla_met`` and ``sla_count``
          (resolution SLA met / met or missed), ``repairs`` (corrective, of an active
          unit delivered by the end of the period: MTBF);
        - of the orders received in the period: ``received`` (all), ``refused`` (with
          a refusal reason), ``corrective`` and ``corrective_units`` (corrective, on a
          unit, not cancelled), ``repeat_units`` (units with a repeat failure),
          ``free_count`` and ``free_sum`` (failure-free days facts)."""
        start, stop = self._kpi_bounds(date_from, date_to)
        Order = self.env["after_sales.order"]
        Order.flush_model()
        self.env["after_sales.equipment"].flush_model(["active", "delivery_date"])
        corrective = self.env.ref(
            "after_sales_service.service_type_corrective", raise_if_not_found=False
        )
        keys = (
            "company_id",
            "service_type_id",
            "done",
            "started",
            "response_sum",
            "duration_sum",
            "billed",
            "billed_sum",
            "fix_count",
            "fix_held",
            "visit_count",
            "visit_repeated",
            "sla_met",
            "sla_count",
            "repairs",
            "received",
            "refused",
            "corrective",
            "corrective_units",
            "repeat_units",
            "free_count",
            "free_sum",
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH orders AS (
                    SELECT o.company_id, o.service_type_id, o.equipment_id, o.state,
                           o.date_received, o.date_started, o.date_done, o.amount_billable,
                           o.reject_reason_id, o.sla_resolution_result, o.kpi_fix_result,
                           o.kpi_repeat_visit, o.kpi_repeat_failure, o.kpi_free_days,
                           o.state = 'done' AND o.date_done >= %(start)s
                               AND o.date_done < %(stop)s AS is_done,
                           o.date_received >= %(start)s
                               AND o.date_received < %(stop)s AS is_received,
                           o.service_type_id = %(corrective)s AND o.equipment_id IS NOT NULL
                               AS is_corrective
                      FROM after_sales_order o
                     WHERE o.company_id = ANY(%(companies)s)
                       AND ((o.state = 'done' AND o.date_done >= %(start)s
                             AND o.date_done < %(stop)s)
                            OR (o.date_received >= %(start)s AND o.date_received < %(stop)s))
                ), per_unit AS (
                    -- first per unit (a hash aggregate, no sort), then per type: the
                    -- units with a corrective order or a repeat failure are counted
                    -- without COUNT(DISTINCT)
                    SELECT o.company_id, o.service_type_id, o.equipment_id,
                           COUNT(*) FILTER (WHERE is_done) AS done,
                           COUNT(date_started) FILTER (WHERE is_done) AS started,
                           SUM(EXTRACT(EPOCH FROM date_started - date_received))
                               FILTER (WHERE is_done) AS response_sum,
                           SUM(EXTRACT(EPOCH FROM date_done - date_received))
                               FILTER (WHERE is_done) AS duration_sum,
                           COUNT(*) FILTER (WHERE is_done AND amount_billable > 0) AS billed,
                           SUM(amount_billable)
                               FILTER (WHERE is_done AND amount_billable > 0) AS billed_sum,
                           COUNT(kpi_fix_result) FILTER (WHERE is_done) AS fix_count,
                           COUNT(*) FILTER (WHERE is_done AND kpi_fix_result = 'held')
                               AS fix_held,
                           COUNT(kpi_repeat_visit) FILTER (WHERE is_done) AS visit_count,
                           COUNT(*) FILTER (WHERE is_done AND kpi_repeat_visit)
                               AS visit_repeated,
                           COUNT(*) FILTER (WHERE is_done AND sla_resolution_result = 'met')
                               AS sla_met,
                           COUNT(*) FILTER (
                               WHERE is_done AND sla_resolution_result IN ('met', 'missed'))
                               AS sla_count,
                           COUNT(*) FILTER (WHERE is_done AND is_corrective) AS repairs,
                           COUNT(*) FILTER (WHERE is_received) AS received,
                           COUNT(*) FILTER (WHERE is_received AND reject_reason_id IS NOT NULL)
                               AS refused,
                           COUNT(*) FILTER (
                               WHERE is_received AND is_corrective AND state != 'cancelled')
                               AS corrective,
                           BOOL_OR(is_received AND kpi_repeat_failure) AS repeat_failure,
                           COUNT(kpi_free_days)
                               FILTER (WHERE is_received AND state != 'cancelled')
                               AS free_count,
                           SUM(kpi_free_days)
                               FILTER (WHERE is_received AND state != 'cancelled')
                               AS free_sum
                      FROM orders o
                  GROUP BY o.company_id, o.service_type_id, o.equipment_id
                )
                SELECT u.company_id, u.service_type_id,
                       SUM(done), SUM(started), COALESCE(SUM(response_sum), 0) / 3600,
                       COALESCE(SUM(duration_sum), 0) / 3600, SUM(billed),
                       COALESCE(SUM(billed_sum), 0), SUM(fix_count), SUM(fix_held),
                       SUM(visit_count), SUM(visit_repeated), SUM(sla_met), SUM(sla_count),
                       SUM(repairs) FILTER (WHERE e.active
                                              AND e.delivery_date <= %(date_to)s),
                       SUM(received), SUM(refused), SUM(corrective),
                       COUNT(e.id) FILTER (WHERE corrective > 0),
                       COUNT(e.id) FILTER (WHERE repeat_failure),
                       SUM(free_count), COALESCE(SUM(free_sum), 0)
                  FROM per_unit u
             LEFT JOIN after_sales_equipment e ON e.id = u.equipment_id
              GROUP BY u.company_id, u.service_type_id
                """,
                companies=companies.ids,
                start=start,
                stop=stop,
                date_to=date_to,
                corrective=corrective.id if corrective else 0,
            )
        )
        return [{key: value or 0 for key, value in zip(keys, row, strict=True)} for row in rows]

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
    def _kpi_previous_period(self, date_from, date_to):
        """(from, to) of the period a figure is compared with: the same number of
        whole calendar months before when the period is whole months (a month, a
        quarter, a year), else the same number of days just before."""
        if date_from.day == 1 and (date_to + timedelta(days=1)).day == 1:
            months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
            previous_from = date_from - relativedelta(months=months)
            return previous_from, date_from - timedelta(days=1)
        length = (date_to - date_from).days + 1
        previous_to = date_from - timedelta(days=1)
        return previous_to - timedelta(days=length - 1), previous_to

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
